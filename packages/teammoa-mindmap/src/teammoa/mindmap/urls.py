"""Page URLs of the mindmap app; include with ``path("", include("teammoa.mindmap.urls"))``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "teammoa_mindmap"

urlpatterns: list[URLPattern] = []
