"""While Redis cannot be reached, the cache fails open (``teammoa_site.cache``): reads miss,
writes are dropped, and pages and the API keep working on the database alone. Found by the
reliability session's Redis outage: with Django's own backend every page answered 500."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.cache import caches

from teammoa_site import cache as resilient


def dead_redis_url() -> str:
    """A port nothing listens on: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "teammoa_site.cache.ResilientRedisCache",
            "LOCATION": dead_redis_url(),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield caches["default"]


def test_every_operation_fails_open(down, caplog):
    assert down.get("k", "fallback") == "fallback"
    assert down.set("k", 1) is None
    assert down.add("k", 1) is False
    assert down.touch("k") is False
    assert down.delete("k") is False
    assert down.has_key("k") is False
    assert down.get_many(["a", "b"]) == {}
    assert down.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert down.delete_many(["a"]) is None
    assert down.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        down.incr("k")
    # Logged, once for the whole burst.
    warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_after_a_failure_redis_is_left_alone_for_a_moment(down, monkeypatch):
    calls = []
    original = resilient.RedisCache.get

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(resilient.RedisCache, "get", counting)
    down.get("k")
    started = time.monotonic()
    for _ in range(50):
        assert down.get("k") is None
    assert len(calls) == 1  # the 50 reads after the failure never tried Redis
    assert time.monotonic() - started < 0.5


@pytest.mark.django_db
def test_pages_and_the_api_work_for_a_signed_in_member_while_redis_is_down(down, client):
    from teammoa.core.testing.factories import make_team, make_user

    member = make_user("outage_member")
    team = make_team(host=member, title="Outage")
    client.force_login(member)

    home = client.get("/", secure=True)
    teams = client.get("/api/v1/teams/", secure=True, HTTP_ACCEPT="application/json")
    detail = client.get(f"/teams/{team.pk}/", secure=True)

    assert home.status_code == 200
    assert teams.status_code == 200
    assert teams.json()["results"][0]["id"] == team.pk
    assert detail.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sockets_are_admitted_while_redis_is_down(down):
    """The per-user socket cap keeps its slots in the cache. A cache that fails open drops
    the write that takes a slot, and the cap read that as "every slot taken": each
    reconnect during a Redis outage was closed with 4429, a minute's wait in the editor."""
    from asgiref.sync import async_to_sync

    from teammoa.core.testing.factories import make_user
    from teammoa.core.websocket import admit, release

    member = make_user("outage_socket")

    async def open_three() -> int:
        tickets = [await admit({"user": member, "session": None}, print) for _ in range(3)]
        for ticket in tickets:
            await release(ticket)
        return len(tickets)

    assert async_to_sync(open_three)() == 3
