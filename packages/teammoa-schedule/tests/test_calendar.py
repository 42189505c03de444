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


def test_import_a_real_calendar():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    response = upload(member.user, team, (DATA / "google-2026-W48.ics").read_bytes())
    assert response.status_code == 200, response.json()
    days = hours_by_date(response)
    work = set(range(9, 18))
    assert days["2026-11-23"] == (sorted(work - {10, 11}), [])  # weekly lecture 10:00–11:30
    assert days["2026-11-24"] == (sorted(work - {14}), [])  # 05:00Z lunch = 14:00 KST
    assert days["2026-11-25"] == ([], [])  # all-day field trip (the lecture is an EXDATE)
    assert days["2026-11-26"] == (sorted(work - {15, 16}), [15, 16])  # tentative
    assert days["2026-11-27"] == (sorted(work - {17}), [])  # cancelled and free events ignored
    assert days["2026-11-28"] == ([], []) and days["2026-11-29"] == ([], [])
    # Saved: my week now reads the same, and it is no longer from the usual week.
    mine = client_for(member.user).get(url(team.pk, "me/?week=2026-W48")).json()
    assert hours_by_date_json(mine) == days


def hours_by_date_json(data):
    return {d["date"]: (d["available"], d["if_needed"]) for d in data["days"]}


def test_import_with_chosen_hours_and_weekend():
    team = make_team(timezone="Asia/Seoul")
    response = upload(
        host_of(team).user,
        team,
        (DATA / "google-2026-W48.ics").read_bytes(),
        query="week=2026-W48&from=8&to=12&weekend=true",
    )
    days = hours_by_date(response)
    assert days["2026-11-23"] == ([8, 9], [])
    assert days["2026-11-28"] == ([8, 9, 10, 11], [])


def test_import_form_fields_work_too():
    team = make_team(timezone="Asia/Seoul")
    response = upload(
        host_of(team).user,
        team,
        (DATA / "google-2026-W48.ics").read_bytes(),
        **{"from": "13", "to": "15", "weekend": "false"},
    )
    assert hours_by_date(response)["2026-11-24"] == ([13], [])


def test_import_raw_text_calendar_body():
    team = make_team(timezone="Asia/Seoul")
    response = client_for(host_of(team).user).post(
        url(team.pk, "import/?week=2026-W48"),
        (DATA / "google-2026-W48.ics").read_bytes(),
        content_type="text/calendar",
    )
    assert response.status_code == 200
    assert hours_by_date(response)["2026-11-24"][0] == [9, 10, 11, 12, 13, 15, 16, 17]


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
    response = upload(
        host_of(team).user, team, content, query="week=2026-W13&from=0&to=24&weekend=1"
    )
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
    response = upload(host_of(team).user, team, content)
    assert response.status_code == 200
    assert hours_by_date(response)["2026-11-23"] == ([9, 12, 13, 14, 16, 17], [15])


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
        ("week=2026-W48&from=18&to=9", "to"),
        ("week=2026-W48&from=24", "from"),
        ("week=2026-W48&to=0", "to"),
        ("week=2026-W48&weekend=perhaps", "weekend"),
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
