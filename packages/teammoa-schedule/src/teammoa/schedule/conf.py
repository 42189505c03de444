"""App settings: flat ``TEAMMOA_SCHEDULE_*`` Django settings with their defaults in one place.

Every property reads ``django.conf.settings`` on access so ``override_settings`` works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


class ScheduleSettings:
    """Read-through view of the schedule app's settings."""

    @property
    def BEST_SLOTS(self) -> Any:
        """How many best slots the availability answer lists."""
        return getattr(settings, "TEAMMOA_SCHEDULE_BEST_SLOTS", 10)

    @property
    def IMPORT_MAX_BYTES(self) -> Any:
        """The largest .ics file the import accepts."""
        return getattr(settings, "TEAMMOA_SCHEDULE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)

    @property
    def IMPORT_MAX_EVENTS(self) -> Any:
        """The most events (VEVENT and VFREEBUSY) one imported file may hold."""
        return getattr(settings, "TEAMMOA_SCHEDULE_IMPORT_MAX_EVENTS", 5000)

    @property
    def IMPORT_MAX_OCCURRENCES_PER_EVENT(self) -> Any:
        """The most occurrences one recurring event may produce around the imported week
        (hourly is 24 a day; every 15 minutes still fits)."""
        return getattr(settings, "TEAMMOA_SCHEDULE_IMPORT_MAX_OCCURRENCES_PER_EVENT", 1000)

    @property
    def IMPORT_MAX_OCCURRENCES(self) -> Any:
        """The most occurrences one imported file may produce around the imported week."""
        return getattr(settings, "TEAMMOA_SCHEDULE_IMPORT_MAX_OCCURRENCES", 10000)

    @property
    def IMPORT_TIME_BUDGET(self) -> Any:
        """Seconds one import may spend expanding recurrences before it is refused."""
        return getattr(settings, "TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET", 3.0)

    @property
    def WORKING_HOURS(self) -> Any:
        """``(from, to)``: the hours the "working hours" quick fill paints (``to`` exclusive)."""
        return getattr(settings, "TEAMMOA_SCHEDULE_WORKING_HOURS", (9, 18))


conf = ScheduleSettings()
