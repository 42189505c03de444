"""Best common slots: runs of consecutive hours that enough members can attend.

A member can attend an hour when they are free or free if needed. A slot's attendees are
the members who can attend every hour of it; ``free`` are those free throughout and
``if_needed`` the rest. Candidates are the maximal runs for their (attendees, free) pair:
a longer run with the same people is always at least as good, so shorter copies are
left out. Ranking: most attendees, then fewest "if needed", then longest, then earliest.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from teammoa.schedule.availability import DaySummary
from teammoa.schedule.hours import HOURS_PER_DAY


@dataclass(frozen=True)
class Slot:
    date: datetime.date
    start: int
    end: int  # exclusive
    free: tuple[int, ...]
    if_needed: tuple[int, ...]

    @property
    def attendees(self) -> int:
        return len(self.free) + len(self.if_needed)

    @property
    def length(self) -> int:
        return self.end - self.start

    def rank_key(self) -> tuple[int, int, int, datetime.date, int]:
        return (-self.attendees, len(self.if_needed), -self.length, self.date, self.start)


@dataclass(frozen=True)
class SlotSearch:
    min_members: int  # the threshold used (the default resolved)
    slots: tuple[Slot, ...]


# A candidate before it becomes a Slot: (date, start, end, all-free mask, can-attend mask),
# bit i standing for the i-th member id in ascending order.
Run = tuple[datetime.date, int, int, int, int]


def _members_of(mask: int, ids: Sequence[int]) -> tuple[int, ...]:
    return tuple(ids[bit] for bit in range(mask.bit_length()) if mask >> bit & 1)


# The first hour a slot may start at: (day, hour of that day); earlier hours have begun.
Earliest = tuple[datetime.date, int]


def earliest_start(now: datetime.datetime) -> Earliest:
    """The first whole hour that has not begun at ``now`` (a time in the team's zone)."""
    begun = now.minute or now.second or now.microsecond
    if now.hour == HOURS_PER_DAY - 1 and begun:
        return now.date() + datetime.timedelta(days=1), 0
    return now.date(), now.hour + (1 if begun else 0)


def _runs(
    days: Iterable[DaySummary],
    ids: Sequence[int],
    length: int,
    required: Iterable[int],
    earliest: Earliest | None = None,
) -> list[Run]:
    """Every maximal run at least ``length`` hours long that all ``required`` can attend,
    as member bitmasks (no member tuples built: most runs are ranked out). Hours before
    ``earliest`` count as nobody's: a slot never starts in the past."""
    bit = {member: 1 << index for index, member in enumerate(ids)}
    required_mask = 0
    for member in required:
        required_mask |= bit[member]
    found: list[Run] = []
    for day in days:
        if earliest is not None and day.date < earliest[0]:
            continue
        free = [sum(bit[m] for m in hour.free if m in bit) for hour in day.who]
        can = [
            f | sum(bit[m] for m in hour.if_needed if m in bit)
            for f, hour in zip(free, day.who, strict=True)
        ]
        if earliest is not None and day.date == earliest[0]:
            for hour in range(min(earliest[1], HOURS_PER_DAY)):
                free[hour] = can[hour] = 0
        for start in range(HOURS_PER_DAY):
            attend, all_free = -1, -1  # every bit set: the empty intersection's identity
            for end in range(start + 1, HOURS_PER_DAY + 1):
                attend &= can[end - 1]
                all_free &= free[end - 1]
                if not attend or attend & required_mask != required_mask:
                    break
                if end - start < length:
                    continue
                grows_right = end < HOURS_PER_DAY and (
                    attend & can[end] == attend and all_free & free[end] == all_free
                )
                grows_left = start > 0 and (
                    attend & can[start - 1] == attend and all_free & free[start - 1] == all_free
                )
                if grows_right or grows_left:
                    continue
                found.append((day.date, start, end, all_free, attend))
    return found


def _slot(run: Run, ids: Sequence[int]) -> Slot:
    date, start, end, all_free, attend = run
    return Slot(date, start, end, _members_of(all_free, ids), _members_of(attend & ~all_free, ids))


def _rank_key(run: Run) -> tuple[int, int, int, datetime.date, int]:
    """``Slot.rank_key`` of the run's slot, from its masks (free is a subset of attend)."""
    date, start, end, all_free, attend = run
    return (-attend.bit_count(), (attend & ~all_free).bit_count(), start - end, date, start)


def candidate_slots(
    days: Iterable[DaySummary],
    member_ids: Sequence[int],
    length: int,
    required: Iterable[int],
    earliest: Earliest | None = None,
) -> list[Slot]:
    """Every maximal run at least ``length`` hours long that all ``required`` can attend
    (starting no earlier than ``earliest``)."""
    ids = sorted(member_ids)
    return [_slot(run, ids) for run in _runs(days, ids, length, required, earliest)]


def find_slots(
    days: Iterable[DaySummary],
    member_ids: Sequence[int],
    *,
    min_members: int | None = None,
    length: int = 1,
    required: Iterable[int] = (),
    limit: int | None = None,
    earliest: Earliest | None = None,
) -> SlotSearch:
    """Ranked best slots. ``min_members=None`` means everyone, or when no run has everyone,
    the most attendees any run of ``length`` hours (with the ``required`` members) has.
    With ``earliest`` (``earliest_start(now)``), no slot starts before it."""
    ids = sorted(member_ids)
    runs = _runs(days, ids, length, required, earliest)
    if min_members is None:
        min_members = max((run[4].bit_count() for run in runs), default=len(member_ids))
        min_members = max(min_members, 1)
    ranked = sorted((run for run in runs if run[4].bit_count() >= min_members), key=_rank_key)
    kept = ranked if limit is None else ranked[:limit]
    # Member tuples only for the slots shown.
    return SlotSearch(min_members, tuple(_slot(run, ids) for run in kept))
