"""The private calendar feed a member's calendar app subscribes to (no session: the
secret in the address is the key, so it answers only GET and HEAD, and 404 otherwise)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from teammoa.core.errors import NotFound
from teammoa.schedule import services
from teammoa.schedule.api.calendars import uid_domain


@require_safe
def calendar_feed(request: HttpRequest, team: int, token: str) -> HttpResponse:
    home = request.build_absolute_uri(reverse("teammoa_schedule:schedule", kwargs={"team": team}))
    try:
        calendar = services.feed_calendar(team, token, uid_domain(request), url=home)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(calendar.content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{calendar.filename}"'
    # Calendar apps poll; a moved or cancelled meeting shows at their next fetch.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
