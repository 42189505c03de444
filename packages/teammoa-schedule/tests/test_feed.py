"""The private calendar feed (a subscription URL with a secret) and the schedule's team
setting for the hours shown."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
import pytest
from rest_framework.test import APIClient

from teammoa.core.services import create_milestone, remove_member
from teammoa.core.testing.factories import host_of, make_team, make_user
from teammoa.schedule.models import CalendarFeed, ScheduleSettings
from tests.support import client_of, url

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture
def team():
    return make_team(members=1, timezone="Asia/Seoul")


def member_of(team):
    return team.memberships.select_related("user").exclude(role="host").first()


def feed_url(client, team) -> str:
    response = client.post(url(team.pk, "feed/"))
    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "private, no-store"
    return response.json()["url"]


def events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_the_confirmed_meeting_and_milestones_in_the_teams_timezone(team):
    member = member_of(team)
    client = client_of(member.user)
    assert client.get(url(team.pk, "feed/")).json() == {
        "enabled": False,
        "url": None,
        "created_at": None,
    }
    address = feed_url(client, team)
    assert address.startswith(f"http://testserver/teams/{team.pk}/calendar/")
    meeting = client.post(
        url(team.pk, "meetings/"),
        {"title": "Review", "date": "2026-12-08", "start": "19:00", "end": "21:00"},
        format="json",
    ).json()
    create_milestone(
        member.user, team.pk, title="Prototype", start_date="2026-12-01", end_date="2026-12-14"
    )

    # A calendar app has no session: the secret in the address is enough.
    response = APIClient().get(address)
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Seoul"
    found = events(response)
    review = found["Review"]
    assert review["dtstart"].params["TZID"] == "Asia/Seoul"
    assert review.decoded("dtstart") == datetime.datetime(2026, 12, 8, 19, tzinfo=SEOUL)
    assert review.decoded("dtend") == datetime.datetime(2026, 12, 8, 21, tzinfo=SEOUL)
    assert str(review["status"]) == "CONFIRMED"
    assert str(review["uid"]) == f"teammoa-meeting-{meeting['id']}@testserver"
    milestone = found["Milestone: Prototype"]
    assert milestone.decoded("dtstart") == datetime.date(2026, 12, 1)
    assert milestone.decoded("dtend") == datetime.date(2026, 12, 15)  # exclusive
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"

    # Moving the meeting changes the feed; cancelling marks it cancelled.
    path = url(team.pk, f"meetings/{meeting['id']}/")
    client.patch(path, {"start": "18:00"}, format="json")
    moved = events(APIClient().get(address))["Review"]
    assert moved.decoded("dtstart") == datetime.datetime(2026, 12, 8, 18, tzinfo=SEOUL)
    assert int(moved["sequence"]) == 1
    client.post(f"{path}cancel/")
    cancelled = events(APIClient().get(address))["Review"]
    assert str(cancelled["status"]) == "CANCELLED"


def test_a_new_secret_ends_the_old_address_and_revoking_ends_the_feed(team):
    client = client_of(member_of(team).user)
    first = feed_url(client, team)
    second = feed_url(client, team)
    assert first != second
    assert APIClient().get(first).status_code == 404
    assert APIClient().get(second).status_code == 200
    assert client.get(url(team.pk, "feed/")).json()["url"] == second
    assert client.delete(url(team.pk, "feed/")).status_code == 204
    assert APIClient().get(second).status_code == 404
    assert client.get(url(team.pk, "feed/")).json()["enabled"] is False


def test_the_feed_ends_with_the_membership(team):
    member = member_of(team)
    address = feed_url(client_of(member.user), team)
    remove_member(host_of(team).user, team.pk, member.pk)
    assert APIClient().get(address).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_a_token_only_opens_its_own_team(team):
    other = make_team(members=0)
    address = feed_url(client_of(member_of(team).user), team)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert APIClient().get(f"/teams/{other.pk}/calendar/{token}.ics").status_code == 404
    assert APIClient().get(f"/teams/{team.pk}/calendar/{token.swapcase()}.ics").status_code == 404
    for junk in ("x", "a" * 65, "a" * 43, "%00" * 30, "%ED%A0%80" * 10):
        assert APIClient().get(f"/teams/{team.pk}/calendar/{junk}.ics").status_code == 404
    assert APIClient().post(address).status_code == 405
    assert APIClient().head(address).status_code == 200


def test_feed_management_is_member_only(team):
    stranger = client_of(make_user())
    for method in ("get", "post", "delete"):
        assert getattr(stranger, method)(url(team.pk, "feed/")).status_code == 404
        assert getattr(APIClient(), method)(url(team.pk, "feed/")).status_code == 401
    assert not CalendarFeed.objects.exists()


def _feed_queries(meetings: int, milestones: int, django_assert_max_num_queries) -> int:
    team = make_team(timezone="Asia/Seoul")
    host = host_of(team)
    client = client_of(host.user)
    address = feed_url(client, team)
    for index in range(meetings):
        client.post(
            url(team.pk, "meetings/"),
            {"title": f"M{index}", "date": "2026-12-08", "start": index % 20, "end": 22},
            format="json",
        )
    for index in range(milestones):
        create_milestone(
            host.user, team.pk, title=f"S{index}", start_date="2026-12-01", end_date="2026-12-02"
        )
    # The feed and its member, meetings, the membership check of core's milestones, milestones.
    with django_assert_max_num_queries(4) as captured:
        response = APIClient().get(address)
    assert response.status_code == 200
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == (
        meetings + milestones
    )
    return len(captured)


def test_the_feed_takes_constant_queries(django_assert_max_num_queries):
    assert _feed_queries(1, 1, django_assert_max_num_queries) == _feed_queries(
        15, 10, django_assert_max_num_queries
    )


# --- the hours shown ------------------------------------------------------------------------


def test_the_host_sets_the_hours_shown_and_members_read_them(team):
    host = client_of(host_of(team).user)
    member = client_of(member_of(team).user)
    path = url(team.pk, "settings/")
    assert member.get(path).json() == {"first_hour": None, "last_hour": None}
    response = host.put(path, {"first_hour": 8, "last_hour": 24}, format="json")
    assert response.status_code == 200, response.json()
    assert member.get(path).json() == {"first_hour": 8, "last_hour": 24}
    assert member.put(path, {"first_hour": 0, "last_hour": 24}, format="json").status_code == 403
    assert host.put(path, {"first_hour": None, "last_hour": None}, format="json").json() == {
        "first_hour": None,
        "last_hour": None,
    }
    assert not ScheduleSettings.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_hour": 10, "last_hour": 10}, "last_hour"),
        ({"first_hour": 24, "last_hour": 24}, "first_hour"),
        ({"first_hour": -1, "last_hour": 5}, "first_hour"),
        ({"first_hour": 8, "last_hour": 25}, "last_hour"),
        ({"first_hour": 8.5, "last_hour": 20}, "first_hour"),
        ({"first_hour": "８", "last_hour": 20}, "first_hour"),  # noqa: RUF001 - fullwidth
        ({"first_hour": 8}, "last_hour"),
        ({"first_hour": 8, "last_hour": 20, "extra": 1}, "extra"),
    ],
)
def test_junk_hours_are_a_400_naming_the_field(team, body, field):
    host = client_of(host_of(team).user)
    response = host.put(url(team.pk, "settings/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ScheduleSettings.objects.exists()
    assert host.put(url(team.pk, "settings/"), [1], format="json").status_code == 400


def test_settings_are_member_only(team):
    stranger = client_of(make_user())
    assert stranger.get(url(team.pk, "settings/")).status_code == 404
    body = {"first_hour": 8, "last_hour": 20}
    assert stranger.put(url(team.pk, "settings/"), body, format="json").status_code == 404
    assert APIClient().get(url(team.pk, "settings/")).status_code == 401
