"""The milestone timeline's geometry: which days the chart spans and where bars sit.

``static/teammoa_core/js/team_home.js`` recomputes the same range after a bar moves; keep
the two in step (Monday-aligned start a week before the first date, two weeks of room
after the last one; weekly ticks up to 120 days, monthly up to 1,100, yearly up to 9,200,
then every ten years). The tick scale grows with the range so a page never holds more
than a few dozen ticks, whatever the dates (a 1970-2100 milestone included).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext

from teammoa.core.dates import EARLIEST_DATE, LATEST_DATE
from teammoa.core.models import Milestone, MilestoneStatus

LEAD_DAYS = 7
TRAIL_DAYS = 14
WEEKLY_TICKS_UP_TO = 120
MONTHLY_TICKS_UP_TO = 1100
YEARLY_TICKS_UP_TO = 9200
DECADE = 10


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
    scale: str = "week"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def today_offset(self) -> int:
        return (self.today - self.start).days


def tick_scale(days: int) -> str:
    """``week``, ``month``, ``year`` or ``decade``: the ticks' step for a range of days."""
    if days <= WEEKLY_TICKS_UP_TO:
        return "week"
    if days <= MONTHLY_TICKS_UP_TO:
        return "month"
    if days <= YEARLY_TICKS_UP_TO:
        return "year"
    return "decade"


def _ticks(start: datetime.date, end: datetime.date, scale: str) -> list[Tick]:
    ticks = []
    if scale == "week":
        day = start  # a Monday
        while day <= end:
            # Translators: a date format (see Django's "date" filter) for the weekly
            # ticks of the milestone timeline: "Nov 23".
            ticks.append(Tick((day - start).days, date_format(day, gettext("M j"))))
            day += datetime.timedelta(days=7)
        return ticks
    if scale == "month":
        day = start.replace(day=1)
        while day <= end:
            if day >= start:
                # Translators: date formats (see Django's "date" filter) for the monthly
                # ticks of the milestone timeline: "Jan 2027" and "Feb".
                fmt = gettext("M Y") if day.month == 1 or not ticks else gettext("M")
                ticks.append(Tick((day - start).days, date_format(day, fmt)))
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return ticks
    step = 1 if scale == "year" else DECADE
    year = start.year + 1
    year += -year % step
    while year <= end.year:
        day = datetime.date(year, 1, 1)
        ticks.append(Tick((day - start).days, str(year)))
        year += step
    return ticks


def build_timeline(milestones: list[Milestone], today: datetime.date) -> Timeline:
    # The model bounds the dates; clamping again keeps the arithmetic safe for rows written
    # around the service (raw SQL, fixtures): no OverflowError, no million-day chart.
    def clamp(day: datetime.date) -> datetime.date:
        return min(max(day, EARLIEST_DATE), LATEST_DATE)

    first = clamp(min([today, *(m.start_date for m in milestones)]))
    last = clamp(max([today, *(m.end_date for m in milestones)]))
    start = first - datetime.timedelta(days=LEAD_DAYS)
    start -= datetime.timedelta(days=start.weekday())
    end = last + datetime.timedelta(days=TRAIL_DAYS)
    bars = [
        TimelineBar(
            milestone=m,
            offset=(clamp(m.start_date) - start).days,
            span=(clamp(m.end_date) - clamp(m.start_date)).days + 1,
            status=m.status_on(today),
        )
        for m in milestones
    ]
    scale = tick_scale((end - start).days + 1)
    return Timeline(
        start=start, end=end, today=today, bars=bars, ticks=_ticks(start, end, scale), scale=scale
    )
