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
    def WORKING_HOURS(self) -> Any:
        """``(from, to)``: the hours an import fills by default (``to`` exclusive)."""
        return getattr(settings, "TEAMMOA_SCHEDULE_WORKING_HOURS", (9, 18))


conf = ScheduleSettings()
