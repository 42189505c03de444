"""Meetings, the member's calendar feed and the schedule's team settings over REST:
request → service call → response."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from teammoa.core.api import JSONParser, TeamScopedView
from teammoa.core.errors import Invalid
from teammoa.schedule import services
from teammoa.schedule.api import meetings_serializers as s
from teammoa.schedule.api.calendars import CalendarDownloadView, calendar_response, uid_domain


class MeetingListView(TeamScopedView):
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("week", str, description="only meetings in this ISO week"),
            OpenApiParameter("upcoming", bool, description="only meetings not over yet"),
            OpenApiParameter("cancelled", bool, description="include cancelled meetings"),
        ],
        responses=s.MeetingSerializer(many=True),
    )
    def get(self, request: Request, team: int) -> Response:
        params = request.query_params
        meetings = services.meetings_of(
            request.user,
            team,
            week=params.get("week"),
            upcoming=params.get("upcoming"),
            cancelled=params.get("cancelled"),
        )
        return self.paginated(meetings, s.MeetingSerializer)

    @extend_schema(request=s.MeetingSerializer, responses={201: s.MeetingSerializer})
    def post(self, request: Request, team: int) -> Response:
        meeting = services.create_meeting(request.user, team, **_body(request))
        return self.respond(s.MeetingSerializer, meeting, status.HTTP_201_CREATED)


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise Invalid({"non_field_errors": [_("Send a JSON object.")]})
    return dict(data)


class MeetingDetailView(TeamScopedView):
    parser_classes = [JSONParser]

    @extend_schema(responses=s.MeetingSerializer)
    def get(self, request: Request, team: int, meeting: int) -> Response:
        found = services.get_meeting(request.user, team, meeting)
        return self.respond(s.MeetingSerializer, found)

    @extend_schema(request=s.MeetingUpdateSerializer, responses=s.MeetingSerializer)
    def patch(self, request: Request, team: int, meeting: int) -> Response:
        updated = services.update_meeting(request.user, team, meeting, **_body(request))
        return self.respond(s.MeetingSerializer, updated)


class MeetingCancelView(TeamScopedView):
    @extend_schema(request=None, responses=s.MeetingSerializer)
    def post(self, request: Request, team: int, meeting: int) -> Response:
        cancelled = services.cancel_meeting(request.user, team, meeting)
        return self.respond(s.MeetingSerializer, cancelled)


class MeetingCalendarView(CalendarDownloadView):
    @extend_schema(
        operation_id="v1_teams_schedule_meetings_ics_retrieve",
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, team: int, meeting: int) -> HttpResponse:
        calendar = services.meeting_ics(request.user, team, meeting, uid_domain(request))
        return calendar_response(calendar)


class FeedView(TeamScopedView):
    def _answer(self, request: Request, team: int, feed: Any, code: int = 200) -> Response:
        url = None
        if feed is not None:
            path = reverse(
                "teammoa_schedule:calendar_feed", kwargs={"team": team, "token": feed.token}
            )
            url = request.build_absolute_uri(path)
        response = Response(s.feed_payload(feed, url), status=code)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(responses=s.FeedSerializer)
    def get(self, request: Request, team: int) -> Response:
        return self._answer(request, team, services.my_feed(request.user, team))

    @extend_schema(request=None, responses=s.FeedSerializer)
    def post(self, request: Request, team: int) -> Response:
        return self._answer(request, team, services.renew_feed(request.user, team))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, team: int) -> Response:
        services.revoke_feed(request.user, team)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleSettingsView(TeamScopedView):
    parser_classes = [JSONParser]
    host_methods = frozenset({"PUT"})

    @extend_schema(responses=s.ScheduleSettingsSerializer)
    def get(self, request: Request, team: int) -> Response:
        return Response(s.settings_payload(services.schedule_settings(request.user, team)))

    @extend_schema(request=s.ScheduleSettingsSerializer, responses=s.ScheduleSettingsSerializer)
    def put(self, request: Request, team: int) -> Response:
        setting = services.save_schedule_settings(request.user, team, request.data)
        return Response(s.settings_payload(setting))
