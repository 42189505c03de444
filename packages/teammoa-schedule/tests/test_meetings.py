"""Meetings over REST: confirm a slot, move it, cancel it, download it; who may do what,
junk in every field, and constant query counts."""

from __future__ import annotations

import datetime
import json
import zoneinfo

import icalendar
import pytest
from rest_framework.test import APIClient

from teammoa.core.services import leave_team
from teammoa.core.testing.factories import add_member, host_of, make_team, make_user
from teammoa.schedule.models import Meeting
from tests.support import client_of, url

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
BODY = {
    "title": "Sprint review",
    "date": "2026-12-08",
    "start": "19:00",
    "end": "21:00",
    "place": "Library room 3",
    "notes": "Bring the slides",
}


@pytest.fixture
def team():
    return make_team(members=2, timezone="Asia/Seoul")


def create(client, team, **changes):
    # json.dumps escapes a lone surrogate as the JSON text "\\ud800", as a client would.
    body = json.dumps({**BODY, **changes})
    return client.post(url(team.pk, "meetings/"), body, content_type="application/json")


def test_a_member_confirms_a_meeting_in_the_teams_timezone(team):
    member = team.memberships.exclude(role="host").first()
    response = create(client_of(member.user), team)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["title"] == "Sprint review"
    assert (data["date"], data["start"], data["end"]) == ("2026-12-08", "19:00", "21:00")
    assert data["starts_at"] == "2026-12-08T19:00:00+09:00"
    assert data["timezone"] == "Asia/Seoul"
    assert data["created_by"] == member.pk
    assert data["cancelled"] is False
    assert data["ics_url"] == url(team.pk, f"meetings/{data['id']}/calendar.ics")
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2026, 12, 8, 10, tzinfo=datetime.UTC)


def test_a_meeting_may_end_at_midnight_and_takes_whole_hours(team):
    response = create(
        client_of(host_of(team).user), team, start=22, end=24, link="https://meet.example.com/x"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["start"], data["end"]) == ("22:00", "24:00")
    assert data["ends_at"] == "2026-12-09T00:00:00+09:00"
    assert data["link"] == "https://meet.example.com/x"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "\ud800"}, "title"),
        ({"title": 5}, "title"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": None}, "date"),
        ({"start": "25:00"}, "start"),
        ({"start": "9:5"}, "start"),
        ({"start": "24:00"}, "start"),
        ({"start": 9.5}, "start"),
        ({"start": True}, "start"),
        ({"end": "24:30"}, "end"),
        ({"end": "18:00"}, "end"),
        ({"end": "19:00"}, "end"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "meet"}, "link"),
        ({"place": "a\x00b"}, "place"),
        ({"notes": "n" * 2001}, "notes"),
        ({"color": "red"}, "color"),
    ],
)
def test_junk_is_a_400_naming_the_field_and_saves_nothing(team, changes, field):
    response = create(client_of(host_of(team).user), team, **changes)
    assert response.status_code == 400
    assert field in response.json()
    assert not Meeting.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(team):
    client = client_of(host_of(team).user)
    for body in ([1, 2], "text", 5):
        response = client.post(url(team.pk, "meetings/"), body, format="json")
        assert response.status_code == 400
    response = client.post(url(team.pk, "meetings/"), "{bad", content_type="application/json")
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_move_edit_and_cancel(team):
    client = client_of(host_of(team).user)
    meeting = create(client, team).json()
    path = url(team.pk, f"meetings/{meeting['id']}/")
    moved = client.patch(path, {"date": "2026-12-09", "start": "20:00"}, format="json")
    assert moved.status_code == 200, moved.json()
    data = moved.json()
    # The end stays the same time of day on the new date.
    assert (data["date"], data["start"], data["end"]) == ("2026-12-09", "20:00", "21:00")
    assert data["sequence"] == 1
    same = client.patch(path, {"title": "Sprint review"}, format="json")
    assert same.json()["sequence"] == 1  # nothing changed
    assert client.patch(path, {"end": "19:00"}, format="json").status_code == 400
    cancelled = client.post(f"{path}cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled"] is True
    assert cancelled.json()["sequence"] == 2
    assert client.post(f"{path}cancel/").status_code == 409
    assert client.patch(path, {"title": "Again"}, format="json").status_code == 409
    listed = client.get(url(team.pk, "meetings/")).json()
    assert listed["count"] == 0
    listed = client.get(url(team.pk, "meetings/?cancelled=1")).json()
    assert [m["id"] for m in listed["results"]] == [meeting["id"]]


def test_listing_by_week_and_upcoming(team):
    client = client_of(host_of(team).user)
    early = create(client, team, date="2026-11-30").json()
    later = create(client, team, date="2026-12-08").json()
    past = create(client, team, date="2020-01-06").json()
    week = client.get(url(team.pk, "meetings/?week=2026-W50")).json()
    assert [m["id"] for m in week["results"]] == [later["id"]]
    everything = client.get(url(team.pk, "meetings/")).json()
    assert [m["id"] for m in everything["results"]] == [past["id"], early["id"], later["id"]]
    upcoming = client.get(url(team.pk, "meetings/?upcoming=1")).json()
    assert past["id"] not in [m["id"] for m in upcoming["results"]]
    for junk in ("week=2026-W99", "week=x", "upcoming=maybe", "cancelled=2", "page=0"):
        response = client.get(url(team.pk, f"meetings/?{junk}"))
        assert response.status_code == 400, junk
        assert junk.split("=")[0] in response.json()


