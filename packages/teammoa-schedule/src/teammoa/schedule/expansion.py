"""Bounded expansion of an uploaded calendar's recurring events (issue 9, item 1).

A 169-byte .ics with ``RRULE:FREQ=SECONDLY`` made the recurrence library count every
second from DTSTART to the imported week (seconds of CPU per event); starting on the
week's Monday it expands to 604,800 occurrences (~45 s, ~1.3 GiB). An import may only
ever cost a bounded amount of work, so before anything is expanded:

- each recurring event's DTSTART is moved forward by whole periods of its rule to just
  before the imported week (the set of occurrences in the week is unchanged: only
  occurrences long before it are skipped), so only the week's window is expanded;
- each rule's occurrences up to the end of the week are counted, stopping at the cap:
  an event past ``per_event``, or a file past ``total``, is refused;
- a time budget stops anything the bounds cannot see (a rule whose filters never match
  makes ``dateutil`` search day by day until the year 9999 without yielding).

The refusal names the limit (:class:`LimitExceeded`), which the service turns into a 400.
"""

from __future__ import annotations

import datetime
import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import dateutil.rrule
import icalendar

SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 604800}
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ImportLimits:
    max_events: int  # VEVENT and VFREEBUSY components in one file
    per_event: int  # occurrences one recurring event may produce around the week
    total: int  # occurrences one file may produce around the week
    time_budget: float  # seconds of expansion


class LimitExceeded(Exception):
    """The file needs more work than an import may take; ``limit`` says which bound."""

    def __init__(self, limit: str, value: float, summary: str = "") -> None:
        self.limit = limit  # "events", "per_event", "total" or "time"
        self.value = value
        self.summary = summary
        super().__init__(f"{limit} > {value}")


@dataclass
class ExpansionPlan:
    """What the checks found: the occurrences expanding the file will generate."""

    occurrences: int = 0


# --- the time budget ----------------------------------------------------------------------


