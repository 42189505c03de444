"""Team availability for a week: loaded in a constant number of queries, computed in
``teammoa.schedule.availability`` and ``teammoa.schedule.slots``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from teammoa.core.models import Membership, Team
from teammoa.core.services import membership_of
from teammoa.core.users import Actor
from teammoa.schedule import clock
from teammoa.schedule.availability import DaySummary, resolve_week, summarize_team_week
from teammoa.schedule.conf import conf
from teammoa.schedule.hours import HOURS_PER_DAY, DayHours, stored_hours
from teammoa.schedule.models import DayAvailability, UsualDay
from teammoa.schedule.params import parse_int, parse_member_ids
from teammoa.schedule.slots import SlotSearch, earliest_start, find_slots
from teammoa.schedule.weeks import IsoWeek, parse_week


@dataclass(frozen=True)
class Member:
    id: int
    name: str


@dataclass(frozen=True)
class TeamWeek:
    """Everyone's resolved hours for one week."""

    team: Team
    week: IsoWeek
    members: tuple[Member, ...]
    hours: dict[datetime.date, dict[int, DayHours]]

    @property
    def member_ids(self) -> list[int]:
        return [member.id for member in self.members]


@dataclass(frozen=True)
class TeamAvailability:
    week: IsoWeek
    members: tuple[Member, ...]
    days: tuple[DaySummary, ...]
    length: int
    required: tuple[int, ...]
    search: SlotSearch

    @property
    def member_count(self) -> int:
        return len(self.members)


Rows = tuple[
    tuple[Member, ...],
    dict[tuple[int, datetime.date], DayHours],
    dict[tuple[int, int], DayHours],
]


def _load_rows(team: Team, week: IsoWeek) -> Rows:
    """Three queries whatever the team's size: members, painted days, usual weeks."""
    memberships = list(
        Membership.objects.filter(team=team).select_related("user").order_by("joined_at", "id")
    )
    members = tuple(Member(m.pk, m.name) for m in memberships)
    # By the members' ids, not through a join on the team, and unordered (the rows go
    # into dicts): the models' ordering by membership sorted every team's rows by the
    # members' join dates in a temporary table, and the usual weeks were read by a scan
    # of every team's rows.
    ids = [member.id for member in members]
    painted = {
        (member, day): DayHours(stored_hours(free), stored_hours(maybe))
        for member, day, free, maybe in DayAvailability.objects.filter(
            membership_id__in=ids, date__range=(week.monday, week.sunday)
        )
        .order_by()
        .values_list("membership_id", "date", "available_hours", "if_needed_hours")
    }
    usual = {
        (member, weekday): DayHours(stored_hours(free), stored_hours(maybe))
        for member, weekday, free, maybe in UsualDay.objects.filter(membership_id__in=ids)
        .order_by()
        .values_list("membership_id", "weekday", "available_hours", "if_needed_hours")
    }
    return members, painted, usual


def load_team_week(team: Team, week: IsoWeek) -> TeamWeek:
    """Everyone's hours of the week, each day resolved (three queries)."""
    members, painted, usual = _load_rows(team, week)
    hours = resolve_week(week.dates(), [m.id for m in members], painted, usual)
    return TeamWeek(team, week, members, hours)


def team_availability(
    user: Actor,
    team_id: Any,
    week: Any,
    min_members: Any = None,
    length: Any = None,
    required: Any = None,
) -> TeamAvailability:
    """Counts, who is free each hour and the ranked best slots for one ISO week; a slot
    never starts at an hour that has already begun in the team's time zone."""
    membership = membership_of(user, team_id)
    iso_week = parse_week(week)
    members, painted, usual = _load_rows(membership.team, iso_week)
    member_ids = [member.id for member in members]
    minimum = (
        None
        if min_members in (None, "")
        else parse_int(min_members, "min", 1, max(len(member_ids), 1))
    )
    run = parse_int(length, "length", 1, HOURS_PER_DAY, default=1)
    must = parse_member_ids(required, "required", member_ids)
    days = summarize_team_week(iso_week.dates(), member_ids, painted, usual)
    search = find_slots(
        days,
        member_ids,
        min_members=minimum,
        length=run,
        required=must,
        limit=conf.BEST_SLOTS,
        earliest=earliest_start(timezone.localtime(clock.now(), membership.team.zone)),
    )
    return TeamAvailability(iso_week, members, tuple(days), run, must, search)
