"""API routes, mounted by the host under ``/api/v1/``:
``path("api/v1/", include("teammoa.schedule.api.urls"))``."""

from __future__ import annotations

from django.urls import path

from teammoa.schedule.api import meetings, views

app_name = "teammoa_schedule_api"

urlpatterns = [
    path("teams/<int:team>/schedule/me/", views.MyWeekView.as_view(), name="my_week"),
    path(
        "teams/<int:team>/schedule/me/usual/",
        views.MyUsualWeekView.as_view(),
        name="my_usual_week",
    ),
    path(
        "teams/<int:team>/schedule/availability/",
        views.AvailabilityView.as_view(),
        name="availability",
    ),
    path(
        "teams/<int:team>/schedule/slot.ics",
        views.SlotCalendarView.as_view(),
        name="slot_ics",
    ),
    path(
        "teams/<int:team>/schedule/import/",
        views.ImportCalendarView.as_view(),
        name="import",
    ),
    path(
        "teams/<int:team>/schedule/meetings/",
        meetings.MeetingListView.as_view(),
        name="meetings",
    ),
    path(
        "teams/<int:team>/schedule/meetings/<int:meeting>/",
        meetings.MeetingDetailView.as_view(),
        name="meeting",
    ),
    path(
        "teams/<int:team>/schedule/meetings/<int:meeting>/cancel/",
        meetings.MeetingCancelView.as_view(),
        name="meeting_cancel",
    ),
    path(
        "teams/<int:team>/schedule/meetings/<int:meeting>/calendar.ics",
        meetings.MeetingCalendarView.as_view(),
        name="meeting_ics",
    ),
    path("teams/<int:team>/schedule/feed/", meetings.FeedView.as_view(), name="feed"),
    path(
        "teams/<int:team>/schedule/settings/",
        meetings.ScheduleSettingsView.as_view(),
        name="settings",
    ),
]
