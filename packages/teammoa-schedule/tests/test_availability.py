"""Team availability through the API: counts, who, best slots, parameters and queries."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.test import APIClient

from teammoa.core.testing.factories import add_member, host_of, make_team
from teammoa.schedule import services
from teammoa.schedule.hours import DayHours
from tests import reference
from tests.support import day, snapshot, url

WEEK = "2026-W48"


def put_week(user, team, days, week=WEEK):
    client = APIClient()
    client.force_login(user)
    response = client.put(url(team.pk, f"me/?week={week}"), {"days": days}, format="json")
    assert response.status_code == 200, response.json()


def availability(user, team, query):
    client = APIClient()
    client.force_login(user)
    return client.get(url(team.pk, f"availability/?{query}"))


@pytest.fixture
def pair(db):
    team = make_team(timezone="Asia/Seoul")
    return team, host_of(team), add_member(team)


def test_two_members_overlapping(pair):
    team, a, b = pair
    put_week(a.user, team, [day("2026-11-23", [9, 10, 11, 12], [13]), day("2026-11-25", [20])])
    put_week(b.user, team, [day("2026-11-23", [11, 12, 13, 14], [10]), day("2026-11-25", [], [20])])
    response = availability(a.user, team, f"week={WEEK}")
    assert response.status_code == 200
    data = response.json()
    assert data["week"] == WEEK and data["member_count"] == 2
    assert {m["id"] for m in data["members"]} == {a.pk, b.pk}
    monday = data["days"][0]
    assert monday["date"] == "2026-11-23" and len(data["days"]) == 7
    expected_free = [0] * 24
    for hour in (9, 10, 11, 12, 11, 12, 13, 14):
        expected_free[hour] += 1
    assert monday["free"] == expected_free
    assert monday["if_needed"] == [1 if h in (10, 13) else 0 for h in range(24)]
    assert monday["who"]["11"] == {"free": sorted([a.pk, b.pk]), "if_needed": []}
    assert monday["who"]["10"] == {"free": [a.pk], "if_needed": [b.pk]}
    assert monday["who"]["3"] == {"free": [], "if_needed": []}
    assert set(monday["who"]) == {str(h) for h in range(24)}
    # Everyone can come 10–14 on Monday (b only if needed at 10, a at 13); 11–13 all free.
    assert data["min"] == 2
    slots = [(s["date"], s["start"], s["end"], s["if_needed"]) for s in data["best_slots"]]
    assert slots[0] == ("2026-11-23", 11, 13, [])
    assert ("2026-11-23", 10, 14, sorted([a.pk, b.pk])) in slots
    assert ("2026-11-25", 20, 21, [b.pk]) in slots
    assert all(set(s["free"]) | set(s["if_needed"]) == {a.pk, b.pk} for s in data["best_slots"])


def test_no_slot_starts_at_an_hour_that_has_begun(pair, clock):
    """Wednesday 12:20 in Seoul: Monday's slots and Wednesday's 9-13 are over or under way;
    the slot search offers only what is still ahead (from 13:00), and the counts still show
    every painted hour."""
    team, a, b = pair
    days = [
        day("2026-11-23", [11, 12]),
        day("2026-11-25", [9, 10, 11, 12, 13, 14]),
        day("2026-11-27", [18]),
    ]
    put_week(a.user, team, days)
    put_week(b.user, team, days)
    seoul = datetime.timezone(datetime.timedelta(hours=9))
    clock.set(datetime.datetime(2026, 11, 25, 12, 20, tzinfo=seoul))

    data = availability(a.user, team, f"week={WEEK}").json()

    slots = [(s["date"], s["start"], s["end"]) for s in data["best_slots"]]
    assert slots == [("2026-11-25", 13, 15), ("2026-11-27", 18, 19)]
    assert data["days"][0]["free"][11] == 2  # what was painted is still shown
    clock.set(datetime.datetime(2026, 11, 25, 13, 0, tzinfo=seoul))  # on the hour: 13 is ahead
    data = availability(a.user, team, f"week={WEEK}").json()
    assert (data["best_slots"][0]["date"], data["best_slots"][0]["start"]) == ("2026-11-25", 13)
    clock.set(datetime.datetime(2026, 11, 30, 0, 0, tzinfo=seoul))  # the week is over
    assert availability(a.user, team, f"week={WEEK}").json()["best_slots"] == []


def test_parameters(pair):
    team, a, b = pair
    put_week(a.user, team, [day("2026-11-23", [9, 10, 11])])
    put_week(b.user, team, [day("2026-11-23", [11]), day("2026-11-24", [8])])
    data = availability(a.user, team, f"week={WEEK}&min=1&length=3").json()
    assert data["min"] == 1 and data["length"] == 3
    assert [(s["start"], s["end"], s["free"]) for s in data["best_slots"]] == [(9, 12, [a.pk])]
    data = availability(a.user, team, f"week={WEEK}&min=1&required={b.pk}").json()
    assert [(s["date"], s["start"]) for s in data["best_slots"]] == [
        ("2026-11-23", 11),
        ("2026-11-24", 8),
    ]
    both = availability(a.user, team, f"week={WEEK}&required={a.pk},{b.pk}").json()
    assert both["required"] == sorted([a.pk, b.pk])
    assert [(s["start"], s["end"]) for s in both["best_slots"]] == [(11, 12)]
    repeated = availability(a.user, team, f"week={WEEK}&required={a.pk}&required={b.pk}").json()
    assert repeated["best_slots"] == both["best_slots"]


def test_nobody_painted_anything(pair):
    team, a, _ = pair
    data = availability(a.user, team, f"week={WEEK}").json()
    assert data["best_slots"] == []
    assert all(d["free"] == [0] * 24 for d in data["days"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("week=2026-48", "week"),
        ("week=2026-W54", "week"),
        ("week=2025-W53", "week"),
        ("week=abc", "week"),
        ("", "week"),
        (f"week={WEEK}&min=0", "min"),
        (f"week={WEEK}&min=3", "min"),  # more than the team's two members
        (f"week={WEEK}&min=two", "min"),
        (f"week={WEEK}&min=1.5", "min"),
        (f"week={WEEK}&min=-1", "min"),
        (f"week={WEEK}&length=0", "length"),
        (f"week={WEEK}&length=25", "length"),
        (f"week={WEEK}&length=x", "length"),
        (f"week={WEEK}&required=abc", "required"),
        (f"week={WEEK}&required=999999", "required"),
        (f"week={WEEK}&required=1.5", "required"),
    ],
)
def test_bad_parameters_name_the_parameter(pair, query, field):
    team, a, _ = pair
    response = availability(a.user, team, query)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_required_member_of_another_team_is_400(pair):
    team, a, _ = pair
    stranger = add_member(make_team())
    response = availability(a.user, team, f"week={WEEK}&required={stranger.pk}")
    assert response.status_code == 400
    assert str(stranger.pk) in response.json()["required"][0]


def test_usual_weeks_count_for_the_team(pair):
    team, a, b = pair
    client = APIClient()
    client.force_login(b.user)
    client.put(
        url(team.pk, "me/usual/"), {"days": [{"weekday": 1, "available": [9]}]}, format="json"
    )
    put_week(a.user, team, [day("2026-11-23", [9])])
    data = availability(a.user, team, f"week={WEEK}").json()
    assert data["days"][0]["free"][9] == 2
    assert data["best_slots"][0]["free"] == sorted([a.pk, b.pk])


def test_dst_week_in_berlin(db):
    """The week of the last Sunday of March 2026 (29 March: 02:00 → 03:00) keeps 24 cells a
    day; hours are wall-clock hours in the team's timezone."""
    team = make_team(timezone="Europe/Berlin")
    a, b = host_of(team), add_member(team)
    put_week(a.user, team, [day("2026-03-29", [1, 2, 3, 9, 10])], week="2026-W13")
    put_week(b.user, team, [day("2026-03-29", [2, 3, 10, 11])], week="2026-W13")
    data = availability(a.user, team, "week=2026-W13").json()
    sunday = data["days"][6]
    assert sunday["date"] == "2026-03-29"
    assert len(sunday["free"]) == 24
    assert sunday["free"][2] == 2 and sunday["free"][10] == 2
    assert [(s["date"], s["start"], s["end"]) for s in data["best_slots"]] == [
        ("2026-03-29", 2, 4),
        ("2026-03-29", 10, 11),
    ]


