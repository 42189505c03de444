"""Every API route of every app answers ``OPTIONS`` (and the other methods it lists)
without a 5xx: the route list is walked from the URL resolver, so a view added later is
checked without anyone remembering to (issue 9)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from teammoa.core import services as core
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node
from teammoa.schedule.services import create_meeting
from tests.accounts_support import make_user

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
API_PREFIX = "api/"


def api_routes(resolver: Any = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern under ``api/`` as a route string with ``<converter:name>`` parts."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith(API_PREFIX):
            yield route


@pytest.fixture
def seeded() -> dict[str, Any]:
    """A team with one of everything, and the ids a route's parameters take, keyed by
    the path segment before the parameter (``…/todos/<int:id>/`` takes a todo id)."""
    host = make_user("host", "host@example.com", nickname="Host")
    member = make_user("member", "member@example.com", nickname="Member")
    team = core.create_team(host, title="Options", password="options-pass")
    core.join_team(member, team.invite_code, "options-pass")
    day = datetime.date(2026, 12, 1)
    milestone = core.create_milestone(host, team.pk, title="M", start_date=day, end_date=day)
    todo = core.create_todo(host, team.pk, "Todo")
    post = core.create_post(host, team.pk, title="Post", body="<p>Hi</p>")
    mindmap = Mindmap.objects.create(team=team, title="Map")
    first = Node.objects.create(mindmap=mindmap, title="A", x=1, y=1, created_by=host)
    second = Node.objects.create(mindmap=mindmap, title="B", x=2, y=2, created_by=host)
    connection = Connection.objects.create(mindmap=mindmap, source=first, target=second)
    Comment.objects.create(node=first, text="Hi")
    meeting = create_meeting(host, team.pk, title="Meet", date="2030-12-09", start=9, end=10)
    ids = {
        "teams": team.pk,
        "members": team.memberships.get(user=member).pk,
        "milestones": milestone.pk,
        "todos": todo.pk,
        "posts": post.pk,
        "mindmaps": mindmap.pk,
        "nodes": first.pk,
        "connections": connection.pk,
        "meetings": meeting.pk,
        "comments": core.create_comment(host, team.pk, post.pk, "Comment").pk,
    }
    return {"member": member, "ids": ids}


def concrete(route: str, ids: dict[str, int]) -> str:
    parts = route.split("/")
    for index, part in enumerate(parts):
        if PARAMETER.fullmatch(part):
            owner = parts[index - 1] if index else ""
            assert owner in ids, f"no seeded id for {route!r}: add one for '{owner}/'"
            parts[index] = str(ids[owner])
    path = "/" + "/".join(parts)
    assert not PARAMETER.search(path), path
    return path


def test_the_walk_finds_every_app_api():
    routes = list(api_routes())
    for expected in ("api/v1/teams/", "mindmaps/import/", "schedule/me/", "api/schema/"):
        assert any(expected in route for route in routes), expected
    assert len(routes) >= 30


def test_options_on_every_api_route_is_never_a_5xx(seeded):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(seeded["member"])
    failures = []
    for route in api_routes():
        path = concrete(route, seeded["ids"])
        response = client.options(path)
        if response.status_code >= 500:
            failures.append(f"OPTIONS {path} -> {response.status_code}")
        elif response.status_code == 200 and response.get("Allow"):
            assert "OPTIONS" in response["Allow"], path
    assert failures == []


def test_options_for_anonymous_and_outsiders_is_never_a_5xx(seeded):
    outsider = APIClient(raise_request_exception=False)
    outsider.force_authenticate(make_user("outsider", "outsider@example.com", nickname="Out"))
    anonymous = APIClient(raise_request_exception=False)
    failures = [
        f"OPTIONS {path} -> {response.status_code}"
        for route in api_routes()
        for path in [concrete(route, seeded["ids"])]
        for response in (outsider.options(path), anonymous.options(path))
        if response.status_code >= 500
    ]
    assert failures == []


DEEP_BODY = "[" * 100_000 + "]" * 100_000


def test_a_body_nested_100000_deep_is_a_4xx_on_every_writable_route(seeded):
    """Every app's endpoints parse JSON through core's bounded parser, even those that
    name DRF's own JSONParser: the nesting is refused before the decoder recurses."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(seeded["member"])
    failures, tried = [], 0
    # Leaving reads no body (it succeeds): last, or the member would be gone for the rest.
    for route in sorted(api_routes(), key=lambda route: route.endswith("/leave/")):
        path = concrete(route, seeded["ids"])
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(path, DEEP_BODY, content_type="application/json")
            if response.status_code in {405, 415}:
                continue  # the route takes no JSON body with this method
            tried += 1
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} -> {response.status_code}")
    assert failures == []
    assert tried >= 25
