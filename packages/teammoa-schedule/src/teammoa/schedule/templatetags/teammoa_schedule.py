"""Template filters of the schedule app: ``{% load teammoa_schedule %}``."""

from __future__ import annotations

import datetime

from django import template

from teammoa.schedule import dates

register = template.Library()


@register.filter
def day_label(day: datetime.date) -> str:
    """ "Tue 8 Dec" / "12월 8일 (화)"."""
    return dates.day_label(day)


@register.filter
def date_label(day: datetime.date) -> str:
    """ "8 Dec" / "12월 8일"."""
    return dates.date_label(day)


@register.filter
def long_day_label(day: datetime.date) -> str:
    """ "Tuesday 8 December" / "12월 8일 화요일"."""
    return dates.long_day_label(day)
