"""iCalendar in and out (RFC 5545, with the ``icalendar`` library), as pure functions.

Export: one slot as a VEVENT whose times carry the team's TZID, with the VTIMEZONE that
defines it. Import: the busy times of an uploaded calendar (events, recurring ones
expanded within bounds, and VFREEBUSY periods) turned into busy hours of a week in the
team's timezone, and merged into what the member painted.
"""

from __future__ import annotations

import bisect
import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import icalendar
import recurring_ical_events

from teammoa.schedule.expansion import ImportLimits, LimitExceeded, plan_calendar, time_budget
from teammoa.schedule.hours import HOURS_PER_DAY, DayHours

UTC = datetime.UTC
PRODID = "-//TeamMoa//Schedule//EN"


class NotICalendar(ValueError):
    """The bytes are not an iCalendar (VCALENDAR) stream, or cannot be read as one."""


# --- export --------------------------------------------------------------------------------


def local_datetime(day: datetime.date, hour: int, zone: datetime.tzinfo) -> datetime.datetime:
    """``hour`` o'clock on ``day`` in ``zone``; hour 24 is midnight of the next day."""
    day = day + datetime.timedelta(days=hour // HOURS_PER_DAY)
    return datetime.datetime.combine(day, datetime.time(hour % HOURS_PER_DAY), tzinfo=zone)


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: timed (aware datetimes, written in the calendar's zone) or all-day
    (dates; ``end`` exclusive)."""

    uid: str
    summary: str
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    status: str = ""  # CONFIRMED, CANCELLED or none
    updated: datetime.datetime | None = None


def events_calendar(
    events: Sequence[CalendarEvent],
    *,
    zone: zoneinfo.ZoneInfo,
    name: str = "",
    feed: bool = False,
    now: datetime.datetime | None = None,
) -> bytes:
    """A VCALENDAR of ``events`` whose times carry ``zone``'s TZID, with the VTIMEZONE
    that defines it. ``feed``: a subscription (name, timezone and refresh hints)."""
    stamp = (now or datetime.datetime.now(UTC)).astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    if feed:
        calendar.add("x-wr-timezone", zone.key)
        calendar.add(
            "refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"}
        )
        calendar.add("x-published-ttl", datetime.timedelta(hours=1))
    years = []
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        for key, value in (("dtstart", item.start), ("dtend", item.end)):
            if isinstance(value, datetime.datetime):
                value = value.astimezone(zone)
                years.append(value.year)
            event.add(key, value)
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        if item.updated is not None:
            event.add("last-modified", item.updated.astimezone(UTC))
        if item.sequence:
            event.add("sequence", item.sequence)
        if item.status:
            event.add("status", item.status)
        calendar.add_component(event)
    if years:
        # A VTIMEZONE covering the events' years and their neighbours keeps the file small.
        calendar.add_missing_timezones(
            first_date=datetime.date(min(years) - 1, 1, 1),
            last_date=datetime.date(max(years) + 2, 1, 1),
        )
    return calendar.to_ical()


def slot_calendar(
    *,
    day: datetime.date,
    start: int,
    end: int,
    zone: zoneinfo.ZoneInfo,
    summary: str,
    uid: str,
    description: str = "",
    now: datetime.datetime | None = None,
) -> bytes:
    """A VCALENDAR holding one event from ``start`` to ``end`` o'clock in ``zone``."""
    event = CalendarEvent(
        uid=uid,
        summary=summary,
        start=local_datetime(day, start, zone),
        end=local_datetime(day, end, zone),
        description=description,
    )
    return events_calendar([event], zone=zone, now=now)


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusyTime:
    start: datetime.datetime  # aware
    end: datetime.datetime  # aware, exclusive
    tentative: bool = False


def read_calendar(data: bytes) -> icalendar.Calendar:
    """Parse ``data`` as one VCALENDAR or raise :class:`NotICalendar`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise NotICalendar("the file does not start with BEGIN:VCALENDAR")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # the parser's errors vary by input; any of them means "not .ics"
        raise NotICalendar(str(exc)) from exc
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise NotICalendar("the file is not a VCALENDAR")
    return calendar


def _aware(value: Any, zone: datetime.tzinfo) -> datetime.datetime:
    """Dates become local midnight; floating times are read in the team's timezone."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _event_busy(event: Any, zone: datetime.tzinfo) -> BusyTime | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if "DTSTART" not in event:
        return None
    raw_start = event.decoded("DTSTART")
    start = _aware(raw_start, zone)
    if "DTEND" in event:
        end = _aware(event.decoded("DTEND"), zone)
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    elif isinstance(raw_start, datetime.datetime):
        end = start  # an instant: blocks no hour
    else:
        end = _aware(raw_start + datetime.timedelta(days=1), zone)
    tentative = str(event.get("STATUS", "")).upper() == "TENTATIVE"
    return BusyTime(start, end, tentative) if end > start else None


def _freebusy_periods(component: Any) -> Iterable[BusyTime]:
    values = component.get("FREEBUSY")
    if values is None:
        return
    for value in values if isinstance(values, list) else [values]:
        kind = str(value.params.get("FBTYPE", "BUSY")).upper()
        if kind == "FREE":
            continue
        start, end = value.start, value.end
        if start.tzinfo is None:  # FREEBUSY is UTC by definition
            start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
        if end > start:
            yield BusyTime(start, end, kind == "BUSY-TENTATIVE")


def busy_times(
    calendar: icalendar.Calendar,
    zone: datetime.tzinfo,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    limits: ImportLimits,
) -> list[BusyTime]:
    """Busy and tentative times overlapping the window (recurrences expanded).

    The expansion is bounded (:mod:`teammoa.schedule.expansion`): recurring events are
    rebased next to the window, their occurrences counted against ``limits`` and the whole
    expansion runs under a time budget; past a bound this raises ``LimitExceeded``.
    """
    try:
        with time_budget(limits.time_budget):
            plan_calendar(calendar, zone, window_start, window_end, limits)
            events = recurring_ical_events.of(calendar).between(window_start, window_end)
            found = [busy for event in events if (busy := _event_busy(event, zone))]
            for component in calendar.walk("VFREEBUSY"):
                found.extend(_freebusy_periods(component))
    except (NotICalendar, LimitExceeded):
        raise
    except Exception as exc:  # malformed RRULEs, periods and dates: the file is unreadable
        raise NotICalendar(str(exc)) from exc
    if len(found) > limits.total:  # VFREEBUSY periods are not recurrences but count too
        raise LimitExceeded("total", limits.total)
    return [busy for busy in found if busy.start < window_end and busy.end > window_start]


def hour_span(
    day: datetime.date, hour: int, zone: datetime.tzinfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants one grid cell covers. On a DST change the cell stretches or shrinks:
    the repeated hour covers both occurrences, the skipped hour covers nothing."""
    start = local_datetime(day, hour, zone).astimezone(UTC)
    end = local_datetime(day, hour + 1, zone).astimezone(UTC)
    return start, max(start, end)


def busy_hours(
    busy: Sequence[BusyTime], dates: Sequence[datetime.date], zone: datetime.tzinfo
) -> dict[datetime.date, tuple[set[int], set[int]]]:
    """For each date, the hours touched by a busy time and by a tentative one.

    Each busy time is compared with the week's 168 cells through a sorted list of cell
    boundaries, so a file's many occurrences cost ``O(n log 168)``, not ``O(168 n)``."""
    cells = [
        (start, end, day, hour)
        for day in dates
        for hour in range(HOURS_PER_DAY)
        for start, end in [hour_span(day, hour, zone)]
        if start < end  # the hour the clocks skip holds no time at all
    ]
    cells.sort()
    starts = [cell[0] for cell in cells]
    hard: dict[datetime.date, set[int]] = {day: set() for day in dates}
    maybe: dict[datetime.date, set[int]] = {day: set() for day in dates}
    for item in busy:
        # The first cell that may overlap: the last one starting at or before item.start.
        index = max(bisect.bisect_right(starts, item.start) - 1, 0)
        while index < len(cells) and cells[index][0] < item.end:
            _start, end, day, hour = cells[index]
            if end > item.start:
                (maybe if item.tentative else hard)[day].add(hour)
            index += 1
    return {day: (hard[day], maybe[day] - hard[day]) for day in dates}


def merge_busy(
    current: dict[datetime.date, DayHours],
    busy: dict[datetime.date, tuple[set[int], set[int]]],
) -> dict[datetime.date, DayHours]:
    """A calendar merged into painted hours (SPEC section 9): a busy event makes its hours
    unavailable, a tentative one turns free hours into "if needed"; nothing becomes more
    available than it was, and hours outside events keep what was painted."""
    merged: dict[datetime.date, DayHours] = {}
    for day, hours in current.items():
        hard, maybe = busy.get(day, (set(), set()))
        free = set(hours.available) - hard
        if_needed = (set(hours.if_needed) - hard) | (free & maybe)
        free -= maybe
        merged[day] = DayHours(tuple(sorted(free)), tuple(sorted(if_needed)))
    return merged
