"""iCalendar rules: export a slot of the team's week, import busy times into my week."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid
from teammoa.core.services import membership_of
from teammoa.schedule import ical
from teammoa.schedule.conf import conf
from teammoa.schedule.hours import HOURS_PER_DAY
from teammoa.schedule.params import parse_bool, parse_int
from teammoa.schedule.services.team import load_team_week
from teammoa.schedule.services.weeks import WeekSchedule, week_of_member, write_week
from teammoa.schedule.weeks import IsoWeek, parse_date, parse_week


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes


def slot_ics(
    user: Any, team_id: Any, date: Any, start: Any, end: Any, uid_domain: str = "teammoa"
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
    free, maybe = [], []
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


def import_ics(
    user: Any,
    team_id: Any,
    week: Any,
    upload: Any,
    from_hour: Any = None,
    to_hour: Any = None,
    weekend: Any = None,
) -> WeekSchedule:
    """Replace my week from a calendar: within the working hours (``from``–``to``, on
    weekdays unless ``weekend``), busy events make hours busy, tentative ones make them
    "if needed", and the rest become available. Nothing is saved if the file is bad."""
    membership = membership_of(user, team_id)
    iso_week = parse_week(week)
    default_from, default_to = conf.WORKING_HOURS
    first = parse_int(from_hour, "from", 0, HOURS_PER_DAY - 1, default=default_from)
    last = parse_int(to_hour, "to", 1, HOURS_PER_DAY, default=default_to)
    if last <= first:
        raise Invalid.field("to", _("“to” must be after “from”."))
    with_weekend = parse_bool(weekend, "weekend")
    data = _read_upload(upload)
    zone = membership.team.zone
    window_start = ical.local_datetime(iso_week.monday, 0, zone)
    window_end = ical.local_datetime(iso_week.sunday + datetime.timedelta(days=1), 0, zone)
    try:
        calendar = ical.read_calendar(data)
        busy = ical.busy_times(calendar, zone, window_start, window_end)
    except ical.NotICalendar:
        raise Invalid.field(
            "file", _("This is not an iCalendar (.ics) file, or it cannot be read.")
        ) from None
    dates = iso_week.dates()
    days = ical.fill_from_busy(dates, ical.busy_hours(busy, dates, zone), first, last, with_weekend)
    write_week(membership, days)
    return week_of_member(membership, iso_week)
