"""The schedule's card on the team home (core's panel registry): the next meetings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from teammoa.core.models import Membership
from teammoa.schedule.models import Meeting

HOME_MEETINGS = 3


def upcoming_meetings(team_id: int, limit: int) -> list[Meeting]:
    """The team's next meetings not over yet and not cancelled, in one query."""
    return list(
        Meeting.objects.filter(
            team_id=team_id, cancelled_at__isnull=True, ends_at__gt=timezone.now()
        ).order_by("starts_at", "id")[:limit]
    )


def _ics_url(meeting: Meeting) -> str:
    """The meeting's .ics download, or "" when the host did not mount the schedule API."""
    try:
        return reverse(
            "teammoa_schedule_api:meeting_ics",
            kwargs={"team": meeting.team_id, "meeting": meeting.pk},
        )
    except NoReverseMatch:
        return ""


def meetings_panel(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    zone = membership.team.zone
    meetings = upcoming_meetings(membership.team_id, HOME_MEETINGS + 1)
    return {
        "meetings": [
            {
                "meeting": meeting,
                "start": timezone.localtime(meeting.starts_at, zone),
                "end": timezone.localtime(meeting.ends_at, zone),
                "ics": _ics_url(meeting),
            }
            for meeting in meetings[:HOME_MEETINGS]
        ],
        "more_meetings": len(meetings) > HOME_MEETINGS,
    }
