"""My week and my usual week through the API: shapes, atomic saves and strict validation."""

import re

import pytest

from teammoa.core.testing.factories import add_member, make_team
from teammoa.schedule.models import DayAvailability
from tests.support import day, snapshot, url

pytestmark = pytest.mark.django_db

WEEK = "2026-W48"  # Monday 2026-11-23


@pytest.fixture
def team():
    return make_team(members=1, timezone="Asia/Seoul")


def put_week(client, team, body, week=WEEK):
    return client.put(url(team.pk, f"me/?week={week}"), body, format="json")


def test_get_returns_seven_empty_days(as_user, team, host):
    response = as_user(host.user).get(url(team.pk, f"me/?week={WEEK}"))
    assert response.status_code == 200
    data = response.json()
    assert data["week"] == WEEK
    assert [d["date"] for d in data["days"]] == [f"2026-11-{n}" for n in range(23, 30)]
    assert all(
        d["available"] == [] and d["if_needed"] == [] and d["from_usual"] is False
        for d in data["days"]
    )


def test_put_replaces_the_whole_week(as_user, team, host):
    client = as_user(host.user)
    first = {"days": [day("2026-11-23", [11, 9, 10], [12]), day("2026-11-24", [14])]}
    assert put_week(client, team, first).status_code == 200
    second = {"week": WEEK, "days": [day("2026-11-24", [], [20, 21])]}
    response = put_week(client, team, second)
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()["days"]}
    assert days["2026-11-23"]["available"] == []  # left out → empty
    assert days["2026-11-24"] == {
        "date": "2026-11-24",
        "available": [],
        "if_needed": [20, 21],
        "from_usual": False,
    }
    # Every day of the week has a row, stored sorted.
    rows = DayAvailability.objects.filter(membership=host).order_by("date")
    assert rows.count() == 7
    assert client.get(url(team.pk, f"me/?week={WEEK}")).json() == response.json()


def test_hours_are_stored_sorted(as_user, team, host):
    put_week(as_user(host.user), team, {"days": [day("2026-11-23", [17, 3, 9], [23, 0])]})
    row = DayAvailability.objects.get(membership=host, date="2026-11-23")
    assert row.available_hours == [3, 9, 17]
    assert row.if_needed_hours == [0, 23]


def test_week_in_body_only(as_user, team, host):
    client = as_user(host.user)
    response = client.put(
        url(team.pk, "me/"), {"week": WEEK, "days": [day("2026-11-29", [8])]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["days"][6]["available"] == [8]


def test_week_in_url_and_body_must_agree(as_user, team, host):
    response = put_week(as_user(host.user), team, {"week": "2026-W49", "days": []})
    assert response.status_code == 400
    assert "week" in response.json()


def test_year_boundary_weeks(as_user, team, host):
    client = as_user(host.user)
    response = put_week(client, team, {"days": [day("2027-01-03", [10])]}, week="2026-W53")
    assert response.status_code == 200
    assert response.json()["days"][-1]["date"] == "2027-01-03"
    data = client.get(url(team.pk, "me/?week=2025-W01")).json()
    assert data["days"][0]["date"] == "2024-12-30"


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "2025-W53", "abc", "", "2026-W00"])
def test_junk_weeks_are_400_with_the_form(as_user, team, host, week):
    client = as_user(host.user)
    response = client.get(url(team.pk, f"me/?week={week}"))
    assert response.status_code == 400
    assert "YYYY-Www" in response.json()["week"][0]
    before = snapshot()
    response = put_week(client, team, {"days": [day("2026-11-23", [9])]}, week=week)
    assert response.status_code == 400
    assert snapshot() == before


def test_missing_week_is_400(as_user, team, host):
    response = as_user(host.user).get(url(team.pk, "me/"))
    assert response.status_code == 400
    assert "YYYY-Www" in response.json()["week"][0]


