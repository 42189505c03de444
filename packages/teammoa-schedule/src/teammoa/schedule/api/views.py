"""Schedule API views: request → service call → response, nothing more.

Domain errors become statuses through core's exception handler, set on the views so the
mapping holds whatever the host's ``REST_FRAMEWORK["EXCEPTION_HANDLER"]`` says.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import BaseParser, FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from teammoa.core.api import TeamScopedView
from teammoa.schedule import services
from teammoa.schedule.api import serializers as s
from teammoa.schedule.api.calendars import CalendarDownloadView, calendar_response, uid_domain

WEEK = OpenApiParameter("week", str, description="ISO week, e.g. 2026-W48", required=True)


class CalendarParser(BaseParser):
    """A raw ``text/calendar`` body (``curl --data-binary @week.ics``)."""

    media_type = "text/calendar"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> bytes:
        return stream.read() if stream is not None else b""


class ScheduleAPIView(TeamScopedView):
    # Core's base: sign-in, 404 for outsiders, core's error handler, no host versioning.
    pass


class MyWeekView(ScheduleAPIView):
    parser_classes = [JSONParser]

    @extend_schema(parameters=[WEEK], responses=s.MyWeekSerializer)
    def get(self, request: Request, team: int) -> Response:
        week = services.my_week(request.user, team, request.query_params.get("week"))
        return Response(s.week_payload(week))

    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="ISO week (or in the body)")],
        request=s.MyWeekSerializer,
        responses=s.MyWeekSerializer,
    )
    def put(self, request: Request, team: int) -> Response:
        week = services.save_my_week(
            request.user, team, request.data, week=request.query_params.get("week")
        )
        return Response(s.week_payload(week))


class MyUsualWeekView(ScheduleAPIView):
    parser_classes = [JSONParser]

    @extend_schema(responses=s.UsualWeekSerializer)
    def get(self, request: Request, team: int) -> Response:
        return Response(s.usual_payload(services.my_usual_week(request.user, team)))

    @extend_schema(request=s.UsualWeekSerializer, responses=s.UsualWeekSerializer)
    def put(self, request: Request, team: int) -> Response:
        usual = services.save_my_usual_week(request.user, team, request.data)
        return Response(s.usual_payload(usual))


class AvailabilityView(ScheduleAPIView):
    @extend_schema(
        parameters=[
            WEEK,
            OpenApiParameter("min", int, description="members who must be able to come"),
            OpenApiParameter("length", int, description="hours, 1–24 (default 1)"),
            OpenApiParameter("required", str, description="member ids, e.g. 3,5"),
        ],
        responses=s.AvailabilitySerializer,
    )
    def get(self, request: Request, team: int) -> Response:
        params = request.query_params
        result = services.team_availability(
            request.user,
            team,
            params.get("week"),
            min_members=params.get("min"),
            length=params.get("length"),
            required=params.getlist("required") or None,
        )
        return Response(s.availability_payload(result))


class SlotCalendarView(CalendarDownloadView):
    @extend_schema(
        operation_id="v1_teams_schedule_slot_ics_retrieve",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
            OpenApiParameter("start", int, required=True, description="hour 0–23"),
            OpenApiParameter("end", int, required=True, description="hour 1–24, exclusive"),
        ],
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, team: int) -> HttpResponse:
        params = request.query_params
        calendar = services.slot_ics(
            request.user,
            team,
            params.get("date"),
            params.get("start"),
            params.get("end"),
            uid_domain=uid_domain(request),
        )
        return calendar_response(calendar)


class ImportCalendarView(ScheduleAPIView):
    parser_classes = [MultiPartParser, FormParser, CalendarParser]

    def _param(self, request: Request, name: str) -> Any:
        value = request.query_params.get(name)
        if value is None and hasattr(request.data, "get"):
            value = request.data.get(name)
        return value

    @extend_schema(
        parameters=[
            WEEK,
            OpenApiParameter(
                "preview", bool, description="return the merged week without saving it"
            ),
        ],
        request={
            "multipart/form-data": s.CalendarImportSerializer,
            "text/calendar": OpenApiTypes.BINARY,
        },
        responses=s.CalendarImportResultSerializer,
    )
    def post(self, request: Request, team: int) -> Response:
        upload = request.data if isinstance(request.data, bytes) else request.FILES.get("file")
        # ``from``, ``to`` and ``weekend`` (v1's working hours to fill) are accepted and
        # ignored: an import merges into the painted week and never fills hours.
        result = services.import_ics(
            request.user,
            team,
            self._param(request, "week"),
            upload,
            preview=self._param(request, "preview"),
        )
        return Response(s.import_payload(result))
