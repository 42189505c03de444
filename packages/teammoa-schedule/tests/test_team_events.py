"""What the schedule tells the team's open pages (core's team events, docs/team-events.md):
a saved week, a saved usual week, a meeting confirmed, moved and cancelled — after the
commit, with who did it; a refused save tells nobody."""

from __future__ import annotations

import pytest

from teammoa.core.events import captured_team_events
from teammoa.core.models import display_name
from teammoa.core.testing.factories import host_of, make_team
from tests.support import day, url

pytestmark = pytest.mark.django_db

WEEK = "2026-W48"  # Monday 2026-11-23
MEETING = {"title": "Sprint review", "date": "2026-11-24", "start": "19:00", "end": "21:00"}


@pytest.fixture
def team():
    return make_team(members=1, timezone="Asia/Seoul")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a request and its commit hooks; the events it sent, without team and name."""

    def run(call):
        with captured_team_events() as events, django_capture_on_commit_callbacks(execute=True):
            response = call()
        return response, [
            {k: v for k, v in event.items() if k not in {"team", "name"}} for event in events
        ]

    return run


def test_saving_a_week_and_the_usual_week(as_user, team, sent):
    host = host_of(team).user
    client = as_user(host)
    body = {"days": [day("2026-11-23", [19, 20])]}
    response, events = sent(
        lambda: client.put(url(team.pk, f"me/?week={WEEK}"), body, format="json")
    )
    assert response.status_code == 200
    assert events == [{"type": "schedule.week_saved", "by": host.pk, "week": WEEK}]

    usual = {"days": [{"weekday": 1, "available": [9]}]}
    _response, events = sent(lambda: client.put(url(team.pk, "me/usual/"), usual, format="json"))
    assert events == [{"type": "schedule.usual_week_saved", "by": host.pk}]

    # Junk saves nothing and tells nobody.
    junk = {"days": [day("2026-11-23", [25])]}
    response, events = sent(
        lambda: client.put(url(team.pk, f"me/?week={WEEK}"), junk, format="json")
    )
    assert (response.status_code, events) == (400, [])


def test_a_meeting_confirmed_moved_and_cancelled(as_user, team, sent):
    host = host_of(team).user
    client = as_user(host)
    response, events = sent(lambda: client.post(url(team.pk, "meetings/"), MEETING, format="json"))
    meeting = response.json()["id"]
    assert events == [{"type": "meeting.created", "by": host.pk, "meeting": meeting}]
    path = url(team.pk, f"meetings/{meeting}/")
    _response, events = sent(lambda: client.patch(path, {"start": "18:00"}, format="json"))
    assert events == [{"type": "meeting.changed", "by": host.pk, "meeting": meeting}]
    _response, events = sent(lambda: client.post(f"{path}cancel/"))
    assert events == [{"type": "meeting.cancelled", "by": host.pk, "meeting": meeting}]


def test_the_name_is_the_actors_display_name(as_user, team, sent):
    host = host_of(team).user
    client = as_user(host)
    with captured_team_events() as events:
        sent(lambda: client.post(url(team.pk, "meetings/"), MEETING, format="json"))
    assert [event["name"] for event in events] == [display_name(host)]