BAD_BODIES = [
    ({"days": [day("2026-11-23", [-1])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [24])]}, "days[0].available"),
    ({"days": [day("2026-11-23", ["9"])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [9.5])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [9.0])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [True])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [None])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [9, 9])]}, "days[0].available"),
    ({"days": [day("2026-11-23", [], [3, 3])]}, "days[0].if_needed"),
    ({"days": [day("2026-11-23", [9, 10], [10])]}, "days[0].if_needed"),
    ({"days": [{"date": "2026-11-23", "available": "9"}]}, "days[0].available"),
    ({"days": [day("2026-11-23", [9]), day("2026-11-30", [9])]}, "days[1].date"),
    ({"days": [day("2026-11-22", [9])]}, "days[0].date"),
    ({"days": [day("2026-11-23", [9]), day("2026-11-23", [10])]}, "days[1].date"),
    ({"days": [day("23/11/2026", [9])]}, "days[0].date"),
    ({"days": [{"available": [9]}]}, "days[0].date"),
    ({"days": ["2026-11-23"]}, "days[0]"),
    ({"days": "all"}, "days"),
    ({}, "days"),
    ([], "non_field_errors"),
    ({"days": [day("2026-11-23")] * 8}, "days"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_bad_bodies_name_the_field_and_save_nothing(as_user, team, host, body, field):
    client = as_user(host.user)
    put_week(client, team, {"days": [day("2026-11-25", [13, 14])]})
    before = snapshot()
    # A valid day in front: the whole request fails, so it is not saved either.
    if isinstance(body, dict) and isinstance(body.get("days"), list) and field != "days":
        body = {"days": [day("2026-11-29", [1]), *body["days"]]}
        field = re.sub(r"days\[(\d+)\]", lambda m: f"days[{int(m[1]) + 1}]", field)
    response = put_week(client, team, body)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_malformed_json_is_400(as_user, team, host):
    response = as_user(host.user).put(
        url(team.pk, f"me/?week={WEEK}"), "{nope", content_type="application/json"
    )
    assert response.status_code == 400


def test_a_members_put_changes_only_their_week(as_user, team, host):
    other = add_member(team)
    put_week(as_user(other.user), team, {"days": [day("2026-11-23", [9, 10])]})
    before = [r for r in snapshot() if r[0] == other.pk]
    put_week(as_user(host.user), team, {"days": [day("2026-11-23", [15])]})
    assert [r for r in snapshot() if r[0] == other.pk] == before
    theirs = as_user(other.user).get(url(team.pk, f"me/?week={WEEK}")).json()
    assert theirs["days"][0]["available"] == [9, 10]


def test_weeks_are_per_team(as_user, team, host):
    second = make_team(host=host.user)
    put_week(as_user(host.user), team, {"days": [day("2026-11-23", [9])]})
    mine = as_user(host.user).get(url(second.pk, f"me/?week={WEEK}")).json()
    assert mine["days"][0]["available"] == []


# --- usual week ------------------------------------------------------------------------------


def test_usual_week_prefills_unpainted_weeks(as_user, team, host):
    client = as_user(host.user)
    usual = {
        "days": [
            {"weekday": 1, "available": [9, 10, 11], "if_needed": [12]},
            {"weekday": 7, "available": [20]},
        ]
    }
    response = client.put(url(team.pk, "me/usual/"), usual, format="json")
    assert response.status_code == 200
    assert response.json()["days"][0] == {"weekday": 1, "available": [9, 10, 11], "if_needed": [12]}
    assert response.json()["days"][1] == {"weekday": 2, "available": [], "if_needed": []}
    assert client.get(url(team.pk, "me/usual/")).json() == response.json()

    week = client.get(url(team.pk, f"me/?week={WEEK}")).json()
    assert week["days"][0] == {
        "date": "2026-11-23",
        "available": [9, 10, 11],
        "if_needed": [12],
        "from_usual": True,
    }
    assert week["days"][6]["available"] == [20]
    assert all(d["from_usual"] for d in week["days"])

    # Painting the week replaces the usual pre-fill for every day of it (even emptied ones).
    put_week(client, team, {"days": [day("2026-11-24", [15])]})
    week = client.get(url(team.pk, f"me/?week={WEEK}")).json()
    assert not any(d["from_usual"] for d in week["days"])
    assert week["days"][0]["available"] == []
    # Other weeks still come from the usual week.
    other = client.get(url(team.pk, "me/?week=2026-W49")).json()
    assert other["days"][0]["from_usual"] is True


def test_clearing_the_usual_week(as_user, team, host):
    client = as_user(host.user)
    client.put(
        url(team.pk, "me/usual/"), {"days": [{"weekday": 3, "available": [9]}]}, format="json"
    )
    client.put(url(team.pk, "me/usual/"), {"days": []}, format="json")
    week = client.get(url(team.pk, f"me/?week={WEEK}")).json()
    assert not any(d["from_usual"] for d in week["days"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": [{"weekday": 0, "available": [9]}]}, "days[0].weekday"),
        ({"days": [{"weekday": 8, "available": [9]}]}, "days[0].weekday"),
        ({"days": [{"weekday": "1", "available": [9]}]}, "days[0].weekday"),
        ({"days": [{"weekday": 1}, {"weekday": 1}]}, "days[1].weekday"),
        ({"days": [{"weekday": 1, "available": [25]}]}, "days[0].available"),
        ({"days": [{"weekday": 1, "available": [1], "if_needed": [1]}]}, "days[0].if_needed"),
        ({"weeks": []}, "days"),
    ],
)
def test_bad_usual_weeks(as_user, team, host, body, field):
    client = as_user(host.user)
    client.put(
        url(team.pk, "me/usual/"), {"days": [{"weekday": 2, "available": [7]}]}, format="json"
    )
    before = snapshot()
    response = client.put(url(team.pk, "me/usual/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before
