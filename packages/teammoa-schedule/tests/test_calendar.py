"""iCalendar export of a slot and import of busy times, including DST weeks."""

import datetime
import zoneinfo
from pathlib import Path

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from teammoa.core.testing.factories import add_member, host_of, make_team
from tests.support import day, snapshot, url

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UTC = datetime.UTC


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def export(user, team, query, **headers):
    return client_for(user).get(url(team.pk, f"slot.ics?{query}"), **headers)


def event_of(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


# --- export ------------------------------------------------------------------------------------


def test_slot_export_parses_back_with_tzid_and_vtimezone():
    team = make_team(timezone="Asia/Seoul", title="Capstone")
    a, b = host_of(team), add_member(team)
    for member, hours in ((a, [9, 10]), (b, [9])):
        client_for(member.user).put(
            url(team.pk, "me/?week=2026-W48"), {"days": [day("2026-11-23", hours)]}, format="json"
        )
    response = export(a.user, team, "date=2026-11-23&start=9&end=11")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".ics" in response["Content-Disposition"]
    calendar, event = event_of(response)
    assert calendar["VERSION"] == "2.0"
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event["DTEND"].params["TZID"] == "Asia/Seoul"
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    assert event.decoded("DTSTART") == datetime.datetime(2026, 11, 23, 9, tzinfo=seoul)
    assert event.decoded("DTEND") == datetime.datetime(2026, 11, 23, 11, tzinfo=seoul)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert "Capstone" in str(event["SUMMARY"])
    assert event["UID"] and "DTSTAMP" in event
    # The first member is free throughout; the second only for 9–10, so not listed.
    assert a.name in str(event["DESCRIPTION"]) and b.name not in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    ("date", "utc_hour"),
    [
        ("2026-03-28", 8),  # CET, UTC+1
        ("2026-03-29", 7),  # CEST from 02:00 that Sunday
        ("2026-10-24", 7),  # still CEST
        ("2026-10-25", 8),  # CET again from 03:00 that Sunday
    ],
)
def test_slot_export_across_dst_changes(date, utc_hour):
    team = make_team(timezone="Europe/Berlin")
    response = export(host_of(team).user, team, f"date={date}&start=9&end=10")
    assert response.status_code == 200
    calendar, event = event_of(response)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    start = event.decoded("DTSTART").astimezone(UTC)
    assert (start.hour, start.date().isoformat()) == (utc_hour, date)
    assert (event.decoded("DTEND") - event.decoded("DTSTART")) == datetime.timedelta(hours=1)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Berlin"
    offsets = {str(c.name): c["TZOFFSETTO"].td for c in vtimezone.subcomponents}
    assert offsets == {
        "STANDARD": datetime.timedelta(hours=1),
        "DAYLIGHT": datetime.timedelta(hours=2),
    }


def test_slot_until_midnight_ends_next_day():
    team = make_team(timezone="Asia/Seoul")
    _, event = event_of(export(host_of(team).user, team, "date=2026-12-31&start=22&end=24"))
    end = event.decoded("DTEND")
    assert (end.date(), end.hour) == (datetime.date(2027, 1, 1), 0)


def test_calendar_clients_asking_for_text_calendar_get_it():
    team = make_team()
    response = export(
        host_of(team).user, team, "date=2026-11-23&start=9&end=10", HTTP_ACCEPT="text/calendar"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=9&end=10", "date"),
        ("date=2026-11-31&start=9&end=10", "date"),
        ("date=20261123&start=9&end=10", "date"),
        ("date=2026-11-23&start=24&end=24", "start"),
        ("date=2026-11-23&start=-1&end=2", "start"),
        ("date=2026-11-23&start=x&end=2", "start"),
        ("date=2026-11-23&start=9", "end"),
        ("date=2026-11-23&start=9&end=25", "end"),
        ("date=2026-11-23&start=9&end=9", "end"),
        ("date=2026-11-23&start=9&end=8", "end"),
    ],
)
def test_slot_export_bad_parameters(query, field):
    team = make_team()
    response = export(host_of(team).user, team, query, HTTP_ACCEPT="text/calendar")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


# --- import ------------------------------------------------------------------------------------


def upload(user, team, content, query="week=2026-W48", name="calendar.ics", **data):
    file = SimpleUploadedFile(name, content, content_type="text/calendar")
    return client_for(user).post(
        url(team.pk, f"import/?{query}"), {"file": file, **data}, format="multipart"
    )


