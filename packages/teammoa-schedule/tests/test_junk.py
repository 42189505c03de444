"""Junk in every query parameter and body field of the schedule API and page: always a
4xx naming the problem (or a normal answer where the value happens to be fine), never a
500, and nothing saved by a refused request (issue 9, item 6)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from teammoa.core.testing.factories import add_member, host_of, make_team
from tests.support import day, snapshot, url

pytestmark = pytest.mark.django_db

WEEK = "2026-W48"
MONDAY = "2026-11-23"


def in_digits(text: str, zero: int) -> str:
    return text.translate({ord(str(d)): chr(zero + d) for d in range(10)})


# Strings as a query string carries them (already decoded by Django, except the raw
# percent-escapes, which are sent as typed: invalid UTF-8 and a lone surrogate).
QUERY_JUNK: list[str] = [
    "",
    " ",
    "x",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "9" * 5000,  # int() refuses past 4,300 digits
    in_digits("2026", 0x0660) + "-W48",  # Arabic-Indic digits
    in_digits("12", 0x0660),
    "２",  # noqa: RUF001 - fullwidth two, on purpose
    "2026-W48\n",
    "2026-W48 ",
    "0001-W01",
    "9999-W52",
    "1969-W52",
    "2101-W01",
    "0001-01-01",
    "9999-12-31",
    "1969-12-31",
    "2101-01-01",
    "2026-11-23\n",
    "null",
    "true",
    "[]",
    "2026-W48,2026-W49",
    "\x00",
    "a" * 10_000,
]
RAW_QUERY_JUNK = ["%ED%A0%80", "%FF%FE", "%00", "%E2%80%AE2026-W48"]

# JSON values for body fields.
BODY_JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**30,
    "",
    "x",
    "9",
    "\ud800",
    "2026-11-23\n",
    "0001-01-01",
    "9999-12-31",
    [],
    {},
    [[1]],
    [None],
    [True],
    ["9"],
    [10**30],
    [-1, 24],
    [0] * 100_000,
    list(range(24)) * 2,
    {"a": 1},
    "a" * 10_000,
]


def all_ok(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]


def api_4xx_names_a_field(response: Any) -> None:
    all_ok(response)
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body and isinstance(body, dict), body


@pytest.fixture
def team_and_member():
    team = make_team(timezone="Asia/Seoul")
    add_member(team)
    return team, host_of(team)


@pytest.fixture
def client_of(as_user):
    def make(membership):
        return as_user(membership.user)

    return make


QUERY_CASES = [
    ("me/", {"week": WEEK}, "week"),
    ("availability/", {"week": WEEK}, "week"),
    ("availability/", {"week": WEEK}, "min"),
    ("availability/", {"week": WEEK}, "length"),
    ("availability/", {"week": WEEK}, "required"),
    ("slot.ics", {"date": MONDAY, "start": "9", "end": "10"}, "date"),
    ("slot.ics", {"date": MONDAY, "start": "9", "end": "10"}, "start"),
    ("slot.ics", {"date": MONDAY, "start": "9", "end": "10"}, "end"),
]


def query(params: dict[str, str], raw: dict[str, str] | None = None) -> str:
    parts = [f"{quote(k)}={quote(v, safe='')}" for k, v in params.items()]
    parts += [f"{k}={v}" for k, v in (raw or {}).items()]
    return "&".join(parts)


ALL_QUERY_JUNK = QUERY_JUNK + [f"raw:{r}" for r in RAW_QUERY_JUNK]


def with_junk(base: dict[str, str], param: str, junk: str) -> str:
    """``base`` with ``param`` set to ``junk`` (``raw:`` junk is sent percent-encoded as is)."""
    params = dict(base)
    if junk.startswith("raw:"):
        params.pop(param, None)
        return query(params, {param: junk[4:]})
    params[param] = junk
    return query(params)


def each_junk(values: list[Any], check: Any) -> None:
    """Run ``check(value)`` for every value; report every failure at once."""
    failures = []
    for value in values:
        try:
            check(value)
        except AssertionError as exc:
            failures.append(f"{value!r:.60}: {exc}"[:400])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("path", "base", "param"), QUERY_CASES)
def test_api_query_junk(client_of, team_and_member, path, base, param):
    team, member = team_and_member
    client = client_of(member)

    def check(junk: str) -> None:
        api_4xx_names_a_field(client.get(url(team.pk, f"{path}?{with_junk(base, param, junk)}")))

    each_junk(ALL_QUERY_JUNK, check)


PAGE_JUNK = [
    "9" * 5000,
    in_digits("2026", 0x0660) + "-W48",
    "2026-W48\n",
    "0001-W01",
    "9999-W52",
    "-1",
    "x",
    "raw:%ED%A0%80",
    "raw:%FF%FE",
]


@pytest.mark.parametrize("param", ["week", "min", "length", "required"])
def test_page_query_junk(client, team_and_member, param):
    team, member = team_and_member
    client.force_login(member.user)

    def check(junk: str) -> None:
        response = client.get(f"/teams/{team.pk}/schedule/?{with_junk({}, param, junk)}")
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 400:
            assert 'role="alert"' in response.content.decode()

    each_junk(PAGE_JUNK, check)


def week_body(**change: Any) -> dict[str, Any]:
    item = {**day(MONDAY, [9, 10], [11]), **change}
    return {"week": WEEK, "days": [item]}


WEEK_BODIES = {
    "week": lambda j: {"week": j, "days": []},
    "days": lambda j: {"week": WEEK, "days": j},
    "days[0]": lambda j: {"week": WEEK, "days": [j]},
    "days[0].date": lambda j: week_body(date=j),
    "days[0].available": lambda j: week_body(available=j),
    "days[0].if_needed": lambda j: week_body(if_needed=j),
    "body": lambda j: j,
}


@pytest.mark.parametrize("field", list(WEEK_BODIES))
def test_my_week_body_junk(client_of, team_and_member, field):
    team, member = team_and_member
    client = client_of(member)

    client.put(url(team.pk, f"me/?week={WEEK}"), week_body(), format="json")

    def check(junk: Any) -> None:
        before = snapshot()
        body = json.dumps(WEEK_BODIES[field](junk))
        response = client.put(url(team.pk, "me/"), body, content_type="application/json")
        api_4xx_names_a_field(response)
        if response.status_code >= 400:
            assert snapshot() == before

    each_junk(BODY_JUNK, check)


USUAL_BODIES = {
    "days": lambda j: {"days": j},
    "days[0].weekday": lambda j: {"days": [{"weekday": j, "available": [9]}]},
    "days[0].available": lambda j: {"days": [{"weekday": 1, "available": j}]},
    "days[0].if_needed": lambda j: {"days": [{"weekday": 1, "if_needed": j}]},
    "body": lambda j: j,
}


@pytest.mark.parametrize("field", list(USUAL_BODIES))
def test_usual_week_body_junk(client_of, team_and_member, field):
    team, member = team_and_member
    client = client_of(member)

    def check(junk: Any) -> None:
        before = snapshot()
        body = json.dumps(USUAL_BODIES[field](junk))
        response = client.put(url(team.pk, "me/usual/"), body, content_type="application/json")
        api_4xx_names_a_field(response)
        if response.status_code >= 400:
            assert snapshot() == before

    each_junk(BODY_JUNK, check)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"days": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"\xff\xfe",
        b'{"week": "2026-W48", "days": NaN}',
        b"",
    ],
    ids=["truncated", "nested", "nested-days", "not-utf8", "nan", "empty"],
)
@pytest.mark.parametrize("path", ["me/?week=2026-W48", "me/usual/"])
def test_bodies_that_are_not_json(client_of, team_and_member, body, path):
    team, member = team_and_member
    before = snapshot()
    response = client_of(member).put(url(team.pk, path), body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert snapshot() == before


IMPORT_PARAMS = ["week", "from", "to", "weekend", "preview"]


@pytest.mark.parametrize("param", IMPORT_PARAMS)
def test_import_query_junk(client_of, team_and_member, param):
    team, member = team_and_member
    client = client_of(member)
    calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"

    def check(junk: str) -> None:
        before = snapshot()
        response = client.post(
            url(team.pk, f"import/?{with_junk({'week': WEEK}, param, junk)}"),
            {"file": SimpleUploadedFile("c.ics", calendar, content_type="text/calendar")},
            format="multipart",
        )
        api_4xx_names_a_field(response)
        if response.status_code >= 400:
            assert snapshot() == before

    each_junk(ALL_QUERY_JUNK, check)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 1000,
        "BEGIN:VCALENDAR\r\nX-\ud800:1\r\nEND:VCALENDAR\r\n".encode("utf-8", "surrogatepass"),
        b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\n" * 20_000 + b"END:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:00010101T000000Z\r\n"
        b"DTEND:99991231T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261123T000000Z\r\n"
        b"DURATION:P99999999W\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261123T000000Z\r\n"
        b"RRULE:FREQ=DAILY;UNTIL=99991231T000000Z;INTERVAL=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261123T000000Z\r\n"
        b"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Nowhere/Land:20261123T090000\r\n"
        b"DTEND;TZID=Nowhere/Land:20261123T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
    ids=[
        "empty",
        "nuls",
        "surrogate",
        "unclosed-events",
        "year-1-to-9999",
        "huge-duration",
        "interval-0",
        "never-matches",
        "unknown-tzid",
    ],
)
def test_import_file_junk(client_of, team_and_member, content):
    team, member = team_and_member
    before = snapshot()
    response = client_of(member).post(
        url(team.pk, f"import/?week={WEEK}"),
        {"file": SimpleUploadedFile("c.ics", content, content_type="text/calendar")},
        format="multipart",
    )
    api_4xx_names_a_field(response)
    if response.status_code >= 400:
        assert snapshot() == before
