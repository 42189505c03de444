"""One invite link is enough to join: signed, expiring, ended by a new invite code; and
invite codes a person can read aloud (no 0/O, 1/l/I, no punctuation)."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from teammoa.core import services
from teammoa.core.errors import Conflict, Forbidden, Invalid, NotFound
from teammoa.core.models import (
    INVITE_CODE_ALPHABET,
    Membership,
    Team,
    is_plain_invite_code,
    new_invite_code,
)
from teammoa.core.services.teams import INVITE_LINK_SALT
from teammoa.core.testing.factories import (
    TEAM_PASSWORD,
    add_member,
    host_of,
    make_team,
    make_user,
)
from tests.api_support import as_user

pytestmark = pytest.mark.django_db


def _later(days: float):
    """``time.time`` as it will be ``days`` from now (signatures read it)."""
    moment = timezone.now().timestamp() + days * 86400
    return mock.patch("django.core.signing.time.time", return_value=moment)


# --- codes ---------------------------------------------------------------------------------


def test_codes_use_only_unambiguous_characters():
    codes = {new_invite_code() for _ in range(300)}
    assert len(codes) == 300
    for ambiguous in "0O1lI_-":
        assert ambiguous not in INVITE_CODE_ALPHABET
        assert not any(ambiguous in code for code in codes)
    assert all(re.fullmatch(f"[{INVITE_CODE_ALPHABET}]{{12}}", code) for code in codes)


def test_a_new_team_and_a_regenerated_code_use_the_alphabet():
    team = make_team()
    host = host_of(team).user
    assert is_plain_invite_code(services.regenerate_invite_code(host, team.pk).invite_code)
    created = services.create_team(host, title="Second", password=TEAM_PASSWORD)
    assert is_plain_invite_code(created.invite_code)


def test_a_code_may_be_typed_in_lower_case_with_spaces_or_hyphens():
    team = make_team()
    Team.objects.filter(pk=team.pk).update(invite_code="ABCD2345WXYZ")
    for typed in ("abcd2345wxyz", " ABCD 2345 WXYZ ", "abcd-2345-wxyz"):
        user = make_user()
        assert services.join_team(user, typed, TEAM_PASSWORD).team_id == team.pk


def test_codes_made_before_keep_working_exactly():
    team = make_team()
    Team.objects.filter(pk=team.pk).update(invite_code="Ab_c-0lIo9xZ")
    with pytest.raises(Invalid):
        services.join_team(make_user(), "AB_C-0LIO9XZ", TEAM_PASSWORD)
    assert services.join_team(make_user(), "Ab_c-0lIo9xZ", TEAM_PASSWORD).team_id == team.pk


# --- links: the service --------------------------------------------------------------------


def test_the_host_gets_a_link_that_joins_without_the_password():
    team = make_team()
    link = services.invite_link(host_of(team).user, team.pk)
    assert team.invite_code not in link.token  # the code is signed, not readable as such
    assert link.expires_at > timezone.now() + datetime.timedelta(days=6)
    newcomer = make_user()
    membership = services.join_team_by_link(newcomer, link.token)
    assert membership.team_id == team.pk and membership.role == "member"


def test_only_the_host_makes_links_and_outsiders_see_no_team():
    team = make_team(members=2)
    member = Membership.objects.filter(team=team, role="member").first().user
    with pytest.raises(Forbidden):
        services.invite_link(member, team.pk)
    with pytest.raises(NotFound):
        services.invite_link(make_user(), team.pk)


def test_a_link_expires(settings):
    settings.TEAMMOA_INVITE_LINK_DAYS = 2
    team = make_team()
    token = services.invite_link(host_of(team).user, team.pk).token
    with _later(1.9):
        assert services.team_of_invite_link(token) == team
    with _later(2.1), pytest.raises(Invalid) as error:
        services.join_team_by_link(make_user(), token)
    assert error.value.errors == {
        "token": ["This invite link has expired. Ask the host for a new one."]
    }
    assert Membership.objects.filter(team=team).count() == 1


def test_a_new_invite_code_ends_every_link():
    team = make_team()
    host = host_of(team).user
    token = services.invite_link(host, team.pk).token
    services.regenerate_invite_code(host, team.pk)
    with pytest.raises(Invalid) as error:
        services.join_team_by_link(make_user(), token)
    assert "no longer works" in error.value.errors["token"][0]
    # The new link works.
    assert services.join_team_by_link(make_user(), services.invite_link(host, team.pk).token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "   ",
        None,
        42,
        ["x"],
        "not-a-token",
        "eyJ0ZWFtIjoxfQ:1abc:forged",
        signing.TimestampSigner(salt="other").sign_object({"team": 1, "code": "x"}),
        signing.TimestampSigner(salt=INVITE_LINK_SALT).sign("not json"),
        signing.TimestampSigner(salt=INVITE_LINK_SALT).sign_object(["team", 1]),
        signing.TimestampSigner(salt=INVITE_LINK_SALT).sign_object({"team": "1", "code": 2}),
        "\x00",
        "한국어",
    ],
)
def test_junk_links_are_invalid_naming_the_token(token):
    with pytest.raises(Invalid) as error:
        services.join_team_by_link(make_user(), token)
    assert list(error.value.errors) == ["token"]


def test_a_link_for_a_disbanded_team_no_longer_works():
    team = make_team()
    host = host_of(team).user
    token = services.invite_link(host, team.pk).token
    services.disband_team(host, team.pk)
    with pytest.raises(Invalid):
        services.join_team_by_link(make_user(), token)


def test_a_link_keeps_the_member_limit_and_refuses_a_second_join():
    team = make_team(max_members=2)
    token = services.invite_link(host_of(team).user, team.pk).token
    joiner = make_user()
    services.join_team_by_link(joiner, token)
    with pytest.raises(Conflict, match="already a member"):
        services.join_team_by_link(joiner, token)
    with pytest.raises(Conflict, match="full"):
        services.join_team_by_link(make_user(), token)


# --- links: the API ------------------------------------------------------------------------


def test_api_host_gets_a_link_members_403_outsiders_404():
    team = make_team(members=2)
    host = host_of(team).user
    member = Membership.objects.filter(team=team, role="member").first().user
    path = f"/api/v1/teams/{team.pk}/invite-link/"
    response = as_user(host).get(path)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"url", "token", "expires_at"}
    assert data["url"].endswith(reverse("teammoa_core:team_join_link", args=[data["token"]]))
    assert as_user(member).get(path).status_code == 403
    assert as_user(make_user()).get(path).status_code == 404
    assert as_user(host).post(path).status_code == 405


def test_api_join_by_link():
    team = make_team()
    token = as_user(host_of(team).user).get(f"/api/v1/teams/{team.pk}/invite-link/").json()["token"]
    newcomer = make_user()
    response = as_user(newcomer).post("/api/v1/teams/join-link/", {"token": token}, format="json")
    assert response.status_code == 201
    assert response.json()["id"] == team.pk and response.json()["my_role"] == "member"
    again = as_user(newcomer).post("/api/v1/teams/join-link/", {"token": token}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": 5}, {"token": "x:y:z"}])
def test_api_junk_is_400_naming_the_token(body):
    response = as_user(make_user()).post("/api/v1/teams/join-link/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["token"]


def test_api_a_body_that_is_no_object_is_400():
    response = as_user(make_user()).post("/api/v1/teams/join-link/", [], format="json")
    assert response.status_code == 400


def test_api_join_link_needs_a_signed_in_user():
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/teams/join-link/", {"token": "x"}, format="json")
    assert response.status_code in (401, 403)


# --- links: the pages ----------------------------------------------------------------------


def test_the_team_home_shows_the_link_to_the_host_and_the_card_first_in_a_new_team(client):
    team = make_team()
    client.force_login(host_of(team).user)
    html = client.get(reverse("teammoa_core:team_home", args=[team.pk])).content.decode()
    token = re.search(r'id="invite-link" type="url" value="[^"]*/teams/join/([^/"]+)/"', html)
    assert token, html
    assert services.team_of_invite_link(token.group(1)) == team
    # Alone in the team: the invite card comes before the milestones.
    assert html.index('id="invite"') < html.index('id="milestones"')
    add_member(team)
    html = client.get(reverse("teammoa_core:team_home", args=[team.pk])).content.decode()
    assert html.index('id="invite"') > html.index('id="milestones"')


def test_members_see_no_link(client):
    team = make_team(members=2)
    member = Membership.objects.filter(team=team, role="member").first().user
    client.force_login(member)
    html = client.get(reverse("teammoa_core:team_home", args=[team.pk])).content.decode()
    assert "/teams/join/" not in html and 'id="invite"' not in html


def test_the_link_page_asks_once_and_joins(client):
    team = make_team(title="Rocket crew")
    token = services.invite_link(host_of(team).user, team.pk).token
    page = reverse("teammoa_core:team_join_link", args=[token])
    client.force_login(make_user())
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Rocket crew" in html and 'type="password"' not in html
    response = client.post(page)
    assert response.status_code == 302
    assert response.url == reverse("teammoa_core:team_home", args=[team.pk])
    # Opened again by a member: straight to the team.
    assert client.get(page).url == reverse("teammoa_core:team_home", args=[team.pk])


def test_the_link_page_sends_visitors_to_log_in_first(client):
    team = make_team()
    token = services.invite_link(host_of(team).user, team.pk).token
    response = client.get(reverse("teammoa_core:team_join_link", args=[token]))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_broken_link_page_is_400_and_offers_the_code(client, method):
    team = make_team()
    host = host_of(team).user
    token = services.invite_link(host, team.pk).token
    services.regenerate_invite_code(host, team.pk)
    client.force_login(make_user())
    response = getattr(client, method)(reverse("teammoa_core:team_join_link", args=[token]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer works" in html
    assert reverse("teammoa_core:team_join") in html
    assert not Membership.objects.filter(team=team).exclude(user=host).exists()


def test_a_full_team_is_a_message_on_the_link_page(client):
    team = make_team(max_members=2, members=1)
    token = services.invite_link(host_of(team).user, team.pk).token
    client.force_login(make_user())
    response = client.post(reverse("teammoa_core:team_join_link", args=[token]))
    assert response.status_code == 409
    assert "This team is full." in response.content.decode()
