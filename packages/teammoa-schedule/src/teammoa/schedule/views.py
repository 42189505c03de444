"""The schedule page: my week grid, the team heatmap and the best slots.

Server-rendered so it works without JavaScript; ``schedule.js`` then adds painting,
saving, week navigation and live updates through the API.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from teammoa.core.errors import Invalid
from teammoa.core.models import Membership
from teammoa.core.views import team_page
from teammoa.schedule import clock, services
from teammoa.schedule.api.meetings_serializers import MeetingSerializer
from teammoa.schedule.api.serializers import availability_payload, week_payload
from teammoa.schedule.conf import conf
from teammoa.schedule.dates import WEEKDAYS, date_label, week_label
from teammoa.schedule.hours import HOURS_PER_DAY
from teammoa.schedule.weeks import IsoWeek, first_week, last_week, parse_week


def _api_url(name: str, team_id: int) -> str:
    """An API URL, or "" when the host did not mount the schedule API."""
    try:
        return reverse(f"teammoa_schedule_api:{name}", kwargs={"team": team_id})
    except NoReverseMatch:
        return ""


def _my_grid(week: dict[str, Any], dates: list[Any]) -> list[dict[str, Any]]:
    """Rows of hours, one cell per day, each with its state (free / if_needed / busy)."""
    rows = []
    for hour in range(HOURS_PER_DAY):
        cells = []
        for date, day in zip(dates, week["days"], strict=True):
            state = (
                "free"
                if hour in day["available"]
                else "if_needed"
                if hour in day["if_needed"]
                else "busy"
            )
            cells.append({"date": day["date"], "day": date, "state": state})
        rows.append({"hour": hour, "cells": cells})
    return rows


MORE_MEETINGS = 5


def _heat_grid(availability: dict[str, Any], dates: list[Any]) -> list[dict[str, Any]]:
    names = {member["id"]: member["name"] for member in availability["members"]}
    total = max(availability["member_count"], 1)
    rows = []
    for hour in range(HOURS_PER_DAY):
        cells = []
        for date, day in zip(dates, availability["days"], strict=True):
            who = day["who"][str(hour)]
            can_come = {*who["free"], *who["if_needed"]}
            cells.append(
                {
                    "date": day["date"],
                    "day": date,
                    "free": day["free"][hour],
                    "if_needed": day["if_needed"][hour],
                    "level": round(day["free"][hour] / total, 3),
                    "strong": day["free"][hour] / total > 0.55,
                    "free_names": ", ".join(names[m] for m in who["free"]),
                    "if_needed_names": ", ".join(names[m] for m in who["if_needed"]),
                    "busy_names": ", ".join(
                        member["name"]
                        for member in availability["members"]
                        if member["id"] not in can_come
                    ),
                }
            )
        rows.append({"hour": hour, "cells": cells})
    return rows


def legend_steps(total: int, steps: int = 5) -> list[dict[str, Any]]:
    """Counts shown in the heatmap's legend: all of them for small teams, else a few."""
    total = max(total, 1)
    counts = sorted({round(index * total / steps) for index in range(steps + 1)})
    return [{"count": count, "level": round(count / total, 3)} for count in counts]


