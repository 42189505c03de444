"""ISO weeks (``YYYY-Www``, Monday first): strict parsing and the dates of a week."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core import dates
from teammoa.core.errors import Invalid, shown_value

# ``[0-9]`` and ``\Z``: ``\d`` takes Arabic-Indic and other digits (``int()`` reads them)
# and ``$`` matches before a trailing newline; a week is plain ASCII ``YYYY-Www``.
WEEK_RE = re.compile(r"(?P<year>[0-9]{4})-W(?P<week>[0-9]{2})\Z")
DAYS_PER_WEEK = 7


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always falls in the year's last ISO week."""
    return datetime.date(year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.week <= weeks_in_year(self.year)):
            raise ValueError(f"{self.year}-W{self.week:02d} is not an ISO week")

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @classmethod
    def of(cls, day: datetime.date) -> IsoWeek:
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=DAYS_PER_WEEK - 1)

    def dates(self) -> list[datetime.date]:
        monday = self.monday
        return [monday + datetime.timedelta(days=n) for n in range(DAYS_PER_WEEK)]

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + datetime.timedelta(weeks=weeks))


def week_example() -> str:
    """A real week to show in messages: the current one."""
    return str(IsoWeek.of(datetime.date.today()))


def first_week() -> IsoWeek:
    return IsoWeek(dates.EARLIEST_YEAR, 1)


def last_week() -> IsoWeek:
    return IsoWeek(dates.LATEST_YEAR, weeks_in_year(dates.LATEST_YEAR))


def week_in_range(week: IsoWeek) -> bool:
    """Whether people may pick ``week``: its year lies within core's date bounds."""
    return dates.year_in_range(week.year)


def parse_week(value: Any, field: str = "week") -> IsoWeek:
    """``2026-W48`` → ``IsoWeek(2026, 48)``; anything else is ``Invalid`` naming ``field``
    with a message that shows the expected form. Years follow core's date bounds
    (``teammoa.core.dates``: 1970–2100), so no week arithmetic can overflow."""
    form = {"form": "YYYY-Www", "example": week_example()}
    if value is None or value == "":
        raise Invalid.field(
            field, _("A week is required, in the form %(form)s, e.g. %(example)s.") % form
        )
    match = WEEK_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise Invalid.field(
            field,
            _("“%(value)s” is not a week. Use the form %(form)s, e.g. %(example)s.")
            % {"value": shown_value(value), **form},
        )
    year, week = int(match["year"]), int(match["week"])
    if not dates.year_in_range(year):
        raise Invalid.field(
            field,
            _(
                "“%(value)s” is out of range: choose a week from %(first)s to %(last)s, "
                "in the form %(form)s."
            )
            % {"value": value, "first": first_week(), "last": last_week(), "form": "YYYY-Www"},
        )
    if week < 1 or week > weeks_in_year(year):
        raise Invalid.field(
            field,
            _(
                "“%(value)s” is not a week: %(year)s has %(weeks)s ISO weeks. "
                "Use the form %(form)s, e.g. %(example)s."
            )
            % {
                "value": value,
                "year": year,
                "weeks": weeks_in_year(year),
                **form,
            },
        )
    return IsoWeek(year, week)


def parse_date(value: Any, field: str = "date") -> datetime.date:
    """A calendar date written ``YYYY-MM-DD`` within core's bounds (nothing looser)."""
    return dates.parse_date(value, field)
