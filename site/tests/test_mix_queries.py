"""Query-count guards for every endpoint of the HTTP benchmark's mix (issue 10).

The data is the benchmark's own shape (``bench/seed.py``, two teams of ten here) and the
endpoints are the ones ``bench/cost.py`` and ``bench/http_mix.py`` request, so a change
that adds a query per request, or one per row, fails here before it shows up in the
benchmark. The ceilings count the session read: the test settings keep sessions in the
database; with Redis (production) each endpoint makes one query fewer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import cost  # noqa: E402 - bench/cost.py: the mix's endpoints
import seed  # noqa: E402 - bench/seed.py: the mix's data

# Queries per request, session read included.
CEILINGS = {
    # The session.
    "home": 1,
    # Session, teams (one page, shorter than a page: no COUNT).
    "api team list": 2,
    # Session, membership, the team with its counts.
    "api team detail": 3,
    # Session, membership (read once: the view's check and the service share it), todos.
    "api todo list": 3,
    # Session, membership, members, painted days, usual weeks.
    "api availability": 5,
    # Session, membership, count, posts.
    "board page": 4,
    # Checked on its own thread's connection, not the request's.
    "health": 0,
}


@pytest.fixture
def seeded(db):
    manifest = seed.seed(users=20, teams=2, members=10)
    member = manifest["users"][3]
    user = get_user_model().objects.get(pk=member["id"])
    return user, member["team"], manifest["week"]


def test_every_endpoint_of_the_mix_has_a_ceiling():
    assert {name for name, _, _ in cost.endpoints(1, "2026-W01")} == set(CEILINGS)
    assert set(cost.WEIGHTS) == set(CEILINGS)


@pytest.mark.parametrize("name", list(CEILINGS))
def test_queries_per_request_stay_within_the_ceiling(client, seeded, settings, name):
    settings.REDIS_URL = ""  # health: no Redis check in the SQLite run
    user, team, week = seeded
    client.force_login(user)
    path, headers = next((p, h) for n, p, h in cost.endpoints(team, week) if n == name)

    assert client.get(path, **headers).status_code == 200  # the user's row now cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)

    assert response.status_code == 200, response.content[:500]
    queries = [query["sql"] for query in captured.captured_queries]
    assert len(queries) <= CEILINGS[name], "\n".join(queries)


@pytest.mark.parametrize("name", ["api todo list", "board page", "api availability"])
def test_queries_do_not_grow_with_the_team(client, seeded, settings, name):
    """Twice the todos, posts and members' weeks: the same number of queries."""
    from teammoa.core.models import Post, Todo
    from teammoa.core.testing.factories import add_member

    settings.REDIS_URL = ""
    user, team, week = seeded
    client.force_login(user)
    path, headers = next((p, h) for n, p, h in cost.endpoints(team, week) if n == name)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, **headers).status_code == 200
        return len(captured.captured_queries)

    count()  # the user's row now cached
    before = count()
    for todo in list(Todo.objects.filter(team_id=team)):
        todo.pk = None
        todo.save()
    for post in list(Post.objects.filter(team_id=team)):
        post.pk = None
        post.save()
    from teammoa.core.models import Team

    team_row = Team.objects.get(pk=team)
    team_row.max_members = 20
    team_row.save()
    for _ in range(3):
        add_member(team_row)

    # 60 todos no longer fit on one API page (50): the list now needs its COUNT(*).
    grown = 1 if name == "api todo list" else 0
    assert count() == before + grown


def test_the_signed_in_user_is_read_once_then_from_the_cache(client, seeded, settings):
    settings.REDIS_URL = ""
    user, _team, _week = seeded
    client.force_login(user)
    user_table = get_user_model()._meta.db_table

    def user_reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return sum(user_table in query["sql"] for query in captured.captured_queries)

    assert user_reads() == 1
    assert user_reads() == 0
    user.nickname = "renamed"
    user.save()  # every save makes the cached copy stale
    assert user_reads() == 1
    assert user_reads() == 0


def test_the_team_list_is_one_join_and_a_correlated_count(seeded):
    """``teams_of`` compiled a grouped count, an ``EXISTS`` and a ``Subquery`` on every
    request (1.9 ms of CPU for one team); now one join and a plain correlated count."""
    from teammoa.core.services import teams_of

    user, team, _week = seeded
    teams = teams_of(user)
    sql = str(teams.query).upper()

    assert "GROUP BY" not in sql
    assert "EXISTS" not in sql
    assert [(t.pk, t.my_role, t.member_count) for t in teams] == [(team, "member", 10)]


def _second_request(client, seeded, name):
    """Sign in, request the mix's endpoint ``name`` twice; the second answer and its SQL."""
    user, team, week = seeded
    client.force_login(user)
    path, headers = next((p, h) for n, p, h in cost.endpoints(team, week) if n == name)
    client.get(path, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


def test_the_todo_list_does_not_join_the_assignees(client, seeded, settings):
    """The API and the board read only ``assignee_id``; joining the assignee's
    membership made MariaDB and the ORM read and build a row per todo for nothing."""
    from teammoa.core.models import Todo

    settings.REDIS_URL = ""
    _response, queries = _second_request(client, seeded, "api todo list")

    table = connection.ops.quote_name(Todo._meta.db_table)
    todo_reads = [sql for sql in queries if f"FROM {table}" in sql]
    assert todo_reads
    assert all(" JOIN " not in sql for sql in todo_reads)


def test_the_board_page_groups_nothing(client, seeded, settings):
    """Files counted per post in a correlated subquery and the pages on the plain posts:
    a grouped ``Count`` grouped every joined column of the list and nested the count."""
    settings.REDIS_URL = ""
    response, queries = _second_request(client, seeded, "board page")

    assert b"post-item" in response.content
    assert not [sql for sql in queries if "GROUP BY" in sql.upper()]
