import datetime

import pytest
from hypothesis import settings
from rest_framework.test import APIClient

pytest_plugins = ["teammoa.core.testing.plugin"]

# No example database on disk: runs from an installed wheel leave nothing behind.
settings.register_profile("teammoa", database=None)
settings.load_profile("teammoa")


@pytest.fixture
def as_user():
    """``as_user(user)`` → an API client signed in as ``user`` (``None``: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


# The tests' weeks are fixed dates (2026-W48, …): the schedule's "now" is set before all
# of them, so no slot or meeting of a test counts as past whatever the real date.
BEFORE_EVERY_TEST_WEEK = datetime.datetime(2020, 1, 6, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """``clock.set(moment)`` moves the schedule's "now" (teammoa.schedule.clock)."""
    from teammoa.schedule import clock as schedule_clock

    class Clock:
        moment = BEFORE_EVERY_TEST_WEEK

        def set(self, moment: datetime.datetime) -> None:
            self.moment = moment

    pinned = Clock()
    monkeypatch.setattr(schedule_clock, "now", lambda: pinned.moment)
    return pinned
