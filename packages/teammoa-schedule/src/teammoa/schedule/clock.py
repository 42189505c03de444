"""The current time as the schedule's rules see it (a slot or a meeting never starts in
the past). One function, so the tests, whose weeks are fixed dates, can set their own."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()
