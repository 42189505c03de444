"""What every .ics download of the schedule API shares: the answer and its errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from teammoa.core.api import TeamScopedView


def calendar_response(calendar: Any) -> HttpResponse:
    """A ``CalendarFile`` as a private, uncached text/calendar attachment."""
    response = HttpResponse(calendar.content, content_type="text/calendar; charset=utf-8")
    # The file name is ASCII by construction (team or meeting id, date, hour).
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def uid_domain(request: Any) -> str:
    """The domain part of the events' UIDs: this site's host name."""
    return request.get_host().split(":")[0] or "teammoa"


class CalendarDownloadView(TeamScopedView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is text/calendar (a plain HttpResponse); errors are always JSON, so
        # a calendar client's ``Accept: text/calendar`` must not turn into a 406.
        return JSONRenderer(), JSONRenderer.media_type
