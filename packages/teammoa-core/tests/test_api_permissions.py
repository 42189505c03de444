"""Every core API endpoint for each of anonymous, non-member, member and host: the status,
and no change at all when the request is refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from teammoa.core import services
from teammoa.core.models import Membership, Milestone, Post, PostComment, Team, Todo
from teammoa.core.testing.factories import TEAM_PASSWORD, add_member, make_team, make_user

pytestmark = pytest.mark.django_db


@dataclass
class World:
    team: Team
    host: Membership
    member: Membership
    member2: Membership
    outsider: Any
    milestone: Milestone
    todo: Todo  # assigned to the host: a plain member may not touch it
    post: Post  # written by the host
    comment: PostComment  # on the post, by the host


@pytest.fixture
def world() -> World:
    host_user = make_user()
    team = make_team(host=host_user, max_members=10)
    host = team.memberships.get(user=host_user)
    member = add_member(team)
    member2 = add_member(team)
    outsider = make_user()
    make_team(host=outsider)  # the outsider has a team of their own
    today = datetime.date.today()
    milestone = services.create_milestone(
        host_user, team.pk, title="Beta", start_date=today, end_date=today
    )
    todo = services.create_todo(host_user, team.pk, "Write docs", assignee=host.pk)
    post = services.create_post(host_user, team.pk, title="Welcome", body="<p>Hi</p>")
    comment = services.create_comment(host_user, team.pk, post.pk, "First!")
    return World(team, host, member, member2, outsider, milestone, todo, post, comment)


@dataclass
class Endpoint:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]  # by role: anonymous, outsider, member, host
    body: Callable[[World], Any] | None = None
    format: str = "json"


def team_url(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/v1/teams/{w.team.pk}/{suffix}"


def inside(member: int, host: int, outsider: int = 404) -> dict[str, int]:
    return {"anonymous": 401, "outsider": outsider, "member": member, "host": host}


ENDPOINTS = [
    Endpoint("my teams", "get", lambda w: "/api/v1/teams/", inside(200, 200, outsider=200)),
    Endpoint(
        "create team",
        "post",
        lambda w: "/api/v1/teams/",
        inside(201, 201, outsider=201),
        body=lambda w: {"title": "Another", "password": "pass-1234"},
    ),
    Endpoint("team", "get", team_url(), inside(200, 200)),
    Endpoint("edit team", "patch", team_url(), inside(403, 200), body=lambda w: {"title": "New"}),
    Endpoint("disband team", "delete", team_url(), inside(403, 204)),
    Endpoint(
        "join",
        "post",
        lambda w: "/api/v1/teams/join/",
        inside(409, 409, outsider=201),
        body=lambda w: {"invite_code": w.team.invite_code, "password": TEAM_PASSWORD},
    ),
    Endpoint("leave", "post", team_url("leave/"), inside(204, 204)),
    Endpoint(
        "transfer host",
        "post",
        team_url("transfer-host/"),
        inside(403, 200),
        body=lambda w: {"member": w.member2.pk},
    ),
    Endpoint("new invite code", "post", team_url("invite-code/"), inside(403, 200)),
    Endpoint("invite link", "get", team_url("invite-link/"), inside(403, 200)),
    Endpoint(
        "join by link",
        "post",
        lambda w: "/api/v1/teams/join-link/",
        inside(409, 409, outsider=201),
        body=lambda w: {"token": services.invite_link(w.host.user, w.team.pk).token},
    ),
    Endpoint("members", "get", team_url("members/"), inside(200, 200)),
    Endpoint(
        "remove member",
        "delete",
        lambda w: f"/api/v1/teams/{w.team.pk}/members/{w.member2.pk}/",
        inside(403, 204),
    ),
    Endpoint("milestones", "get", team_url("milestones/"), inside(200, 200)),
    Endpoint(
        "create milestone",
        "post",
        team_url("milestones/"),
        inside(201, 201),
        body=lambda w: {"title": "M", "start_date": "2030-01-01", "end_date": "2030-01-31"},
    ),
    Endpoint(
        "milestone",
        "get",
        lambda w: f"/api/v1/teams/{w.team.pk}/milestones/{w.milestone.pk}/",
        inside(200, 200),
    ),
    Endpoint(
        "edit milestone",
        "patch",
        lambda w: f"/api/v1/teams/{w.team.pk}/milestones/{w.milestone.pk}/",
        inside(200, 200),
        body=lambda w: {"title": "Beta 2"},
    ),
    Endpoint(
        "delete milestone",
        "delete",
        lambda w: f"/api/v1/teams/{w.team.pk}/milestones/{w.milestone.pk}/",
        inside(403, 204),
    ),
    Endpoint("todos", "get", team_url("todos/"), inside(200, 200)),
    Endpoint(
        "create todo", "post", team_url("todos/"), inside(201, 201), body=lambda w: {"content": "x"}
    ),
    Endpoint(
        "todo", "get", lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/", inside(200, 200)
    ),
    Endpoint(
        "edit todo",
        "patch",
        lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/",
        inside(403, 200),
        body=lambda w: {"content": "Changed"},
    ),
    Endpoint(
        "delete todo",
        "delete",
        lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/",
        inside(403, 204),
    ),
    Endpoint(
        "assign todo",
        "post",
        lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/assign/",
        inside(403, 200),
        body=lambda w: {"member": w.member2.pk},
    ),
    Endpoint(
        "complete todo",
        "post",
        lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/complete/",
        inside(403, 200),
        body=lambda w: {"is_completed": True},
    ),
    Endpoint(
        "move todo",
        "post",
        lambda w: f"/api/v1/teams/{w.team.pk}/todos/{w.todo.pk}/move/",
        inside(403, 200),
        body=lambda w: {"assignee": w.member2.pk, "order": 0},
    ),
    Endpoint("posts", "get", team_url("posts/"), inside(200, 200)),
    Endpoint(
        "create post",
        "post",
        team_url("posts/"),
        inside(201, 201),
        body=lambda w: {"title": "Hello", "body": "<p>there</p>"},
        format="multipart",
    ),
    Endpoint(
        "post", "get", lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/", inside(200, 200)
    ),
    Endpoint(
        "edit post",
        "patch",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/",
        inside(403, 200),
        body=lambda w: {"title": "Edited"},
        format="multipart",
    ),
    Endpoint(
        "delete post",
        "delete",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/",
        inside(403, 204),
    ),
    Endpoint(
        "comments",
        "get",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/comments/",
        inside(200, 200),
    ),
    Endpoint(
        "comment",
        "post",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/comments/",
        inside(201, 201),
        body=lambda w: {"text": "Nice"},
    ),
    Endpoint(
        "edit comment",
        "patch",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/comments/{w.comment.pk}/",
        inside(403, 200),
        body=lambda w: {"text": "Edited"},
    ),
    Endpoint(
        "delete comment",
        "delete",
        lambda w: f"/api/v1/teams/{w.team.pk}/posts/{w.post.pk}/comments/{w.comment.pk}/",
        inside(403, 204),
    ),
]

ROLES = ["anonymous", "outsider", "member", "host"]


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    user = {
        "anonymous": None,
        "outsider": world.outsider,
        "member": world.member.user if world.member else None,
        "host": world.host.user,
    }[role]
    if user is not None:
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(world: World, db_state: Any, endpoint: Endpoint, role: str) -> None:
    client = client_for(world, role)
    before = db_state()
    body = endpoint.body(world) if endpoint.body else None
    call = getattr(client, endpoint.method)
    response = call(endpoint.url(world), body, format=endpoint.format if body else None)

    assert response.status_code == endpoint.expected[role], response.content
    if response.status_code >= 400 or endpoint.method == "get":
        assert db_state() == before
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
    if response.status_code in (401, 403, 404):
        assert set(response.json()) == {"detail"}


def test_every_route_and_method_is_in_the_matrix() -> None:
    from teammoa.core.api import urls

    served = {
        (str(pattern.pattern), method)
        for pattern in urls.urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)
    }
    covered = set()
    for endpoint in ENDPOINTS:
        path = endpoint.url(_Ids()).removeprefix("/api/v1/")
        for pattern in urls.urlpatterns:
            if pattern.resolve(path):
                covered.add((str(pattern.pattern), endpoint.method))
    assert covered == served


class _Ids:
    """Stands in for the world: every object has pk 1, enough to resolve the URLs."""

    pk = 1
    invite_code = "x"

    def __getattr__(self, name: str) -> Any:
        return self
