"""iCalendar rules: export a slot of the team's week, import busy times into my week."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid, shown_value
from teammoa.core.services import membership_of
from teammoa.core.users import Actor
from teammoa.schedule import ical
from teammoa.schedule.conf import conf
from teammoa.schedule.hours import HOURS_PER_DAY, DayHours
from teammoa.schedule.params import parse_bool, parse_int
from teammoa.schedule.services.team import load_team_week
from teammoa.schedule.services.weeks import (
    ScheduleDay,
    WeekSchedule,
    lock_member,
    week_of_member,
    write_week,
)
from teammoa.schedule.weeks import IsoWeek, parse_date, parse_week


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes


def slot_ics(
    user: Actor, team_id: Any, date: Any, start: Any, end: Any, uid_domain: str = "teammoa"
) -> CalendarFile:
    """The slot ``start``–``end`` o'clock (end exclusive, 24 = midnight) on ``date`` as an
    .ics event in the team's timezone; its description names who can come."""
    membership = membership_of(user, team_id)
    day = parse_date(date, "date")
    first = parse_int(start, "start", 0, HOURS_PER_DAY - 1)
    last = parse_int(end, "end", 1, HOURS_PER_DAY)
    if last <= first:
        raise Invalid.field("end", _("The end must be after the start."))
    team = membership.team
    data = load_team_week(team, IsoWeek.of(day))
    names = {member.id: member.name for member in data.members}
    day_hours = data.hours[day]
    free: list[str] = []  # names
    maybe: list[str] = []
    for member in data.member_ids:
        hours = day_hours[member]
        can = set(hours.available) | set(hours.if_needed)
        if all(hour in can for hour in range(first, last)):
            fully_free = all(hour in hours.available for hour in range(first, last))
            (free if fully_free else maybe).append(names[member])
    lines = []
    if free:
        lines.append(_("Free: %(names)s") % {"names": ", ".join(free)})
    if maybe:
        lines.append(_("If needed: %(names)s") % {"names": ", ".join(maybe)})
    content = ical.slot_calendar(
        day=day,
        start=first,
        end=last,
        zone=team.zone,
        summary=_("%(team)s meeting") % {"team": team.title},
        uid=f"teammoa-schedule-{team.pk}-{day:%Y%m%d}-{first:02d}-{last:02d}@{uid_domain}",
        description="\n".join(lines),
    )
    return CalendarFile(f"teammoa-{team.pk}-{day:%Y-%m-%d}-{first:02d}00.ics", content)


def _read_upload(upload: Any) -> bytes:
    if upload is None:
        raise Invalid.field("file", _("Choose an .ics file to import."))
    limit = conf.IMPORT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise Invalid.field(
            "file", _("The file is too large (at most %(n)s bytes).") % {"n": limit}
        )
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > limit:
        raise Invalid.field(
            "file", _("The file is too large (at most %(n)s bytes).") % {"n": limit}
        )
    return data


@dataclass(frozen=True)
class DayChange:
    """Hours an import changes on one day: made busy, and made "if needed"."""

    date: datetime.date
    busy: tuple[int, ...]
    if_needed: tuple[int, ...]


@dataclass(frozen=True)
class CalendarImport:
    """The week after the merge (saved unless ``preview``) and what the merge changed."""

    week: WeekSchedule
    changes: tuple[DayChange, ...]
    preview: bool


def import_limits() -> ical.ImportLimits:
    return ical.ImportLimits(
        max_events=conf.IMPORT_MAX_EVENTS,
        per_event=conf.IMPORT_MAX_OCCURRENCES_PER_EVENT,
        total=conf.IMPORT_MAX_OCCURRENCES,
        time_budget=conf.IMPORT_TIME_BUDGET,
    )


def _limit_message(exc: ical.LimitExceeded) -> str:
    """What the person is told: which bound their file passed, and by how much it may go."""
    if exc.limit == "events":
        return _("The file holds more than %(n)s events; export only the weeks you need.") % {
            "n": exc.value
        }
    if exc.limit == "per_event":
        return _(
            "An event repeats too often: more than %(n)s times around the imported week "
            "(%(event)s). Remove it or export a shorter range."
        ) % {"n": exc.value, "event": shown_value(exc.summary or "?", 60)}
    if exc.limit == "total":
        return _(
            "The file has more than %(n)s events and repetitions around the imported week; "
            "export only the weeks you need."
        ) % {"n": exc.value}
    return _(
        "Reading this calendar took longer than %(n)s seconds, so it was stopped; its "
        "repeating events are too complex. Export a simpler calendar."
    ) % {"n": exc.value}


def _changes(before: WeekSchedule, after: dict[datetime.date, DayHours]) -> tuple[DayChange, ...]:
    changes = []
    for day in before.days:
        old, new = day.hours, after[day.date]
        was = set(old.available) | set(old.if_needed)
        busy = tuple(sorted(was - set(new.available) - set(new.if_needed)))
        maybe = tuple(sorted(set(new.if_needed) - set(old.if_needed)))
        if busy or maybe:
            changes.append(DayChange(day.date, busy, maybe))
    return tuple(changes)


def import_ics(
    user: Actor,
    team_id: Any,
    week: Any,
    upload: Any,
    preview: Any = None,
) -> CalendarImport:
    """Merge a calendar into my week (SPEC section 9): hours of busy events become busy,
    hours of tentative ones turn from free to "if needed"; nothing is made available and
    hours outside events keep what was painted (or what the usual week filled). With
    ``preview`` nothing is saved. A bad file, or one past the import's bounds, is
    ``Invalid`` on ``file`` and nothing is saved."""
    membership = membership_of(user, team_id)
    iso_week = parse_week(week)
    dry_run = parse_bool(preview, "preview")
    data = _read_upload(upload)
    zone = membership.team.zone
    window_start = ical.local_datetime(iso_week.monday, 0, zone)
    window_end = ical.local_datetime(iso_week.sunday + datetime.timedelta(days=1), 0, zone)
    try:
        calendar = ical.read_calendar(data)
        busy = ical.busy_times(calendar, zone, window_start, window_end, import_limits())
    except ical.NotICalendar:
        raise Invalid.field(
            "file", _("This is not an iCalendar (.ics) file, or it cannot be read.")
        ) from None
    except ical.LimitExceeded as exc:
        raise Invalid.field("file", _limit_message(exc)) from None
    hours = ical.busy_hours(busy, iso_week.dates(), zone)
    with transaction.atomic():
        # Read and write under the member's lock: a week painted meanwhile is merged
        # into, never overwritten with what was read before.
        lock_member(membership)
        before = week_of_member(membership, iso_week)
        merged = ical.merge_busy({day.date: day.hours for day in before.days}, hours)
        if not dry_run:
            write_week(membership, merged)
    changes = _changes(before, merged)
    if dry_run:
        days = tuple(ScheduleDay(day, merged[day]) for day in iso_week.dates())
        return CalendarImport(WeekSchedule(iso_week, days), changes, preview=True)
    return CalendarImport(week_of_member(membership, iso_week), changes, preview=False)
