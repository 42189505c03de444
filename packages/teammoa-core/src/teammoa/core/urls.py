"""Page URLs of the core app; include with ``path("", include("teammoa.core.urls"))``."""

from __future__ import annotations

from django.urls import path

from teammoa.core import downloads

app_name = "teammoa_core"

urlpatterns = [
    path(
        "teams/<int:team>/posts/<int:post>/attachment/",
        downloads.attachment_download,
        name="post_attachment",
    ),
]
