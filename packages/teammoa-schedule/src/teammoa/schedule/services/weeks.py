"""A member's own week and usual week: reading them and replacing them atomically."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid, NotFound
from teammoa.core.events import publish_team_event
from teammoa.core.models import Membership
from teammoa.core.services import membership_of
from teammoa.core.users import Actor
from teammoa.schedule.availability import resolve_day
from teammoa.schedule.hours import DayHours, clean_day_hours
from teammoa.schedule.models import DayAvailability, UsualDay
from teammoa.schedule.weeks import DAYS_PER_WEEK, IsoWeek, parse_date, parse_week

WEEKDAYS = range(1, DAYS_PER_WEEK + 1)  # ISO: 1 = Monday … 7 = Sunday


@dataclass(frozen=True)
class ScheduleDay:
    date: datetime.date
    hours: DayHours
    from_usual: bool = False


@dataclass(frozen=True)
class WeekSchedule:
    week: IsoWeek
    days: tuple[ScheduleDay, ...]


@dataclass(frozen=True)
class UsualWeek:
    days: tuple[DayHours, ...]  # seven entries, Monday first


# --- reading -------------------------------------------------------------------------------


def week_of_member(membership: Membership, week: IsoWeek) -> WeekSchedule:
    """The member's seven days; unpainted days come from the usual week (two queries)."""
    painted = {
        row.date: row.hours
        for row in DayAvailability.objects.filter(
            membership=membership, date__range=(week.monday, week.sunday)
        )
    }
    usual = {row.weekday: row.hours for row in UsualDay.objects.filter(membership=membership)}
    days = []
    for day in week.dates():
        hours, from_usual = resolve_day(painted.get(day), usual.get(day.isoweekday()))
        days.append(ScheduleDay(day, hours, from_usual))
    return WeekSchedule(week, tuple(days))


def my_week(user: Actor, team_id: Any, week: Any) -> WeekSchedule:
    membership = membership_of(user, team_id)
    return week_of_member(membership, parse_week(week))


def usual_week_of_member(membership: Membership) -> UsualWeek:
    rows = {row.weekday: row.hours for row in UsualDay.objects.filter(membership=membership)}
    return UsualWeek(tuple(rows.get(weekday, DayHours()) for weekday in WEEKDAYS))


def my_usual_week(user: Actor, team_id: Any) -> UsualWeek:
    return usual_week_of_member(membership_of(user, team_id))


# --- validating ------------------------------------------------------------------------------


def _days_list(data: Any, errors: dict[str, list[str]]) -> list[Any]:
    if not isinstance(data, dict):
        errors["non_field_errors"] = [_("Expected a JSON object with a “days” list.")]
        return []
    if "days" not in data:
        errors["days"] = [_("This field is required (a list; days left out become empty).")]
        return []
    if not isinstance(data["days"], list):
        errors["days"] = [_("Expected a list of days.")]
        return []
    if len(data["days"]) > DAYS_PER_WEEK:
        errors["days"] = [_("A week has at most 7 days.")]
        return []
    return data["days"]


def clean_week(data: Any, week: IsoWeek) -> dict[datetime.date, DayHours]:
    """The body of a week PUT → hours for all seven dates (left-out days empty)."""
    errors: dict[str, list[str]] = {}
    cleaned = {day: DayHours() for day in week.dates()}
    seen: set[datetime.date] = set()
    for index, item in enumerate(_days_list(data, errors)):
        prefix = f"days[{index}]."
        if not isinstance(item, dict):
            errors[f"days[{index}]"] = [_("Expected an object with date, available, if_needed.")]
            continue
        try:
            day = parse_date(item.get("date"), f"{prefix}date")
        except Invalid as exc:
            errors.update(exc.errors)
            continue
        if day not in cleaned:
            errors[f"{prefix}date"] = [
                _("%(date)s is not in the week %(week)s (%(monday)s to %(sunday)s).")
                % {"date": day, "week": week, "monday": week.monday, "sunday": week.sunday}
            ]
            continue
        if day in seen:
            errors[f"{prefix}date"] = [_("%(date)s appears twice.") % {"date": day}]
            continue
        seen.add(day)
        cleaned[day] = clean_day_hours(item.get("available"), item.get("if_needed"), prefix, errors)
    if errors:
        raise Invalid(errors)
    return cleaned