def test_non_members_get_404_and_other_teams_meetings_are_404(team):
    other = make_team(members=1)
    meeting = create(client_of(host_of(team).user), team).json()
    stranger = client_of(make_user())
    outsider = client_of(host_of(other).user)
    paths = [
        "meetings/",
        f"meetings/{meeting['id']}/",
        f"meetings/{meeting['id']}/calendar.ics",
    ]
    for path in paths:
        assert stranger.get(url(team.pk, path)).status_code == 404
        assert outsider.get(url(team.pk, path)).status_code == 404
    assert create(stranger, team).status_code == 404
    assert stranger.post(url(team.pk, f"meetings/{meeting['id']}/cancel/")).status_code == 404
    # The other team's host asks for this meeting under their own team: not there either.
    for path in paths[1:]:
        assert outsider.get(url(other.pk, path)).status_code == 404
    assert outsider.patch(url(other.pk, paths[1]), {"title": "x"}, format="json").status_code == 404
    assert outsider.post(url(other.pk, f"meetings/{meeting['id']}/cancel/")).status_code == 404
    assert APIClient().get(url(team.pk, "meetings/")).status_code == 401
    assert Meeting.objects.get().title == "Sprint review"


def test_meeting_ics_is_in_the_teams_timezone(team):
    client = client_of(host_of(team).user)
    meeting = create(client, team, link="https://meet.example.com/abc").json()
    response = client.get(meeting["ics_url"], HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime.datetime(2026, 12, 8, 19, tzinfo=SEOUL)
    assert event["dtstart"].params["TZID"] == "Asia/Seoul"
    assert str(event["summary"]) == "Sprint review"
    assert str(event["location"]) == "Library room 3"
    assert str(event["status"]) == "CONFIRMED"
    assert "https://meet.example.com/abc" in str(event["description"])
    assert calendar.walk("VTIMEZONE")


def test_a_member_who_leaves_keeps_their_meetings_for_the_team(team):
    member = team.memberships.exclude(role="host").first()
    meeting = create(client_of(member.user), team).json()
    leave_team(member.user, team.pk)
    data = client_of(host_of(team).user).get(url(team.pk, f"meetings/{meeting['id']}/")).json()
    assert data["created_by"] is None


def _list_queries(count: int, django_assert_max_num_queries) -> int:
    team = make_team(timezone="Asia/Seoul")
    host = host_of(team)
    for index in range(count):
        add_member(team)
        create(client_of(host.user), team, date=f"2026-12-{index % 28 + 1:02d}")
    client = client_of(host.user)
    # Session + user, membership (the base view, then the service), count, the page.
    with django_assert_max_num_queries(6) as captured:
        response = client.get(url(team.pk, "meetings/"))
    assert response.status_code == 200
    assert response.json()["count"] == count
    return len(captured)


def test_listing_takes_constant_queries(django_assert_max_num_queries):
    assert _list_queries(2, django_assert_max_num_queries) == _list_queries(
        20, django_assert_max_num_queries
    )


def test_writes_take_few_queries(team, django_assert_max_num_queries):
    client = client_of(host_of(team).user)
    with django_assert_max_num_queries(8):
        meeting = create(client, team).json()
    with django_assert_max_num_queries(9):
        client.patch(url(team.pk, f"meetings/{meeting['id']}/"), {"start": "18:00"}, format="json")
    with django_assert_max_num_queries(9):
        client.post(url(team.pk, f"meetings/{meeting['id']}/cancel/"))


def test_ids_past_bigint_are_404_not_500(team):
    client = client_of(host_of(team).user)
    huge = "9" * 26
    assert client.get(url(team.pk, f"meetings/{huge}/")).status_code == 404
    assert client.get(url(team.pk, f"meetings/{huge}/calendar.ics")).status_code == 404
    assert client.post(url(team.pk, f"meetings/{huge}/cancel/")).status_code == 404
    assert client.patch(url(team.pk, f"meetings/{huge}/"), {}, format="json").status_code == 404
    assert APIClient().get(f"/teams/{huge}/calendar/{'a' * 43}.ics").status_code == 404


def test_a_meeting_that_is_over_is_refused_one_under_way_is_noted(team, clock):
    """On Tuesday evening in Seoul, Monday's slot is gone: planning it is a 400 naming the
    start, nothing saved; a meeting under way may still be noted; an edit that keeps an
    old meeting's time still saves, and moving it into the past does not."""
    client = client_of(host_of(team).user)
    clock.set(datetime.datetime(2026, 12, 8, 19, 30, tzinfo=SEOUL))  # Tuesday 19:30

    over = create(client, team, date="2026-12-07")
    assert over.status_code == 400
    assert over.json()["start"] == ["This time is over. Pick one that has not ended yet."]
    ended_today = create(client, team, date="2026-12-08", start="17:00", end="19:00")
    assert ended_today.status_code == 400
    assert Meeting.objects.count() == 0

    under_way = create(client, team, date="2026-12-08", start="19:00", end="21:00")
    assert under_way.status_code == 201, under_way.json()
    path = url(team.pk, f"meetings/{under_way.json()['id']}/")
    clock.set(datetime.datetime(2026, 12, 9, 9, 0, tzinfo=SEOUL))  # the next morning
    renamed = client.patch(
        path, {"title": "Sprint review (notes)", "date": "2026-12-08"}, format="json"
    )
    assert renamed.status_code == 200, renamed.json()
    back = client.patch(path, {"date": "2026-12-01"}, format="json")
    assert back.status_code == 400
    assert "start" in back.json()
