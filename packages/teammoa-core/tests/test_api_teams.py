"""Teams and members through the REST API: shapes, joining, host powers, junk input."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from teammoa.core.models import Membership, Team, Todo
from teammoa.core.testing.factories import (
    TEAM_PASSWORD,
    USER_PASSWORD,
    add_member,
    host_of,
    make_team,
    make_user,
)
from tests.api_support import as_user

pytestmark = pytest.mark.django_db

TEAM_FIELDS = {
    "id",
    "title",
    "introduction",
    "max_members",
    "member_count",
    "invite_code",
    "timezone",
    "my_role",
    "created_at",
}


def test_create_team_returns_the_team_without_its_password() -> None:
    user = make_user()
    response = as_user(user).post(
        "/api/v1/teams/",
        {
            "title": "  Capstone crew ",
            "introduction": "We build things.",
            "max_members": 5,
            "password": "join-me-1234",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == TEAM_FIELDS
    assert data["title"] == "Capstone crew"
    assert data["max_members"] == 5
    assert data["member_count"] == 1
    assert data["my_role"] == "host"
    assert data["timezone"] == "Europe/Berlin"
    assert len(data["invite_code"]) >= 10
    assert "join-me-1234" not in response.content.decode()
    team = Team.objects.get(pk=data["id"])
    assert team.join_password != "join-me-1234"
    assert team.check_join_password("join-me-1234")
    assert host_of(team).user == user


def test_create_team_defaults() -> None:
    response = as_user(make_user()).post("/api/v1/teams/", {"title": "T", "password": "pass"})
    assert response.status_code == 201
    assert response.json()["max_members"] == 10
    assert response.json()["timezone"] == "Asia/Seoul"  # settings.TIME_ZONE


def test_my_teams_counts_every_member_and_shows_my_role() -> None:
    user = make_user()
    hosted = make_team(host=user, members=2)
    joined = make_team(members=3)
    add_member(joined, user)
    make_team(members=1)  # not mine
    response = as_user(user).get("/api/v1/teams/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    by_id = {team["id"]: team for team in body["results"]}
    assert by_id[hosted.pk]["member_count"] == 3
    assert by_id[hosted.pk]["my_role"] == "host"
    assert by_id[hosted.pk]["invite_code"] == hosted.invite_code
    assert by_id[joined.pk]["member_count"] == 5
    assert by_id[joined.pk]["my_role"] == "member"
    assert by_id[joined.pk]["invite_code"] is None  # shown to the host only


def test_team_detail_for_a_member() -> None:
    team = make_team(members=1)
    member = team.memberships.get(role="member")
    response = as_user(member.user).get(f"/api/v1/teams/{team.pk}/")
    assert response.status_code == 200
    assert response.json()["member_count"] == 2
    assert response.json()["my_role"] == "member"


def test_host_edits_the_team_and_its_join_password() -> None:
    team = make_team(members=2)
    host = host_of(team)
    response = as_user(host.user).patch(
        f"/api/v1/teams/{team.pk}/",
        {"title": "Renamed", "max_members": 3, "timezone": "UTC", "password": "new-pass"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Renamed"
    assert response.json()["max_members"] == 3
    assert response.json()["timezone"] == "UTC"
    team.refresh_from_db()
    assert team.check_join_password("new-pass")
    assert not team.check_join_password(TEAM_PASSWORD)


BAD_CREATE = [
    ({"title": ["a"], "password": "pass"}, "title"),
    ({"title": {"x": 1}, "password": "pass"}, "title"),
    ({"title": "x" * 65, "password": "pass"}, "title"),
    ({"title": "", "password": "pass"}, "title"),
    ({"title": "   ", "password": "pass"}, "title"),
    ({"title": None, "password": "pass"}, "title"),
    ({"password": "pass"}, "title"),
    ({"title": "T"}, "password"),
    ({"title": "T", "password": "abc"}, "password"),
    ({"title": "T", "password": "x" * 129}, "password"),
    ({"title": "T", "password": 12345}, "password"),
    ({"title": "T", "password": "pass", "introduction": "x" * 2001}, "introduction"),
    ({"title": "T", "password": "pass", "max_members": -1}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": 0}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": 1}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": 101}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": 10**20}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": "ten"}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": 2.5}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": True}, "max_members"),
    ({"title": "T", "password": "pass", "max_members": None}, "max_members"),
    ({"title": "T", "password": "pass", "timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"title": "T", "password": "pass", "timezone": ""}, "timezone"),
    ({"title": "T", "password": "pass", "timezone": "../../etc/localtime"}, "timezone"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATE)
def test_create_team_rejects_junk(body: dict[str, Any], field: str, db_state: Any) -> None:
    client = as_user(make_user())
    before = db_state()
    response = client.post("/api/v1/teams/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_members": 2}, "max_members"),  # the team has 3 members
        ({"max_members": -5}, "max_members"),
        ({"max_members": "many"}, "max_members"),
        ({"title": ""}, "title"),
        ({"title": "x" * 65}, "title"),
        ({"timezone": "Nowhere/Special"}, "timezone"),
        ({"password": "abc"}, "password"),
        ({"introduction": "x" * 2001}, "introduction"),
    ],
)
def test_edit_team_rejects_junk(body: dict[str, Any], field: str, db_state: Any) -> None:
    team = make_team(members=2)
    client = as_user(host_of(team).user)
    before = db_state()
    response = client.patch(f"/api/v1/teams/{team.pk}/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


def test_max_members_can_equal_the_member_count() -> None:
    team = make_team(members=2)
    response = as_user(host_of(team).user).patch(f"/api/v1/teams/{team.pk}/", {"max_members": 3})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ('{"title": "T", "password": ', "application/json"),
        ("title=T", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(
    content: str, content_type: str, db_state: Any
) -> None:
    client = as_user(make_user())
    before = db_state()
    response = client.generic("POST", "/api/v1/teams/", content, content_type=content_type)
    assert response.status_code == 400
    assert response.json()  # {"detail": ...} or {"non_field_errors": [...]}
    assert db_state() == before


def test_an_unsupported_media_type_is_a_415() -> None:
    response = as_user(make_user()).generic(
        "POST", "/api/v1/teams/", "title: T", content_type="text/yaml"
    )
    assert response.status_code == 415


# --- joining -------------------------------------------------------------------------------


def join(user: Any, code: Any, password: Any) -> Any:
    return as_user(user).post("/api/v1/teams/join/", {"invite_code": code, "password": password})


def test_join_returns_the_team() -> None:
    team = make_team(members=1)
    user = make_user()
    response = join(user, team.invite_code, TEAM_PASSWORD)
    assert response.status_code == 201
    assert response.json()["id"] == team.pk
    assert response.json()["my_role"] == "member"
    assert response.json()["member_count"] == 3
    assert response.json()["invite_code"] is None
    assert Membership.objects.filter(team=team, user=user, role="member").exists()


def test_unknown_code_and_wrong_password_look_the_same(db_state: Any) -> None:
    team = make_team()
    before = db_state()
    unknown = join(make_user(), "no-such-code-123", TEAM_PASSWORD)
    wrong = join(make_user(), team.invite_code, "wrong-password")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()
    assert set(unknown.json()) == {"detail"}
    assert unknown.content == wrong.content
    assert db_state() == before


def test_invite_codes_match_exactly() -> None:
    # MySQL's default collations compare case-insensitively; the code must not.
    team = make_team()
    Team.objects.filter(pk=team.pk).update(invite_code="AbcDefGhij12")
    assert join(make_user(), "abcdefghij12", TEAM_PASSWORD).status_code == 400
    assert join(make_user(), "AbcDefGhij12", TEAM_PASSWORD).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": TEAM_PASSWORD}, "invite_code"),
        ({"invite_code": "abc"}, "password"),
        ({"invite_code": "", "password": TEAM_PASSWORD}, "invite_code"),
        ({"invite_code": ["x"], "password": TEAM_PASSWORD}, "invite_code"),
        ({"invite_code": "abc", "password": None}, "password"),
    ],
)
def test_join_names_missing_fields(body: dict[str, Any], field: str, db_state: Any) -> None:
    before = db_state()
    response = as_user(make_user()).post("/api/v1/teams/join/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert db_state() == before


def test_joining_twice_is_a_conflict(db_state: Any) -> None:
    team = make_team()
    user = make_user()
    assert join(user, team.invite_code, TEAM_PASSWORD).status_code == 201
    before = db_state()
    again = join(user, team.invite_code, TEAM_PASSWORD)
    assert again.status_code == 409
    assert set(again.json()) == {"detail"}
    assert db_state() == before


def test_a_full_team_is_a_conflict(db_state: Any) -> None:
    team = make_team(members=1, max_members=2)
    before = db_state()
    response = join(make_user(), team.invite_code, TEAM_PASSWORD)
    assert response.status_code == 409
    assert db_state() == before


@pytest.mark.parametrize("rate", ["10/h", "3/h"])
def test_wrong_attempts_are_rate_limited(rate: str, db_state: Any) -> None:
    limit = int(rate.split("/")[0])
    team = make_team()
    user = make_user()
    with override_settings(TEAMMOA_JOIN_ATTEMPTS=rate):
        for _attempt in range(limit):
            assert join(user, team.invite_code, "wrong-password").status_code == 400
        before = db_state()
        blocked = join(user, "unknown-code-xyz", "wrong-password")
        assert blocked.status_code == 429
        assert 0 < int(blocked["Retry-After"]) <= 3600
        assert set(blocked.json()) == {"detail"}
        # Blocked means blocked: the right password does not get through either.
        right = join(user, team.invite_code, TEAM_PASSWORD)
        assert right.status_code == 429
        assert db_state() == before
        # The limit is per user.
        assert join(make_user(), team.invite_code, TEAM_PASSWORD).status_code == 201


def test_successful_joins_do_not_count_as_wrong_attempts() -> None:
    user = make_user()
    with override_settings(TEAMMOA_JOIN_ATTEMPTS="2/h"):
        for _team in range(4):
            team = make_team()
            assert join(user, team.invite_code, TEAM_PASSWORD).status_code == 201


# --- host powers, leaving ------------------------------------------------------------------


def test_transfer_host() -> None:
    team = make_team(members=2)
    host = host_of(team)
    target = team.memberships.filter(role="member").last()
    response = as_user(host.user).post(
        f"/api/v1/teams/{team.pk}/transfer-host/", {"member": target.pk}
    )
    assert response.status_code == 200
    assert response.json()["my_role"] == "member"
    assert host_of(team).pk == target.pk
    assert team.memberships.filter(role="host").count() == 1


def test_transfer_host_rejects_foreign_and_junk_members(db_state: Any) -> None:
    team = make_team(members=1)
    other = make_team(members=1)
    host = host_of(team)
    client = as_user(host.user)
    before = db_state()
    for body in (
        {"member": other.memberships.filter(role="member").get().pk},
        {"member": host_of(other).pk},
        {"member": host.pk},  # already the host
        {"member": "abc"},
        {"member": None},
        {"member": [1]},
        {"member": 10**12},
        {},
    ):
        response = client.post(f"/api/v1/teams/{team.pk}/transfer-host/", body)
        assert response.status_code == 400, body
        assert "member" in response.json(), body
    assert db_state() == before


def test_new_invite_code_replaces_the_old_one() -> None:
    team = make_team()
    old = team.invite_code
    response = as_user(host_of(team).user).post(f"/api/v1/teams/{team.pk}/invite-code/")
    assert response.status_code == 200
    new = response.json()["invite_code"]
    assert new != old
    assert len(new) >= 10
    assert set(response.json()) == TEAM_FIELDS
    assert join(make_user(), old, TEAM_PASSWORD).status_code == 400
    assert join(make_user(), new, TEAM_PASSWORD).status_code == 201


def test_members_list() -> None:
    team = make_team(members=2)
    host = host_of(team)
    response = as_user(host.user).get(f"/api/v1/teams/{team.pk}/members/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [m["id"] for m in results] == list(
        team.memberships.order_by("joined_at", "id").values_list("pk", flat=True)
    )
    first = results[0]
    assert set(first) == {"id", "user", "role", "joined_at"}
    assert first["role"] == "host"
    assert first["user"] == {
        "id": host.user.pk,
        "username": host.user.username,
        "nickname": host.user.nickname,
    }


def test_host_leaving_hands_the_role_to_the_longest_standing_member() -> None:
    team = make_team(members=2)
    host = host_of(team)
    oldest = team.memberships.filter(role="member").order_by("joined_at", "id").first()
    response = as_user(host.user).post(f"/api/v1/teams/{team.pk}/leave/")
    assert response.status_code == 204
    assert host_of(team).pk == oldest.pk
    assert as_user(host.user).get(f"/api/v1/teams/{team.pk}/").status_code == 404


def test_the_last_member_leaving_deletes_the_team() -> None:
    team = make_team()
    response = as_user(host_of(team).user).post(f"/api/v1/teams/{team.pk}/leave/")
    assert response.status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_removed_member_loses_access_at_once_and_their_todos_are_unassigned() -> None:
    team = make_team(members=1)
    host = host_of(team)
    member = team.memberships.get(role="member")
    member_client = as_user(member.user)
    todo = member_client.post(
        f"/api/v1/teams/{team.pk}/todos/", {"content": "mine", "assignee": member.pk}
    ).json()
    assert member_client.get(f"/api/v1/teams/{team.pk}/").status_code == 200

    response = as_user(host.user).delete(f"/api/v1/teams/{team.pk}/members/{member.pk}/")

    assert response.status_code == 204
    assert member_client.get(f"/api/v1/teams/{team.pk}/").status_code == 404
    assert member_client.get(f"/api/v1/teams/{team.pk}/todos/").status_code == 404
    assert Todo.objects.get(pk=todo["id"]).assignee_id is None


def test_remove_member_edge_cases(db_state: Any) -> None:
    team = make_team(members=1)
    other = make_team(members=1)
    host = host_of(team)
    client = as_user(host.user)
    before = db_state()
    assert client.delete(f"/api/v1/teams/{team.pk}/members/{host.pk}/").status_code == 409
    foreign = other.memberships.get(role="member")
    assert client.delete(f"/api/v1/teams/{team.pk}/members/{foreign.pk}/").status_code == 404
    assert client.delete(f"/api/v1/teams/{team.pk}/members/999999/").status_code == 404
    assert db_state() == before


def test_disband_deletes_everything() -> None:
    team = make_team(members=2)
    response = as_user(host_of(team).user).delete(f"/api/v1/teams/{team.pk}/")
    assert response.status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Membership.objects.filter(team_id=team.pk).exists()


# --- authentication ------------------------------------------------------------------------


def test_anonymous_requests_get_401_with_a_token_challenge() -> None:
    team = make_team()
    for path in ("/api/v1/teams/", f"/api/v1/teams/{team.pk}/", "/api/v1/teams/join/"):
        response = APIClient().get(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/teams/").status_code == 401


def test_session_auth_requires_csrf_for_writes() -> None:
    user = make_user()
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=USER_PASSWORD)
    assert client.get("/api/v1/teams/").status_code == 200

    refused = client.post("/api/v1/teams/", {"title": "T", "password": "pass"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Team.objects.exists()

    # What a page render does for the browser: a CSRF cookie and the matching token.
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    accepted = client.post(
        "/api/v1/teams/",
        {"title": "T", "password": "pass"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_domain_errors_map_without_the_exception_handler_setting() -> None:
    """A host project that leaves DRF's EXCEPTION_HANDLER alone still gets 404/403/409."""
    plain_drf = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }
    team = make_team(members=1)
    member = team.memberships.get(role="member")
    with override_settings(REST_FRAMEWORK=plain_drf):
        assert as_user(make_user()).get(f"/api/v1/teams/{team.pk}/").status_code == 404
        assert as_user(member.user).delete(f"/api/v1/teams/{team.pk}/").status_code == 403
        assert join(member.user, team.invite_code, TEAM_PASSWORD).status_code == 409
