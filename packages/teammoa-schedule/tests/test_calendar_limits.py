"""Calendar import is bounded (issue 9, item 1) and merges (SPEC section 9).

The hostile files finish fast because the expansion is bounded; the tests prove it by
counting what ``dateutil`` generates (not by wall-clock), with a tripwire that stops an
unbounded expansion early so that, without the bounds, these tests fail quickly instead
of stalling.
"""

from __future__ import annotations

from pathlib import Path

import dateutil.rrule
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from teammoa.core.testing.factories import host_of, make_team
from tests.support import day, snapshot, url

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
TRIPWIRE = 200_000  # far above anything a bounded import generates


class Tripwire(RuntimeError):
    pass


@pytest.fixture
def generated(monkeypatch):
    """How many occurrences dateutil generates during the test (rrule._iter yields)."""
    counter = {"n": 0}
    original = dateutil.rrule.rrule._iter

    def counting(self):
        for when in original(self):
            counter["n"] += 1
            if counter["n"] > TRIPWIRE:
                raise Tripwire("an unbounded expansion")
            yield when

    monkeypatch.setattr(dateutil.rrule.rrule, "_iter", counting)
    return counter


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//x//EN", *events, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode()


def event(start: str, end: str, rule: str = "", uid: str = "e", *extra: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}"]
    lines += [f"RRULE:{rule}"] if rule else []
    return "\r\n".join([*lines, *extra, "END:VEVENT"])


def post(team, content: bytes, query: str = "week=2026-W48"):
    client = APIClient()
    client.force_login(host_of(team).user)
    file = SimpleUploadedFile("c.ics", content, content_type="text/calendar")
    return client.post(url(team.pk, f"import/?{query}"), {"file": file}, format="multipart")


def paint_evenings(team) -> None:
    client = APIClient()
    client.force_login(host_of(team).user)
    days = [day(f"2026-11-{n}", [9, 10, 11, 12, 19, 20, 21, 22]) for n in range(23, 30)]
    response = client.put(url(team.pk, "me/?week=2026-W48"), {"days": days}, format="json")
    assert response.status_code == 200


# --- the hostile files of issue 9 -------------------------------------------------------------

SECONDLY_BEFORE = calendar(event("20261101T000000Z", "20261101T000001Z", "FREQ=SECONDLY"))
SECONDLY_ON_MONDAY = calendar(
    event("20261122T150000Z", "20261122T150001Z", "FREQ=SECONDLY")  # Monday 00:00 in Seoul
)


def test_the_hostile_file_is_small():
    assert len(SECONDLY_BEFORE) < 170


@pytest.mark.parametrize(
    "content",
    [
        SECONDLY_BEFORE,
        SECONDLY_ON_MONDAY,  # 604,800 occurrences inside the week without the bound
        calendar(
            *(
                event("20261101T000000Z", "20261101T000001Z", "FREQ=SECONDLY", f"e{n}")
                for n in range(4)
            )
        ),
        calendar(event("20200101T000000Z", "20200101T000100Z", "FREQ=MINUTELY")),
        calendar(event("20261123T000000Z", "20261123T000001Z", "FREQ=SECONDLY;COUNT=1000000")),
    ],
    ids=["secondly", "secondly-from-monday", "four-secondly", "minutely-since-2020", "count"],
)
def test_repeating_too_often_is_refused_naming_the_limit(generated, content):
    team = make_team(timezone="Asia/Seoul")
    paint_evenings(team)
    before = snapshot()
    response = post(team, content)
    assert response.status_code == 400, response.json()
    message = response.json()["file"][0]
    assert "repeats too often" in message and "1000" in message
    assert snapshot() == before
    # Bounded: the per-event cap (1,000) plus one, not 604,800 or millions.
    assert generated["n"] <= 1001


@override_settings(TEAMMOA_SCHEDULE_IMPORT_MAX_OCCURRENCES=200)
def test_too_many_occurrences_in_one_file_is_refused(generated):
    team = make_team(timezone="Asia/Seoul")
    hourly = [
        event("20261101T000000Z", "20261101T001000Z", "FREQ=HOURLY", f"h{n}") for n in range(5)
    ]
    response = post(team, calendar(*hourly))
    assert response.status_code == 400
    assert "more than 200 events and repetitions" in response.json()["file"][0]
    assert generated["n"] < 1000


