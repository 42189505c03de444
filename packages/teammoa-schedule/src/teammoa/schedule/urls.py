"""Page URLs of the schedule app; include with ``path("", include("teammoa.schedule.urls"))``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "teammoa_schedule"

urlpatterns: list[URLPattern] = []
