"""System checks for the schedule app's settings (ids ``teammoa_schedule.E00x``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from teammoa.schedule.conf import conf


def _positive_int(value: Any) -> bool:
    return type(value) is int and value >= 1


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not _positive_int(conf.BEST_SLOTS):
        errors.append(
            Error(
                f"TEAMMOA_SCHEDULE_BEST_SLOTS must be a positive integer, not {conf.BEST_SLOTS!r}.",
                id="teammoa_schedule.E001",
            )
        )
    if not _positive_int(conf.IMPORT_MAX_BYTES):
        errors.append(
            Error(
                "TEAMMOA_SCHEDULE_IMPORT_MAX_BYTES must be a positive integer, "
                f"not {conf.IMPORT_MAX_BYTES!r}.",
                id="teammoa_schedule.E002",
            )
        )
    for name, check_id in (
        ("IMPORT_MAX_EVENTS", "E004"),
        ("IMPORT_MAX_OCCURRENCES_PER_EVENT", "E005"),
        ("IMPORT_MAX_OCCURRENCES", "E006"),
    ):
        value = getattr(conf, name)
        if not _positive_int(value):
            errors.append(
                Error(
                    f"TEAMMOA_SCHEDULE_{name} must be a positive integer, not {value!r}.",
                    id=f"teammoa_schedule.{check_id}",
                )
            )
    budget = conf.IMPORT_TIME_BUDGET
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not 0 < budget <= 60:
        errors.append(
            Error(
                "TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET must be a number of seconds above 0 "
                f"and at most 60, not {budget!r}.",
                id="teammoa_schedule.E007",
            )
        )
    hours = conf.WORKING_HOURS
    if not (
        isinstance(hours, list | tuple)
        and len(hours) == 2
        and all(type(hour) is int for hour in hours)
        and 0 <= hours[0] < hours[1] <= 24
    ):
        errors.append(
            Error(
                f"TEAMMOA_SCHEDULE_WORKING_HOURS must be (from, to) with 0 <= from < to <= 24, "
                f"not {hours!r}.",
                hint="For example (9, 18): from 09:00 until 18:00.",
                id="teammoa_schedule.E003",
            )
        )
    return errors
