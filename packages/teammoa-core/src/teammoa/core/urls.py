"""Page URLs of the core app; include with ``path("", include("teammoa.core.urls"))``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "teammoa_core"

urlpatterns: list[URLPattern] = []