@team_page()
@require_safe
def schedule_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team_id
    team_obj = membership.team
    errors: dict[str, list[str]] = {}
    this_week = IsoWeek.of(team_obj.today())
    week = this_week
    if request.GET.get("week"):
        try:
            week = parse_week(request.GET["week"])
        except Invalid as exc:
            errors.update(exc.errors)
    try:
        availability = services.team_availability(
            request.user,
            team,
            str(week),
            min_members=request.GET.get("min"),
            length=request.GET.get("length"),
            required=request.GET.getlist("required") or None,
        )
    except Invalid as exc:
        errors.update(exc.errors)
        availability = services.team_availability(request.user, team, str(week))
    mine = week_payload(services.week_of_member(membership, week))
    heat = availability_payload(availability)
    shown = services.shown_hours(team_obj, availability.days)
    week_meetings = list(services.meetings_of(request.user, team, week=str(week)))
    upcoming = [
        meeting
        for meeting in services.meetings_of(request.user, team, upcoming="1")[:MORE_MEETINGS]
        if meeting not in week_meetings
    ]
    feed = services.my_feed(request.user, team)
    feed_url = (
        request.build_absolute_uri(
            reverse("teammoa_schedule:calendar_feed", kwargs={"team": team, "token": feed.token})
        )
        if feed is not None
        else ""
    )
    config = {
        "team": team_obj.pk,
        "member": membership.pk,
        "timezone": team_obj.timezone,
        "week": str(week),
        "thisWeek": str(this_week),
        "weeks": {"first": str(first_week()), "last": str(last_week())},
        "workingHours": list(conf.WORKING_HOURS),
        "urls": {
            name: _api_url(name, team_obj.pk)
            for name in (
                "my_week",
                "my_usual_week",
                "availability",
                "slot_ics",
                "import",
                "meetings",
                "feed",
                "settings",
            )
        },
        "hours": {"first": shown.first_hour, "last": shown.last_hour, "default": shown.is_default},
        "isHost": membership.is_host,
        "today": team_obj.today().isoformat(),
    }
    context = {
        "team": team_obj,
        "membership": membership,
        "active_tab": "schedule",
        "week": week,
        # No link past the weeks people may pick (core's date bounds): it would be a 400.
        "previous_week": week.shifted(-1) if week > first_week() else None,
        "next_week": week.shifted(1) if week < last_week() else None,
        "dates": week.dates(),
        "days": [
            {"date": day, "weekday": WEEKDAYS[day.weekday()], "label": date_label(day)}
            for day in week.dates()
        ],
        "week_label": week_label(week.monday, week.sunday, team_obj.today()),
        "hours": range(HOURS_PER_DAY),
        "shown": shown,
        "hour_choices": range(HOURS_PER_DAY + 1),
        "first_cell_hour": 9 if 9 in shown.hours else shown.first_hour,
        "week_meetings": [_meeting_for_display(m) for m in week_meetings],
        "upcoming_meetings": [_meeting_for_display(m) for m in upcoming],
        "feed_url": feed_url,
        "meetings_data": [MeetingSerializer(m).data for m in [*week_meetings, *upcoming]],
        "my_grid": _my_grid(mine, week.dates()),
        "heat_grid": _heat_grid(heat, week.dates()),
        "availability": heat,
        "best_slots": _slots_for_display(heat),
        # Slots never start in the past: a week that is over has none to suggest.
        "week_over": week.sunday < timezone.localtime(clock.now(), team_obj.zone).date(),
        "schedule_config": config,
        "my_week": mine,
        "errors": errors,
        "min_value": request.GET.get("min", ""),
        "length_value": heat["length"],
        "required_ids": set(heat["required"]),
        "legend": legend_steps(heat["member_count"]),
        "any_from_usual": any(day["from_usual"] for day in mine["days"]),
    }
    # The page still shows (this week, the alert naming the bad parameter) but says 400,
    # as the API does for the same input.
    return render(request, "teammoa_schedule/schedule.html", context, status=400 if errors else 200)


def _meeting_for_display(meeting: Any) -> dict[str, Any]:
    zone = meeting.team.zone
    start = timezone.localtime(meeting.starts_at, zone)
    return {
        "meeting": meeting,
        "start": start,
        "data": MeetingSerializer(meeting).data,
    }


def _slots_for_display(heat: dict[str, Any]) -> list[dict[str, Any]]:
    names = {member["id"]: member["name"] for member in heat["members"]}
    return [
        {
            **slot,
            "day": datetime.date.fromisoformat(slot["date"]),
            "free_names": [names[m] for m in slot["free"]],
            "if_needed_names": [names[m] for m in slot["if_needed"]],
            "count": len(slot["free"]) + len(slot["if_needed"]),
        }
        for slot in heat["best_slots"]
    ]