def hours_by_date(response):
    return {d["date"]: (d["available"], d["if_needed"]) for d in response.json()["days"]}


WEEK_DATES = [f"2026-11-{n}" for n in range(23, 30)]
WORK = list(range(9, 18))
EVENINGS = [19, 20, 21, 22]


def paint(user, team, week="2026-W48", dates=WEEK_DATES, available=WORK + EVENINGS, maybe=()):
    response = client_for(user).put(
        url(team.pk, f"me/?week={week}"),
        {"days": [day(date, available, maybe) for date in dates]},
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_import_merges_a_real_calendar():
    """SPEC section 9: busy events make hours unavailable, tentative ones "if needed";
    nothing is made available, and painted hours outside events stay."""
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    paint(member.user, team)
    response = upload(member.user, team, (DATA / "google-2026-W48.ics").read_bytes())
    assert response.status_code == 200, response.json()
    days = hours_by_date(response)
    painted = WORK + EVENINGS

    def without(*hours):
        return [hour for hour in painted if hour not in hours]

    assert days["2026-11-23"] == (without(10, 11), [])  # weekly lecture 10:00-11:30
    assert days["2026-11-24"] == (without(14), [])  # 05:00Z lunch = 14:00 KST
    assert days["2026-11-25"] == ([], [])  # all-day field trip (the lecture is an EXDATE)
    assert days["2026-11-26"] == (without(15, 16), [15, 16])  # tentative: if needed
    # Cancelled and transparent events are ignored; the club dinner 17:30-23:30 is busy.
    assert days["2026-11-27"] == (without(17, 19, 20, 21, 22), [])
    assert days["2026-11-28"] == (painted, []) and days["2026-11-29"] == (painted, [])
    body = response.json()
    assert body["preview"] is False
    assert {c["date"]: (c["busy"], c["if_needed"]) for c in body["changes"]} == {
        "2026-11-23": ([10, 11], []),
        "2026-11-24": ([14], []),
        "2026-11-25": (painted, []),
        "2026-11-26": ([], [15, 16]),
        "2026-11-27": ([17, 19, 20, 21, 22], []),
    }
    # Saved: my week now reads the same.
    mine = client_for(member.user).get(url(team.pk, "me/?week=2026-W48")).json()
    assert hours_by_date_json(mine) == days


def hours_by_date_json(data):
    return {d["date"]: (d["available"], d["if_needed"]) for d in data["days"]}


def test_import_never_makes_hours_available():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    response = upload(member.user, team, (DATA / "google-2026-W48.ics").read_bytes())
    assert response.status_code == 200
    assert all(hours == ([], []) for hours in hours_by_date(response).values())
    assert response.json()["changes"] == []


def test_tentative_keeps_busy_hours_busy_and_if_needed_hours_if_needed():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    # 15 painted "if needed", 16 busy (not painted): the tentative 15-17 event changes neither.
    paint(member.user, team, dates=["2026-11-26"], available=[9], maybe=[15])
    response = upload(member.user, team, (DATA / "google-2026-W48.ics").read_bytes())
    assert hours_by_date(response)["2026-11-26"] == ([9], [15])


def test_import_merges_into_the_usual_week():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    client = client_for(member.user)
    usual = {"days": [{"weekday": n, "available": [10, 11, 12, 20]} for n in range(1, 8)]}
    assert client.put(url(team.pk, "me/usual/"), usual, format="json").status_code == 200
    days = hours_by_date(upload(member.user, team, (DATA / "google-2026-W48.ics").read_bytes()))
    assert days["2026-11-23"] == ([12, 20], [])
    mine = client.get(url(team.pk, "me/?week=2026-W48")).json()
    assert not any(d["from_usual"] for d in mine["days"])  # the week is painted now


def test_preview_returns_the_merged_week_and_saves_nothing():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    paint(member.user, team)
    before = snapshot()
    response = upload(
        member.user,
        team,
        (DATA / "google-2026-W48.ics").read_bytes(),
        query="week=2026-W48&preview=1",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["preview"] is True
    assert hours_by_date(response)["2026-11-23"][0] == [9, 12, 13, 14, 15, 16, 17, *EVENINGS]
    assert len(body["changes"]) == 5
    assert snapshot() == before


def test_v1_working_hour_parameters_are_accepted_and_ignored():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    paint(member.user, team)
    response = upload(
        member.user,
        team,
        (DATA / "google-2026-W48.ics").read_bytes(),
        query="week=2026-W48&from=8&to=12&weekend=true",
    )
    assert response.status_code == 200
    assert hours_by_date(response)["2026-11-28"] == (WORK + EVENINGS, [])


def test_import_raw_text_calendar_body():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    paint(member.user, team)
    response = client_for(member.user).post(
        url(team.pk, "import/?week=2026-W48"),
        (DATA / "google-2026-W48.ics").read_bytes(),
        content_type="text/calendar",
    )
    assert response.status_code == 200
    assert hours_by_date(response)["2026-11-24"][0] == [9, 10, 11, 12, 13, 15, 16, 17, *EVENINGS]


def _calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//test//EN", *events, "END:VCALENDAR"]
    return "\r\n".join(lines).encode() + b"\r\n"


def _event(uid: str, start: str, end: str) -> str:
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260301T000000Z",
            f"DTSTART:{start}",
            f"DTEND:{end}",
            "END:VEVENT",
        ]
    )


