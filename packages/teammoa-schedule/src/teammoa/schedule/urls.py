"""Page URLs of the schedule app; include with ``path("", include("teammoa.schedule.urls"))``."""

from __future__ import annotations

from django.urls import path

from teammoa.schedule import feed, views

app_name = "teammoa_schedule"

urlpatterns = [
    path("teams/<int:team>/schedule/", views.schedule_page, name="schedule"),
    path(
        "teams/<int:team>/calendar/<str:token>.ics",
        feed.calendar_feed,
        name="calendar_feed",
    ),
]
