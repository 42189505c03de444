"""A deliberately naive model of team availability and best slots, for property tests."""

from __future__ import annotations

import datetime

from teammoa.schedule.hours import DayHours

Week = dict[datetime.date, dict[int, DayHours]]


def counts(week: Week) -> dict[datetime.date, tuple[list[int], list[int]]]:
    return {
        day: (
            [sum(hour in h.available for h in hours.values()) for hour in range(24)],
            [sum(hour in h.if_needed for h in hours.values()) for hour in range(24)],
        )
        for day, hours in week.items()
    }


def _pair(hours: dict[int, DayHours], start: int, end: int) -> tuple[frozenset, frozenset]:
    span = range(start, end)
    can = frozenset(
        m for m, h in hours.items() if all(x in h.available or x in h.if_needed for x in span)
    )
    free = frozenset(m for m, h in hours.items() if all(x in h.available for x in span))
    return can, free


def slots(week: Week, min_members=None, length=1, required=()) -> tuple[int, list[tuple]]:
    """(threshold used, ranked slots as (date, start, end, free ids, if-needed ids))."""
    found = []
    for day, hours in week.items():
        pairs = {(s, e): _pair(hours, s, e) for s in range(24) for e in range(s + 1, 25)}
        for (s, e), (can, free) in pairs.items():
            if e - s < length or not can or not set(required) <= can:
                continue
            # Left out when a strictly longer run holds the very same people.
            if any(
                pair == (can, free)
                for (s2, e2), pair in pairs.items()
                if s2 <= s and e2 >= e and (s2, e2) != (s, e)
            ):
                continue
            found.append((day, s, e, tuple(sorted(free)), tuple(sorted(can - free))))
    members = len(next(iter(week.values()), {}))
    if min_members is None:
        min_members = max([len(f) + len(m) for _, _, _, f, m in found], default=members)
        min_members = max(min_members, 1)
    kept = [slot for slot in found if len(slot[3]) + len(slot[4]) >= min_members]
    kept.sort(key=lambda s: (-(len(s[3]) + len(s[4])), len(s[4]), -(s[2] - s[1]), s[0], s[1]))
    return min_members, kept
