"""The dates a person may type: ``YYYY-MM-DD`` in ASCII digits, from 1970 to 2100.

Part of core's public surface (see the README): every app that takes a date or a year from
a person checks it here, so the bounds and their message live once. Dates far outside any
project's life (year 1, year 9999) only ever come from typos or attacks, and they break
arithmetic that is fine for real dates (``date.max + 1 day`` overflows, a timeline from
1000 to 9000 has three million days).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid, shown_value

EARLIEST_DATE = datetime.date(1970, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
EARLIEST_YEAR = EARLIEST_DATE.year
LATEST_YEAR = LATEST_DATE.year

# ``[0-9]`` and ``\Z``, not ``\d`` and ``$``: ``\d`` matches Arabic-Indic and other
# Unicode digits (which ``int()`` accepts) and ``$`` matches before a trailing newline.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

__all__ = [
    "EARLIEST_DATE",
    "EARLIEST_YEAR",
    "LATEST_DATE",
    "LATEST_YEAR",
    "check_date",
    "clock_label",
    "date_in_range",
    "date_text",
    "datetime_text",
    "out_of_range_message",
    "parse_date",
    "validate_date_in_range",
    "year_in_range",
]


def date_in_range(value: datetime.date) -> bool:
    """Whether ``value`` lies within the bounds (both ends included)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return EARLIEST_DATE <= value <= LATEST_DATE


def year_in_range(year: int) -> bool:
    """Whether a typed year (of a date, or of an ISO week) is within the bounds."""
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def out_of_range_message() -> str:
    """The one message for a date outside the bounds (translated at call time)."""
    return _("Dates must be between %(first)s and %(last)s.") % {
        "first": EARLIEST_DATE.isoformat(),
        "last": LATEST_DATE.isoformat(),
    }


def validate_date_in_range(value: datetime.date) -> None:
    """A Django validator (model and form fields): ``ValidationError`` when out of range."""
    if not date_in_range(value):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")


def check_date(value: datetime.date, field: str) -> datetime.date:
    """``value`` itself, or ``Invalid`` naming ``field`` when it is out of range."""
    if not date_in_range(value):
        raise Invalid.field(field, out_of_range_message())
    return value


def parse_date(value: Any, field: str) -> datetime.date:
    """A date typed as ``YYYY-MM-DD`` (ASCII digits, nothing around it) within the bounds;
    a ``datetime.date`` passes through the same range check. Anything else is ``Invalid``
    naming ``field``, with a message that shows the expected form."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return check_date(value, field)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return check_date(day, field)
    raise Invalid.field(
        field,
        _("“%(value)s” is not a date. Use the form YYYY-MM-DD, e.g. 2026-11-23.")
        % {"value": shown_value(value)},
    )


def clock_label(hour: int, minute: int = 0) -> str:
    """A time of day as people write it in the page's language: "15:00" and "24:00" (the
    end of a day) in English; in Korean the half of the day first and 12-hour clocks,
    "오후 3시", "오전 9시 30분", "자정". The page scripts' ``clockLabel`` (``dates.js``)
    writes the same."""
    if (get_language() or "").split("-")[0] == "ko":
        if hour % 24 == 0 and minute == 0 and hour:
            return "자정"
        half = "오전" if hour % 24 < 12 else "오후"
        text = f"{half} {hour % 12 or 12}시"
        return f"{text} {minute}분" if minute else text
    return f"{hour:02d}:{minute:02d}"


# One way to show each kind of date on a page, so a post header does not read "Dec. 8, 2026,
# 3:03 a.m. · edited 12/08/2026 3:03 a.m.": a moment (a post, a comment, an edit) with the
# locale's DATETIME_FORMAT in the current time zone (the site's TIME_ZONE, the team's), and
# a day (a due date, an expiry) with its DATE_FORMAT. Templates use the ``shown_datetime``
# and ``shown_date`` filters of ``{% load teammoa_core %}``.


def datetime_text(value: datetime.datetime | None) -> str:
    """A moment as shown on every page: "Dec. 8, 2026, 3:03 a.m.", "2026년 12월 8일 오전 3:03"."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def date_text(value: datetime.date | None) -> str:
    """A day as shown on every page: "Dec. 10, 2026", "2026년 12월 10일"; a moment counts by
    its day in the current time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")