class TimeBudgetExceeded(BaseException):
    """Raised inside the expansion; a BaseException so that no library's ``except
    Exception`` swallows it (Python unsets the trace function once it has raised)."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`LimitExceeded` ("time") in this thread once ``seconds`` have passed.

    Expansion happens inside ``dateutil``'s pure-Python generators, which no timeout can
    interrupt from outside a worker thread (signals only reach the main thread). A trace
    function sees every Python call and generator resumption of this thread, so it can
    stop the work from inside; it does no per-line tracing, so it costs little.
    """
    deadline = time.monotonic() + seconds

    def trace(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and time.monotonic() > deadline:
            raise TimeBudgetExceeded
        return None

    previous = sys.gettrace()  # a debugger's or coverage's tracer, put back afterwards
    sys.settrace(trace)
    try:
        yield
    except TimeBudgetExceeded:
        raise LimitExceeded("time", seconds) from None
    finally:
        sys.settrace(previous)


# --- the counted bounds -------------------------------------------------------------------


def _as_datetime(value: Any, zone: datetime.tzinfo) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _duration(event: Any, start: Any) -> datetime.timedelta:
    """How long one occurrence lasts (0 when unknown or negative)."""
    try:
        if "DTEND" in event:
            end = event.decoded("DTEND")
            if isinstance(start, datetime.datetime) != isinstance(end, datetime.datetime):
                return DAY
            span = end - start
        elif "DURATION" in event:
            span = event.decoded("DURATION")
        else:
            span = datetime.timedelta() if isinstance(start, datetime.datetime) else DAY
    except (TypeError, ValueError, OverflowError, KeyError):
        return datetime.timedelta()
    return max(span, datetime.timedelta()) if isinstance(span, datetime.timedelta) else DAY


def _shift(event: Any, name: str, shift: datetime.timedelta) -> None:
    """Move DTSTART or DTEND by ``shift`` in wall-clock time, keeping TZID and VALUE."""
    old = event[name]
    new = icalendar.vDDDTypes(old.dt + shift)
    new.params = old.params
    event[name] = new


def _rebase(
    event: Any, rule: Any, first: datetime.datetime, target: datetime.datetime
) -> datetime.datetime:
    """Move a COUNT-less rule's DTSTART forward by whole steps of its rule, to just before
    ``target``. Occurrences of ``FREQ=SECONDLY`` … ``WEEKLY`` lie on a lattice of
    ``INTERVAL`` steps from DTSTART (BY… parts only filter or expand within a step), so a
    whole number of steps keeps every later occurrence, EXDATEs and overrides included."""
    freq = str(_first(rule, "FREQ")).upper()
    step_seconds = SECONDS[freq] * int(_first(rule, "INTERVAL", 1))
    if not isinstance(event.decoded("DTSTART"), datetime.datetime):
        step_seconds = math.lcm(step_seconds, SECONDS["DAILY"])  # all-day: whole days
    step = datetime.timedelta(seconds=step_seconds)
    target -= 2 * step
    if first >= target:
        return first
    shift = step * ((target - first) // step)
    _shift(event, "DTSTART", shift)
    if "DTEND" in event:
        _shift(event, "DTEND", shift)
    return first + shift


def _first(rule: Any, key: str, default: Any = None) -> Any:
    values = rule.get(key)
    if isinstance(values, list):
        return values[0] if values else default
    return default if values is None else values


def _count_occurrences(
    rule: Any, start: Any, zone: datetime.tzinfo, until: datetime.datetime, most: int
) -> int:
    """How many occurrences the rule has from ``start`` up to ``until``: counted, and
    :class:`LimitExceeded` as soon as there are more than ``most``. UNTIL is left out
    (the count stops at ``until`` anyway), which also spares its time-zone quirks."""
    text = icalendar.vRecur({k: v for k, v in rule.items() if k.upper() != "UNTIL"})
    begin = _as_datetime(start, zone)
    end = until.astimezone(begin.tzinfo).replace(tzinfo=None)
    recurrence = dateutil.rrule.rrulestr(
        text.to_ical().decode("ascii"), dtstart=begin.replace(tzinfo=None)
    )
    counted = 0
    for when in recurrence:
        if when > end:
            break
        counted += 1
        if counted > most:
            raise LimitExceeded("per_event", most)
    return counted


def plan_event(
    event: Any,
    zone: datetime.tzinfo,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    limits: ImportLimits,
) -> int:
    """Rebase one VEVENT's recurrence next to the week and count what it will produce.

    Returns the number of occurrences expanding it will generate (before and in the
    week); raises :class:`LimitExceeded` ("per_event") past ``limits.per_event``, and
    ``ValueError`` for a rule no reader could follow (``INTERVAL=0``).
    """
    rules = event.get("RRULE")
    rdates = event.get("RDATE")
    produced = 1 + (len(rdates) if isinstance(rdates, list) else int(rdates is not None))
    if rules is None or "DTSTART" not in event:
        return produced
    rules = rules if isinstance(rules, list) else [rules]
    for rule in rules:
        interval = _first(rule, "INTERVAL", 1)
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise ValueError(f"INTERVAL must be a positive whole number, not {interval!r}")
    start = event.decoded("DTSTART")
    duration = _duration(event, start)
    # Occurrences starting this early can still reach into the week.
    reach = window_start - duration - 2 * DAY
    rule = rules[0]
    freq = str(_first(rule, "FREQ", "")).upper()
    if len(rules) == 1 and freq in SECONDS and _first(rule, "COUNT") is None:
        _rebase(event, rule, _as_datetime(start, zone), reach)
        start = event.decoded("DTSTART")
    for rule in rules:
        produced += _count_occurrences(rule, start, zone, window_end + DAY, limits.per_event)
    return produced


def plan_calendar(
    calendar: Any,
    zone: datetime.tzinfo,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    limits: ImportLimits,
) -> ExpansionPlan:
    """Check (and rebase) every event of ``calendar`` in place, before expansion."""
    events = calendar.walk("VEVENT")
    if len(events) + len(calendar.walk("VFREEBUSY")) > limits.max_events:
        raise LimitExceeded("events", limits.max_events)
    plan = ExpansionPlan()
    for event in events:
        try:
            plan.occurrences += plan_event(event, zone, window_start, window_end, limits)
        except LimitExceeded as exc:
            raise LimitExceeded(exc.limit, exc.value, str(event.get("SUMMARY", ""))) from None
        if plan.occurrences > limits.total:
            raise LimitExceeded("total", limits.total)
    return plan
