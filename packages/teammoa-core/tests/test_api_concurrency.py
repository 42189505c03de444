"""Fifty real, simultaneous HTTP joins into a team with three free places: exactly three
get in. The app runs in pytest-django's live server (one thread per request, each with its
own database connection on MySQL/MariaDB), the clients in fifty threads."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer
from rest_framework.authtoken.models import Token

from teammoa.core.models import Membership
from teammoa.core.testing.factories import TEAM_PASSWORD, make_team, make_user

JOINERS = 50
FREE_PLACES = 3
MAX_MEMBERS = 10


class _WideBacklogServer(ThreadedWSGIServer):
    # Django's test server listens with a backlog of 10: fifty connections arriving at once
    # overflow it and some get reset before the app sees them. Real servers use hundreds.
    request_queue_size = 128


@pytest.fixture(scope="module")
def live_server() -> Any:
    """pytest-django's live server (its ``_live_server_helper`` still wires the database
    and ALLOWED_HOSTS), listening with a backlog wide enough for the burst."""
    server = LiveServer("localhost", start=False)
    server.thread.server_class = _WideBacklogServer
    server.start()
    yield server
    server.stop()


def _post_json(url: str, token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def race_to_join(live_server: Any) -> None:
    team = make_team(members=MAX_MEMBERS - 1 - FREE_PLACES, max_members=MAX_MEMBERS)
    users = [make_user() for _ in range(JOINERS)]
    tokens = [Token.objects.create(user=user).key for user in users]
    url = f"{live_server.url}/api/v1/teams/join/"
    body = {"invite_code": team.invite_code, "password": TEAM_PASSWORD}
    start = threading.Barrier(JOINERS)

    def join(token: str) -> int:
        start.wait()  # everyone fires at the same moment
        return _post_json(url, token, body)

    with ThreadPoolExecutor(max_workers=JOINERS) as pool:
        statuses = list(pool.map(join, tokens))

    assert Counter(statuses) == {201: FREE_PLACES, 409: JOINERS - FREE_PLACES}, Counter(statuses)
    assert Membership.objects.filter(team=team).count() == MAX_MEMBERS
    joined = {user.pk for user, code in zip(users, statuses, strict=True) if code == 201}
    assert (
        set(
            Membership.objects.filter(team=team, user_id__in=[u.pk for u in users]).values_list(
                "user_id", flat=True
            )
        )
        == joined
    )


# MySQL/MariaDB only: the live server shares the test's in-memory SQLite connection across
# its request threads, so concurrent requests there would interleave one transaction
# instead of racing separate ones -- it would test nothing and fails at random.
@pytest.mark.services("mysql")
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_never_overfill_the_team(live_server: Any) -> None:
    race_to_join(live_server)