def clean_usual_week(data: Any) -> dict[int, DayHours]:
    """The body of a usual-week PUT: ``{"days": [{"weekday": 1..7, ...}]}``."""
    errors: dict[str, list[str]] = {}
    cleaned = {weekday: DayHours() for weekday in WEEKDAYS}
    seen: set[int] = set()
    for index, item in enumerate(_days_list(data, errors)):
        prefix = f"days[{index}]."
        if not isinstance(item, dict):
            errors[f"days[{index}]"] = [_("Expected an object with weekday, available, if_needed.")]
            continue
        weekday = item.get("weekday")
        if type(weekday) is not int or weekday not in WEEKDAYS:
            errors[f"{prefix}weekday"] = [
                _("Expected an ISO weekday: a whole number from 1 (Monday) to 7 (Sunday).")
            ]
            continue
        if weekday in seen:
            errors[f"{prefix}weekday"] = [_("Weekday %(weekday)s appears twice.") % item]
            continue
        seen.add(weekday)
        cleaned[weekday] = clean_day_hours(
            item.get("available"), item.get("if_needed"), prefix, errors
        )
    if errors:
        raise Invalid(errors)
    return cleaned


# --- writing -------------------------------------------------------------------------------


def lock_member(membership: Membership) -> None:
    """Serialise one member's writes (and notice a member removed meanwhile)."""
    if not Membership.objects.select_for_update().filter(pk=membership.pk).exists():
        raise NotFound(_("Team not found."))


def _upsert(
    model: type[DayAvailability] | type[UsualDay],
    membership: Membership,
    key: str,
    rows: dict[Any, DayHours],
) -> None:
    """Insert or overwrite one row per key in a single statement."""
    objects: list[Any] = [  # rows of ``model``, whichever of the two it is
        model(
            membership=membership,
            **{key: value},
            available_hours=list(hours.available),
            if_needed_hours=list(hours.if_needed),
        )
        for value, hours in rows.items()
    ]
    options: dict[str, Any] = {}
    if connection.features.supports_update_conflicts_with_target:
        options["unique_fields"] = ["membership", key]
    model.objects.bulk_create(
        objects,
        update_conflicts=True,
        update_fields=["available_hours", "if_needed_hours", "updated_at"],
        **options,
    )


def write_week(membership: Membership, days: dict[datetime.date, DayHours]) -> None:
    """Replace the member's week: every date of it gets a row (an empty one is busy)."""
    with transaction.atomic():
        lock_member(membership)
        _upsert(DayAvailability, membership, "date", days)
        # Every page of the team showing this week refetches it (after the commit).
        week = str(IsoWeek.of(min(days))) if days else None
        if week is not None:
            publish_team_event(
                membership.team_id, "schedule.week_saved", by=membership.user_id, week=week
            )


def save_my_week(user: Actor, team_id: Any, data: Any, week: Any = None) -> WeekSchedule:
    """Replace the user's whole week; nothing is saved unless all of it is valid.

    The week comes from the URL (``week``) or the body's ``"week"``; both must agree.
    """
    membership = membership_of(user, team_id)
    body_week = data.get("week") if isinstance(data, dict) else None
    chosen = parse_week(week if week not in (None, "") else body_week)
    if body_week not in (None, "") and parse_week(body_week) != chosen:
        raise Invalid.field(
            "week",
            _("The body's week %(body)s differs from the URL's %(url)s.")
            % {"body": body_week, "url": chosen},
        )
    days = clean_week(data, chosen)
    write_week(membership, days)
    return week_of_member(membership, chosen)


def save_my_usual_week(user: Actor, team_id: Any, data: Any) -> UsualWeek:
    """Replace the user's usual week (weekdays left out become empty)."""
    membership = membership_of(user, team_id)
    days = clean_usual_week(data)
    with transaction.atomic():
        lock_member(membership)
        if all(hours.is_empty for hours in days.values()):
            # An empty usual week is no usual week: unpainted days stay plainly empty.
            UsualDay.objects.filter(membership=membership).delete()
        else:
            _upsert(UsualDay, membership, "weekday", days)
        # It fills every week the member has not painted: those pages refetch too.
        publish_team_event(membership.team_id, "schedule.usual_week_saved", by=membership.user_id)
    return usual_week_of_member(membership)
