"""JSON shapes of meetings, the calendar feed and the schedule's team settings.

Output only: input is cleaned by the services (one cleaner for every field); the input
serializers here describe it for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework import serializers

from teammoa.schedule.models import CalendarFeed, Meeting, ScheduleSettings


def local_times(meeting: Meeting) -> dict[str, str]:
    """The meeting's date, start and end (``"24:00"`` at midnight) in the team's zone."""
    zone = meeting.team.zone
    start = timezone.localtime(meeting.starts_at, zone)
    end = timezone.localtime(meeting.ends_at, zone)
    end_text = "24:00" if end.date() > start.date() and end.time().hour == 0 else f"{end:%H:%M}"
    return {"date": start.date().isoformat(), "start": f"{start:%H:%M}", "end": end_text}


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=100)
    date = serializers.DateField(help_text="in the team's timezone")
    start = serializers.CharField(help_text='"HH:MM" in the team\'s timezone')
    end = serializers.CharField(help_text='"HH:MM" (up to "24:00"), the same day')
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    created_by = serializers.IntegerField(read_only=True, allow_null=True)
    updated_by = serializers.IntegerField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    cancelled = serializers.BooleanField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    sequence = serializers.IntegerField(read_only=True, help_text="+1 on every change")
    ics_url = serializers.CharField(read_only=True)

    def to_representation(self, instance: Meeting) -> dict[str, Any]:
        try:
            ics = reverse(
                "teammoa_schedule_api:meeting_ics",
                kwargs={"team": instance.team_id, "meeting": instance.pk},
            )
        except NoReverseMatch:  # pragma: no cover - the URLconf is this app's own
            ics = ""
        zone = instance.team.zone
        return {
            "id": instance.pk,
            "title": instance.title,
            **local_times(instance),
            "starts_at": timezone.localtime(instance.starts_at, zone).isoformat(),
            "ends_at": timezone.localtime(instance.ends_at, zone).isoformat(),
            "timezone": zone.key,
            "place": instance.place,
            "link": instance.link,
            "notes": instance.notes,
            "created_by": instance.created_by_id,
            "updated_by": instance.updated_by_id,
            "created_at": instance.created_at.isoformat(),
            "updated_at": instance.updated_at.isoformat(),
            "cancelled": instance.cancelled,
            "cancelled_at": instance.cancelled_at.isoformat() if instance.cancelled_at else None,
            "sequence": instance.sequence,
            "ics_url": ics,
        }


class MeetingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=100)
    date = serializers.DateField(required=False)
    start = serializers.CharField(required=False)
    end = serializers.CharField(required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def feed_payload(feed: CalendarFeed | None, url: str | None) -> dict[str, Any]:
    return {
        "enabled": feed is not None,
        "url": url,
        "created_at": feed.created_at.isoformat() if feed is not None else None,
    }


class FeedSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    url = serializers.CharField(allow_null=True, help_text="secret: whoever has it can read")
    created_at = serializers.DateTimeField(allow_null=True)


def settings_payload(setting: ScheduleSettings | None) -> dict[str, Any]:
    return {
        "first_hour": setting.first_hour if setting else None,
        "last_hour": setting.last_hour if setting else None,
    }


class ScheduleSettingsSerializer(serializers.Serializer):
    first_hour = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=23, help_text="null: the default"
    )
    last_hour = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=24, help_text="exclusive; 24 is midnight"
    )