def test_import_across_dst_in_berlin():
    """The same UTC meeting is 09–11 local on Saturday and 10–12 local on the Sunday the
    clocks go forward; the skipped hour 02:00 is never busy."""
    team = make_team(timezone="Europe/Berlin")
    content = _calendar(
        _event("sat", "20260328T080000Z", "20260328T100000Z"),
        _event("sun", "20260329T080000Z", "20260329T100000Z"),
        _event("night", "20260329T003000Z", "20260329T013000Z"),  # 01:30 CET – 03:30 CEST
    )
    member = host_of(team)
    dates = [f"2026-03-{n}" for n in range(23, 30)]
    paint(member.user, team, week="2026-W13", dates=dates, available=range(24))
    response = upload(member.user, team, content, query="week=2026-W13")
    assert response.status_code == 200
    days = hours_by_date(response)
    assert sorted(set(range(24)) - set(days["2026-03-28"][0])) == [9, 10]
    assert sorted(set(range(24)) - set(days["2026-03-29"][0])) == [1, 3, 10, 11]


def test_import_freebusy_periods():
    team = make_team(timezone="UTC")
    content = _calendar(
        "BEGIN:VFREEBUSY",
        "UID:fb",
        "DTSTAMP:20261120T000000Z",
        "FREEBUSY;FBTYPE=BUSY:20261123T100000Z/PT2H",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261123T150000Z/20261123T160000Z",
        "FREEBUSY;FBTYPE=FREE:20261123T090000Z/PT1H",
        "END:VFREEBUSY",
    )
    member = host_of(team)
    paint(member.user, team)
    response = upload(member.user, team, content)
    assert response.status_code == 200
    assert hours_by_date(response)["2026-11-23"] == ([9, 12, 13, 14, 16, 17, *EVENINGS], [15])


@pytest.mark.parametrize(
    "content",
    [
        b"hello, not a calendar",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"BEGIN:VCALENDAR\r\nthis is not a content line\r\n",
        b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261123T1000Z\r\n"
        b"RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
)
def test_import_junk_is_400_and_saves_nothing(content):
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    client_for(member.user).put(
        url(team.pk, "me/?week=2026-W48"), {"days": [day("2026-11-23", [20])]}, format="json"
    )
    before = snapshot()
    response = upload(member.user, team, content)
    assert response.status_code == 400
    assert "iCalendar" in response.json()["file"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("week=2026-48", "week"),
        ("", "week"),
        ("week=0001-W01", "week"),
        ("week=9999-W52", "week"),
        ("week=2026-W48&preview=perhaps", "preview"),
    ],
)
def test_import_bad_parameters(query, field):
    team = make_team()
    before = snapshot()
    response = upload(host_of(team).user, team, _calendar(), query=query)
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_import_without_a_file():
    team = make_team()
    response = client_for(host_of(team).user).post(
        url(team.pk, "import/?week=2026-W48"), {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


@override_settings(TEAMMOA_SCHEDULE_IMPORT_MAX_BYTES=100)
def test_import_too_large():
    team = make_team()
    response = upload(host_of(team).user, team, (DATA / "google-2026-W48.ics").read_bytes())
    assert response.status_code == 400
    assert "large" in response.json()["file"][0]
