"""Dates as people write them in the page's language: "Tue 8 Dec" / "12월 8일 (화)", and
a week as its dates, "7 – 13 Dec" / "12월 7일 – 13일". The same patterns (translated
once, in both catalogs) are used by the page's scripts (``grid.js``)."""

from __future__ import annotations

import datetime

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# Django's own abbreviations are long in some languages (Korean "화요일"); these are the
# short forms a date label wants.
WEEKDAYS = (
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
)


def _parts(day: datetime.date) -> dict[str, str]:
    return {
        "weekday": str(WEEKDAYS[day.weekday()]),
        "day": str(day.day),
        "month": dateformat.format(day, "M"),
        "year": str(day.year),
    }


def day_label(day: datetime.date) -> str:
    """Weekday, day and month: "Tue 8 Dec", "12월 8일 (화)"."""
    return _("%(weekday)s %(day)s %(month)s") % _parts(day)


def long_day_label(day: datetime.date) -> str:
    """The whole weekday and month, for screen readers: "Tuesday 8 December",
    "12월 8일 화요일"."""
    return _("%(long_weekday)s %(day)s %(long_month)s") % {
        "long_weekday": dateformat.format(day, "l"),
        "day": str(day.day),
        "long_month": dateformat.format(day, "F"),
    }


def date_label(day: datetime.date) -> str:
    """Day and month: "8 Dec", "12월 8일"."""
    return _("%(day)s %(month)s") % _parts(day)


def week_label(first: datetime.date, last: datetime.date, today: datetime.date) -> str:
    """The dates of a week: "7 – 13 Dec", "30 Nov – 6 Dec", with the year when it is
    not this year's."""
    a, b = _parts(first), _parts(last)
    if first.year != last.year:
        return _(
            "%(first_day)s %(first_month)s %(first_year)s – %(last_day)s %(last_month)s %(last_year)s"  # noqa: E501
        ) % {
            "first_day": a["day"],
            "first_month": a["month"],
            "first_year": a["year"],
            "last_day": b["day"],
            "last_month": b["month"],
            "last_year": b["year"],
        }
    if first.month == last.month:
        text = _("%(first_day)s – %(last_day)s %(month)s") % {
            "first_day": a["day"],
            "last_day": b["day"],
            "month": b["month"],
        }
    else:
        text = _("%(first_day)s %(first_month)s – %(last_day)s %(last_month)s") % {
            "first_day": a["day"],
            "first_month": a["month"],
            "last_day": b["day"],
            "last_month": b["month"],
        }
    if first.year != today.year:
        text = _("%(range)s %(year)s") % {"range": text, "year": b["year"]}
    return text
