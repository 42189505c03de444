"""The milestone timeline's geometry: which days the chart spans and where bars sit.

``static/teammoa_core/js/team_home.js`` recomputes the same range after a bar moves; keep
the two in step (Monday-aligned start a week before the first date, two weeks of room
after the last one, weekly ticks up to 120 days, monthly beyond).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext

from teammoa.core.models import Milestone, MilestoneStatus

LEAD_DAYS = 7
TRAIL_DAYS = 14
WEEKLY_TICKS_UP_TO = 120


@dataclass(frozen=True)
class TimelineBar:
    milestone: Milestone
    offset: int
    span: int
    status: str

    @property
    def status_label(self) -> str:
        return str(MilestoneStatus(self.status).label)


@dataclass(frozen=True)
class Tick:
    offset: int
    label: str


@dataclass(frozen=True)
class Timeline:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    bars: list[TimelineBar]
    ticks: list[Tick]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def today_offset(self) -> int:
        return (self.today - self.start).days


def _ticks(start: datetime.date, end: datetime.date) -> list[Tick]:
    days = (end - start).days + 1
    ticks = []
    if days <= WEEKLY_TICKS_UP_TO:
        day = start  # a Monday
        while day <= end:
            # Translators: a date format (see Django's "date" filter) for the weekly
            # ticks of the milestone timeline: "Nov 23".
            ticks.append(Tick((day - start).days, date_format(day, gettext("M j"))))
            day += datetime.timedelta(days=7)
        return ticks
    day = start.replace(day=1)
    while day <= end:
        if day >= start:
            # Translators: date formats (see Django's "date" filter) for the monthly
            # ticks of the milestone timeline: "Jan 2027" and "Feb".
            fmt = gettext("M Y") if day.month == 1 or not ticks else gettext("M")
            label = date_format(day, fmt)
            ticks.append(Tick((day - start).days, label))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return ticks


def build_timeline(milestones: list[Milestone], today: datetime.date) -> Timeline:
    first = min([today, *(m.start_date for m in milestones)])
    last = max([today, *(m.end_date for m in milestones)])
    start = first - datetime.timedelta(days=LEAD_DAYS)
    start -= datetime.timedelta(days=start.weekday())
    end = last + datetime.timedelta(days=TRAIL_DAYS)
    bars = [
        TimelineBar(
            milestone=m,
            offset=(m.start_date - start).days,
            span=(m.end_date - m.start_date).days + 1,
            status=m.status_on(today),
        )
        for m in milestones
    ]
    return Timeline(start=start, end=end, today=today, bars=bars, ticks=_ticks(start, end))
