"""Team availability for a week as pure data: who is free each hour, and the counts.

Nothing here touches the database; ``teammoa.schedule.services`` loads the rows (in a
constant number of queries) and hands them to these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from teammoa.schedule.hours import EMPTY_DAY, HOURS_PER_DAY, DayHours


@dataclass(frozen=True)
class HourMembers:
    """Member ids free, and free if needed, in one hour (each sorted)."""

    free: tuple[int, ...] = ()
    if_needed: tuple[int, ...] = ()


@dataclass(frozen=True)
class DaySummary:
    date: datetime.date
    who: tuple[HourMembers, ...]  # 24 entries, hour 0 first

    @property
    def free(self) -> list[int]:
        return [len(hour.free) for hour in self.who]

    @property
    def if_needed(self) -> list[int]:
        return [len(hour.if_needed) for hour in self.who]


def resolve_day(painted: DayHours | None, usual: DayHours | None) -> tuple[DayHours, bool]:
    """A member's hours on a day: what they painted, else their usual weekday.

    Returns the hours and whether the usual week supplied them.
    """
    if painted is not None:
        return painted, False
    if usual is not None:
        return usual, True
    return EMPTY_DAY, False


def resolve_week(
    dates: Sequence[datetime.date],
    member_ids: Iterable[int],
    painted: Mapping[tuple[int, datetime.date], DayHours],
    usual: Mapping[tuple[int, int], DayHours],
) -> dict[datetime.date, dict[int, DayHours]]:
    """Every member's hours on every date (usual weekdays fill unpainted days)."""
    members = list(member_ids)
    return {
        day: {
            member: resolve_day(painted.get((member, day)), usual.get((member, day.isoweekday())))[
                0
            ]
            for member in members
        }
        for day in dates
    }


def summarize_day(day: datetime.date, hours: Mapping[int, DayHours]) -> DaySummary:
    free: list[list[int]] = [[] for _ in range(HOURS_PER_DAY)]
    maybe: list[list[int]] = [[] for _ in range(HOURS_PER_DAY)]
    for member in sorted(hours):
        for hour in hours[member].available:
            free[hour].append(member)
        for hour in hours[member].if_needed:
            maybe[hour].append(member)
    return DaySummary(
        day, tuple(HourMembers(tuple(f), tuple(m)) for f, m in zip(free, maybe, strict=True))
    )


def summarize_week(
    week_hours: Mapping[datetime.date, Mapping[int, DayHours]],
) -> list[DaySummary]:
    return [summarize_day(day, week_hours[day]) for day in sorted(week_hours)]


def summarize_team_week(
    dates: Sequence[datetime.date],
    member_ids: Iterable[int],
    painted: Mapping[tuple[int, datetime.date], DayHours],
    usual: Mapping[tuple[int, int], DayHours],
) -> list[DaySummary]:
    """``summarize_week(resolve_week(...))`` in one pass: each member's hours of each day
    go straight into that day's hour lists, with no per-member week built in between."""
    members = sorted(member_ids)
    days = []
    for day in sorted(dates):
        weekday = day.isoweekday()
        free: list[list[int]] = [[] for _ in range(HOURS_PER_DAY)]
        maybe: list[list[int]] = [[] for _ in range(HOURS_PER_DAY)]
        for member in members:
            hours = painted.get((member, day))
            if hours is None:
                hours = usual.get((member, weekday))
                if hours is None:
                    continue
            for hour in hours.available:
                free[hour].append(member)
            for hour in hours.if_needed:
                maybe[hour].append(member)
        days.append(
            DaySummary(
                day,
                tuple(HourMembers(tuple(f), tuple(m)) for f, m in zip(free, maybe, strict=True)),
            )
        )
    return days
