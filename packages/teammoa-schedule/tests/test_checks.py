"""System checks for the schedule app's settings."""

import pytest
from django.test import override_settings

from teammoa.schedule.checks import check_settings


def test_default_settings_pass():
    assert check_settings() == []


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("TEAMMOA_SCHEDULE_BEST_SLOTS", 0, "teammoa_schedule.E001"),
        ("TEAMMOA_SCHEDULE_BEST_SLOTS", "10", "teammoa_schedule.E001"),
        ("TEAMMOA_SCHEDULE_IMPORT_MAX_BYTES", -5, "teammoa_schedule.E002"),
        ("TEAMMOA_SCHEDULE_WORKING_HOURS", (18, 9), "teammoa_schedule.E003"),
        ("TEAMMOA_SCHEDULE_WORKING_HOURS", (9, 25), "teammoa_schedule.E003"),
        ("TEAMMOA_SCHEDULE_WORKING_HOURS", "9-18", "teammoa_schedule.E003"),
        ("TEAMMOA_SCHEDULE_IMPORT_MAX_EVENTS", 0, "teammoa_schedule.E004"),
        ("TEAMMOA_SCHEDULE_IMPORT_MAX_OCCURRENCES_PER_EVENT", "1000", "teammoa_schedule.E005"),
        ("TEAMMOA_SCHEDULE_IMPORT_MAX_OCCURRENCES", None, "teammoa_schedule.E006"),
        ("TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET", 0, "teammoa_schedule.E007"),
        ("TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET", 600, "teammoa_schedule.E007"),
        ("TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET", True, "teammoa_schedule.E007"),
    ],
)
def test_bad_settings_are_reported(setting, value, check_id):
    with override_settings(**{setting: value}):
        assert [error.id for error in check_settings()] == [check_id]