@override_settings(TEAMMOA_SCHEDULE_IMPORT_MAX_EVENTS=3)
def test_too_many_events_is_refused():
    team = make_team(timezone="Asia/Seoul")
    events = [event("20261124T010000Z", "20261124T020000Z", uid=f"u{n}") for n in range(4)]
    response = post(team, calendar(*events))
    assert response.status_code == 400
    assert "more than 3 events" in response.json()["file"][0]


@override_settings(TEAMMOA_SCHEDULE_IMPORT_TIME_BUDGET=0.3)
def test_a_rule_that_never_matches_is_stopped_by_the_time_budget():
    """dateutil searches day by day until the year 9999 for February 30th, yielding
    nothing that a count could stop; the time budget stops it."""
    team = make_team(timezone="Asia/Seoul")
    content = calendar(
        event("20261123T010000Z", "20261123T020000Z", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    )
    response = post(team, content)
    assert response.status_code == 400
    assert "longer than 0.3 seconds" in response.json()["file"][0]


def test_interval_zero_is_not_a_calendar():
    team = make_team(timezone="Asia/Seoul")
    content = calendar(event("20261123T010000Z", "20261123T020000Z", "FREQ=DAILY;INTERVAL=0"))
    response = post(team, content)
    assert response.status_code == 400
    assert "iCalendar" in response.json()["file"][0]


# --- only the imported week is expanded -------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "most"),
    [
        ("FREQ=DAILY", "19900101T010000Z", 20),  # 13,000 days before the week
        ("FREQ=HOURLY;INTERVAL=3", "20000101T000000Z", 100),
        ("FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2", "19950102T010000Z", 10),
    ],
)
def test_old_recurring_events_expand_only_around_the_week(generated, rule, start, most):
    team = make_team(timezone="UTC")
    end = start[:11] + "59" + start[13:]  # the same hour, 59 minutes later
    response = post(team, calendar(event(start, end, rule)))
    assert response.status_code == 200, response.json()
    # Each rule is counted once by the bounds and expanded once by the library.
    assert generated["n"] <= 2 * most


def test_rebasing_keeps_the_occurrences_in_the_week():
    """A weekly event every other week since 1995 lands on the same days as unrebased."""
    team = make_team(timezone="UTC")
    client = APIClient()
    client.force_login(host_of(team).user)
    all_day = [day(f"2026-11-{n}", range(24)) for n in range(23, 30)]
    client.put(url(team.pk, "me/?week=2026-W48"), {"days": all_day}, format="json")
    # 1995-01-02 is a Monday; 2026-11-23 is 1,664 weeks later (even): the week is "on".
    content = calendar(
        event(
            "19950102T100000Z",
            "19950102T113000Z",
            "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2",
            "c",
            "EXDATE:20261125T100000Z",
        )
    )
    days = {d["date"]: d["available"] for d in post(team, content).json()["days"]}
    assert [h for h in range(24) if h not in days["2026-11-23"]] == [10, 11]
    assert days["2026-11-25"] == list(range(24))  # the EXDATE
    odd = post(team, content, query="week=2026-W49").json()
    assert all(d["available"] == [] for d in odd["days"])  # never painted: stays busy


# --- a realistic calendar: a weekly class and a tentative event ------------------------------


def test_a_weekly_class_and_a_tentative_event_leave_the_painted_evenings():
    """Issue 14: importing one class wiped a member's painted evenings. Now the class's
    hours become busy, the tentative meeting's free hours "if needed", and the rest of
    what was painted stays."""
    team = make_team(timezone="Asia/Seoul")
    paint_evenings(team)
    content = (DATA / "class-and-tentative.ics").read_bytes()
    response = post(team, content)
    assert response.status_code == 200, response.json()
    days = {d["date"]: (d["available"], d["if_needed"]) for d in response.json()["days"]}
    evenings = [19, 20, 21, 22]
    # Monday and Wednesday: the class 09:00-10:15 takes hours 9 and 10.
    assert days["2026-11-23"] == ([11, 12, *evenings], [])
    assert days["2026-11-25"] == ([11, 12, *evenings], [])
    # Friday: the tentative 11:00-13:00 turns painted 11 and 12 into "if needed".
    assert days["2026-11-27"] == ([9, 10, *evenings], [11, 12])
    for date in ("2026-11-24", "2026-11-26", "2026-11-28", "2026-11-29"):
        assert days[date] == ([9, 10, 11, 12, *evenings], [])