def test_year_boundary_week(db):
    team = make_team(timezone="Asia/Seoul")
    a, b = host_of(team), add_member(team)
    put_week(a.user, team, [day("2026-12-31", [9, 10]), day("2027-01-01", [9])], week="2026-W53")
    put_week(b.user, team, [day("2026-12-31", [10]), day("2027-01-01", [9])], week="2026-W53")
    data = availability(a.user, team, "week=2026-W53").json()
    assert [d["date"] for d in data["days"]][-3:] == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert [(s["date"], s["start"]) for s in data["best_slots"]] == [
        ("2026-12-31", 10),
        ("2027-01-01", 9),
    ]
    # 2027-W01 is a different week: nothing painted there.
    assert availability(a.user, team, "week=2027-W01").json()["best_slots"] == []


def _availability_queries(members: int, django_assert_max_num_queries) -> int:
    team = make_team(members=members - 1, timezone="Asia/Seoul")
    memberships = list(team.memberships.select_related("user"))
    for index, membership in enumerate(memberships):
        put_week(membership.user, team, [day("2026-11-23", [9 + index % 5, 15])])
    client = APIClient()
    client.force_login(memberships[0].user)
    # Session + user, membership (core's base view checks it before anything else, the
    # service once more), members, painted days, usual weeks.
    with django_assert_max_num_queries(7) as captured:
        response = client.get(url(team.pk, f"availability/?week={WEEK}&min=1"))
    assert response.status_code == 200
    assert response.json()["member_count"] == members
    return len(captured)


