"""REST API throttles: a runaway client gets 429 with Retry-After; a real team never does."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from teammoa.core.models import Membership
from teammoa.core.testing.factories import add_member, make_team
from teammoa_site.throttling import AnonRateThrottle, UserRateThrottle
from tests.accounts_support import make_user

WEEK = {
    "week": "2026-W50",
    "days": [
        {"date": f"2026-12-{day:02d}", "available": [9, 10, 11], "if_needed": [14]}
        for day in range(7, 14)
    ],
}


def _rate(scope: str) -> int:
    """The configured number of requests per minute for ``scope`` ("600/m" → 600)."""
    number, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
    assert period.startswith("m"), "these tests assume a per-minute rate"
    return int(number)


def _api_views() -> list[tuple[str, type[APIView]]]:
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                route = prefix + str(pattern.pattern)
                if route.startswith("api/") and view is not None:
                    found.append((route, view))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_api_view_uses_the_configured_throttles():
    """The apps pin their permissions and error handler, never their throttles."""
    views = _api_views()

    assert len(views) > 30
    assert [AnonRateThrottle, UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    pinned = [
        route
        for route, view in views
        if view.throttle_classes != [AnonRateThrottle, UserRateThrottle]
    ]
    assert pinned == []


def test_the_schema_documents_a_429_on_every_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 40
    undocumented = [(p, m) for p, m, op in operations if "429" not in op["responses"]]
    assert undocumented == []


@pytest.mark.django_db
def test_past_the_user_rate_the_api_answers_429_with_retry_after(monkeypatch):
    # The configured 600/m takes too long to exhaust in a test; the mechanism is the same.
    limit = 20
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": f"{limit}/m"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient()
    client.force_authenticate(make_user())

    statuses = [client.get("/api/v1/teams/").status_code for _ in range(limit)]
    refused = client.get("/api/v1/teams/")

    assert set(statuses) == {200}
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    assert refused.json() == {"detail": f"Too many requests. Try again in {retry_after} seconds."}
    # Counted per user: a teammate is not held back.
    teammate = APIClient()
    teammate.force_authenticate(make_user("bob", "bob@example.com"))
    assert teammate.get("/api/v1/teams/").status_code == 200


@pytest.mark.django_db
def test_the_anonymous_rate_counts_the_address_not_a_forwarded_for_header():
    limit = _rate("anon")
    client = APIClient()
    for number in range(limit):
        # A client sending its own X-Forwarded-For must not get a fresh allowance with
        # each one (DRF reads the header unless NUM_PROXIES says otherwise).
        response = client.get(
            "/api/docs/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}"
        )
        assert response.status_code == 200

    refused = client.get(
        "/api/docs/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.250"
    )

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert client.get("/api/docs/", REMOTE_ADDR="203.0.113.10").status_code == 200


@pytest.mark.django_db
def test_a_busy_team_session_is_never_throttled():
    """A host and four members doing a morning's work at machine speed: every list, 40
    todos made, moved and done, milestones, posts, schedule weeks and mindmaps."""
    host = make_user()
    team = make_team(host=host)
    members = [
        add_member(team, make_user(f"member{n}", f"m{n}@example.com")).user for n in range(4)
    ]
    base = f"/api/v1/teams/{team.pk}"
    statuses: list[int] = []
    started = time.monotonic()
    for person in [host, *members]:
        client = APIClient()
        client.force_authenticate(person)

        def call(method: str, path: str, data=None, client=client):
            response = getattr(client, method)(path, data, format="json")
            statuses.append(response.status_code)
            return response

        for path in ("/api/v1/teams/", f"{base}/", f"{base}/members/", f"{base}/milestones/"):
            call("get", path)
        call("get", f"{base}/todos/")
        call("get", f"{base}/posts/")
        call("get", f"{base}/mindmaps/")
        call("get", f"{base}/schedule/me/?week=2026-W50")
        call("put", f"{base}/schedule/me/", WEEK)
        call("get", f"{base}/schedule/availability/?week=2026-W50")
        call("post", f"{base}/posts/", {"title": "Notes", "content": "Minutes of today."})
        mindmap = call("post", f"{base}/mindmaps/", {"title": f"Ideas of {person.pk}"})
        if mindmap.status_code == 201:
            call("get", f"{base}/mindmaps/{mindmap.json()['id']}/")
        me = Membership.objects.get(team=team, user=person).pk
        for number in range(8):
            todo = call("post", f"{base}/todos/", {"content": f"Task {number}", "assignee": me})
            todo_id = todo.json()["id"]
            call("patch", f"{base}/todos/{todo_id}/", {"order": 0})
            call("post", f"{base}/todos/{todo_id}/complete/", {"is_completed": True})
            call("get", f"{base}/todos/")
    elapsed = time.monotonic() - started

    assert 429 not in statuses
    assert all(code < 400 for code in statuses), statuses
    # The busiest person used well under a fifth of a minute's allowance.
    per_person = len(statuses) / 5
    assert per_person < _rate("user") / 5, (per_person, elapsed)


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _throttle(monkeypatch, limit: int, clock: _Clock) -> UserRateThrottle:
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": f"{limit}/m"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    throttle = UserRateThrottle()
    throttle.timer = clock
    return throttle


@pytest.mark.django_db
def test_the_user_throttle_counts_a_minute_and_says_when_it_ends(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    clock = _Clock(600_000.0 + 45.2)  # 45.2 s into a minute
    request = APIRequestFactory().get("/api/v1/teams/")
    request.user = make_user()
    throttle = _throttle(monkeypatch, 3, clock)

    assert [throttle.allow_request(request, None) for _ in range(4)] == [True] * 3 + [False]
    assert throttle.wait() == 15  # the minute ends in 14.8 s
    # The count is one integer per user and minute, not a list of request times.
    assert cache.get(f"throttle_user_{request.user.pk}:{600_045 // 60}") == 4
    # The next minute counts from zero.
    clock.now += 15
    assert throttle.allow_request(request, None)


@pytest.mark.services("redis")
@pytest.mark.django_db
def test_a_throttled_request_costs_one_redis_round_trip(monkeypatch):
    from django.core.cache import caches
    from redis.connection import Connection

    from teammoa_site.cache import ResilientRedisCache

    assert isinstance(caches["default"], ResilientRedisCache), "needs REDIS_URL (services)"
    sent = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    request = APIRequestFactory().get("/api/v1/teams/")
    request.user = make_user()
    throttle = _throttle(monkeypatch, 600, _Clock(1_000_000.0))
    throttle.allow_request(request, None)  # the connection is open now
    monkeypatch.setattr(Connection, "send_packed_command", counting)

    assert throttle.allow_request(request, None)
    assert len(sent) == 1