@pytest.mark.django_db
def test_constant_queries_for_5_and_50_members(django_assert_max_num_queries):
    assert _availability_queries(5, django_assert_max_num_queries) == _availability_queries(
        50, django_assert_max_num_queries
    )


@pytest.mark.django_db
def test_the_hours_are_read_by_member_ids_unsorted(pair):
    """The painted days and usual weeks are read by the members' ids without ordering:
    sorted by the models' ``membership`` ordering (the members' join dates), MariaDB
    joined, and sorted every row in a temporary table, and scanned every team's usual
    weeks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from teammoa.schedule.models import DayAvailability, UsualDay

    team, host, _member = pair
    put_week(host.user, team, [day("2026-11-23", [9, 10])])
    with CaptureQueriesContext(connection) as captured:
        services.team_availability(host.user, team.pk, WEEK)

    tables = [connection.ops.quote_name(m._meta.db_table) for m in (DayAvailability, UsualDay)]
    hours_reads = [q["sql"] for q in captured if any(f"FROM {t}" in q["sql"] for t in tables)]
    assert len(hours_reads) == 2
    for sql in hours_reads:
        assert " JOIN " not in sql
        assert "ORDER BY" not in sql


class TeamAvailabilityMatchesReference(TestCase):
    """Weeks saved through the services give what the naive reference computes."""

    @settings(max_examples=8, deadline=None)
    @given(st.data())
    def test_saved_weeks(self, data):
        team = make_team(members=2)
        memberships = list(team.memberships.order_by("pk"))
        monday = datetime.date(2026, 11, 23)
        dates = [monday + datetime.timedelta(days=n) for n in range(7)]
        hour_lists = st.lists(st.integers(0, 23), unique=True, max_size=8)
        week = {d: {} for d in dates}
        for membership in memberships:
            days = []
            for d in dates:
                free = data.draw(hour_lists)
                maybe = data.draw(hour_lists.map(lambda h, f=free: [x for x in h if x not in f]))
                days.append(day(d.isoformat(), free, maybe))
                week[d][membership.pk] = DayHours(tuple(sorted(free)), tuple(sorted(maybe)))
            services.save_my_week(membership.user, team.pk, {"days": days}, week=WEEK)
        length = data.draw(st.integers(1, 3))
        result = services.team_availability(memberships[0].user, team.pk, WEEK, length=length)
        counts = reference.counts(week)
        for summary in result.days:
            assert (summary.free, summary.if_needed) == counts[summary.date]
        used, expected = reference.slots(week, None, length)
        assert result.search.min_members == used
        got = [(s.date, s.start, s.end, s.free, s.if_needed) for s in result.search.slots]
        assert got == expected[:10]
        assert snapshot()  # rows were stored
