"""Team pages: my teams, create, join, the team home and the host's powers."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from teammoa.core.models import Membership, Role, Team
from teammoa.core.navigation import TeamTab, register_team_tab, unregister_team_tab
from teammoa.core.services import create_milestone
from teammoa.core.testing.factories import (
    TEAM_PASSWORD,
    add_member,
    host_of,
    make_team,
    make_user,
)

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"teammoa_core:{name}", kwargs=kwargs or None)


@pytest.fixture
def team() -> Team:
    return make_team(title="Rocket crew", introduction="We build rockets.", members=1)


def login(client, user) -> None:
    client.force_login(user)


def assert_login_redirect(response) -> None:
    assert response.status_code == 302
    assert response.url.startswith(settings.LOGIN_URL)


# --- access --------------------------------------------------------------------------------

TEAM_PAGES = [
    "team_home",
    "team_leave",
    "milestone_create",
    "todo_board",
    "post_list",
    "post_create",
]
HOST_PAGES = ["team_settings", "team_transfer_host", "team_disband"]


@pytest.mark.parametrize("name", [*TEAM_PAGES, *HOST_PAGES])
def test_team_pages_are_404_for_non_members(client, team, name):
    login(client, make_user())
    assert client.get(url(name, team=team.pk)).status_code == 404


@pytest.mark.parametrize("name", [*TEAM_PAGES, *HOST_PAGES])
def test_team_pages_send_anonymous_visitors_to_login(client, team, name):
    assert_login_redirect(client.get(url(name, team=team.pk)))


def test_unknown_team_is_404(client):
    login(client, make_user())
    assert client.get(url("team_home", team=987654)).status_code == 404


@pytest.mark.parametrize("name", ["team_list", "team_create", "team_join"])
def test_personal_pages_send_anonymous_visitors_to_login(client, name):
    assert_login_redirect(client.get(url(name)))


@pytest.mark.parametrize("name", HOST_PAGES)
def test_host_pages_are_403_for_members(client, team, member_user, name):
    login(client, member_user)
    assert client.get(url(name, team=team.pk)).status_code == 403


@pytest.mark.parametrize("name", HOST_PAGES)
def test_host_pages_render_for_the_host(client, team, host_user, name):
    login(client, host_user)
    assert client.get(url(name, team=team.pk)).status_code == 200


def test_member_cannot_use_host_actions_by_post(client, team, host_user, member_user):
    login(client, member_user)
    other = team.memberships.get(user=member_user)
    host_membership = host_of(team)
    old_code = team.invite_code
    assert client.post(url("team_invite_code", team=team.pk)).status_code == 403
    assert client.post(url("team_disband", team=team.pk)).status_code == 403
    assert (
        client.post(url("team_transfer_host", team=team.pk), {"member": other.pk}).status_code
        == 403
    )
    assert (
        client.post(url("team_remove_member", team=team.pk, member=host_membership.pk)).status_code
        == 403
    )
    assert client.post(url("team_settings", team=team.pk), {"title": "Mine"}).status_code == 403
    team.refresh_from_db()
    assert team.invite_code == old_code
    assert team.title == "Rocket crew"
    assert host_of(team).user == host_user


# --- my teams ------------------------------------------------------------------------------


def test_team_list_shows_my_teams_with_count_and_role(client, team, member_user):
    mine = make_team(host=member_user, title="Side project")
    make_team(title="Not mine")
    login(client, member_user)
    response = client.get(url("team_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rocket crew" in html and "Side project" in html
    assert "Not mine" not in html
    assert url("team_home", team=mine.pk) in html
    teams = {t.title: t for t in response.context["teams"]}
    assert teams["Rocket crew"].member_count == 2
    assert teams["Rocket crew"].my_role == "member"
    assert teams["Side project"].my_role == "host"
    assert "2 of 10" in html


def test_team_list_empty_state_offers_create_and_join(client):
    login(client, make_user())
    html = client.get(url("team_list")).content.decode()
    assert "You are not in a team yet" in html
    assert url("team_create") in html and url("team_join") in html


# --- create --------------------------------------------------------------------------------


def test_create_team_makes_me_host_and_shows_the_invite_code(client):
    user = make_user()
    login(client, user)
    response = client.post(
        url("team_create"),
        {
            "title": "  New team ",
            "introduction": "Hello",
            "password": "secret-pass",
            "max_members": "5",
            "timezone": "Europe/Berlin",
        },
    )
    team = Team.objects.get(title="New team")
    assert response.status_code == 302
    assert response.url == url("team_home", team=team.pk) + "#invite"
    assert team.max_members == 5 and team.timezone == "Europe/Berlin"
    assert team.check_join_password("secret-pass")
    assert Membership.objects.get(team=team, user=user).role == Role.HOST
    home = client.get(response.url).content.decode()
    assert team.invite_code in home
    assert "Your team is ready" in home


def test_create_team_shows_service_errors_next_to_fields(client):
    login(client, make_user())
    response = client.post(
        url("team_create"),
        {"title": "", "password": "ab", "max_members": "500", "timezone": "Mars/Base"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"title", "password", "max_members", "timezone"}
    html = response.content.decode()
    assert 'id="id_title_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Team.objects.exists()


def test_create_form_defaults(client):
    login(client, make_user())
    response = client.get(url("team_create"))
    assert response.status_code == 200
    assert response.context["form"]["timezone"].value() == settings.TIME_ZONE
    assert "Asia/Seoul" in response.content.decode()  # the time zone list


# --- join ----------------------------------------------------------------------------------


def test_join_form_prefills_the_code(client, team):
    login(client, make_user())
    response = client.get(url("team_join") + f"?code={team.invite_code}")
    assert response.status_code == 200
    assert f'value="{team.invite_code}"' in response.content.decode()


def test_join_with_the_right_password(client, team):
    user = make_user()
    login(client, user)
    response = client.post(
        url("team_join"), {"invite_code": team.invite_code, "password": TEAM_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == url("team_home", team=team.pk)
    assert Membership.objects.filter(team=team, user=user, role=Role.MEMBER).exists()


def test_join_with_a_wrong_password_shows_an_error_and_joins_nothing(client, team):
    user = make_user()
    login(client, user)
    response = client.post(url("team_join"), {"invite_code": team.invite_code, "password": "nope"})
    assert response.status_code == 200
    assert "The invite code or the password is wrong." in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    # An unknown code reads the same (no enumeration).
    response = client.post(url("team_join"), {"invite_code": "x" * 12, "password": "nope"})
    assert "The invite code or the password is wrong." in response.content.decode()


def test_join_with_missing_fields_marks_them(client):
    login(client, make_user())
    response = client.post(url("team_join"), {"invite_code": "", "password": ""})
    assert set(response.context["form"].errors) == {"invite_code", "password"}


def test_join_twice_is_a_message_on_the_page(client, team, member_user):
    login(client, member_user)
    response = client.post(
        url("team_join"), {"invite_code": team.invite_code, "password": TEAM_PASSWORD}
    )
    assert response.status_code == 409
    assert "You are already a member of this team." in response.content.decode()


def test_join_a_full_team_is_a_message_on_the_page(client):
    full = make_team(max_members=2, members=1)
    login(client, make_user())
    response = client.post(
        url("team_join"), {"invite_code": full.invite_code, "password": TEAM_PASSWORD}
    )
    assert response.status_code == 409
    assert "This team is full." in response.content.decode()


def test_join_attempts_are_rate_limited(client, team, settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "2/h"
    user = make_user()
    login(client, user)
    for _ in range(2):
        client.post(url("team_join"), {"invite_code": team.invite_code, "password": "bad"})
    response = client.post(
        url("team_join"), {"invite_code": team.invite_code, "password": TEAM_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many wrong invite codes or passwords" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


# --- the team home -------------------------------------------------------------------------


def test_home_for_a_member(client, team, member_user):
    create_milestone(
        member_user, team.pk, title="Launch", start_date="2026-01-05", end_date="2026-01-20"
    )
    login(client, member_user)
    response = client.get(url("team_home", team=team.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "We build rockets." in html
    assert "Launch" in html and "timeline__bar" in html
    assert "Nick " in html  # member names
    assert team.invite_code not in html  # only the host sees the code
    assert url("team_leave", team=team.pk) in html
    assert url("team_settings", team=team.pk) not in html
    assert url("team_disband", team=team.pk) not in html


def test_home_for_the_host_has_invite_code_and_host_actions(client, team, host_user):
    login(client, host_user)
    html = client.get(url("team_home", team=team.pk)).content.decode()
    assert team.invite_code in html
    assert re.search(
        r'id="invite-link" type="url" value="http://testserver/teams/join/[^/"]+/"', html
    )
    member = team.memberships.get(role=Role.MEMBER)
    assert url("team_remove_member", team=team.pk, member=member.pk) in html
    assert url("team_transfer_host", team=team.pk) + f"?member={member.pk}" in html
    assert url("team_settings", team=team.pk) in html
    assert url("team_disband", team=team.pk) in html
    assert "data-copy" in html


def test_home_shows_the_registered_tabs(client, team, member_user):
    login(client, member_user)
    html = client.get(url("team_home", team=team.pk)).content.decode()
    assert 'aria-label="Team sections"' in html
    for name in ("team_home", "todo_board", "post_list"):
        assert url(name, team=team.pk) in html
    assert f'href="{url("team_home", team=team.pk)}" aria-current="page"' in html


def test_tabs_of_other_apps_appear_and_missing_urls_are_skipped(client, team, member_user):
    # Any URL name that takes ``team`` will do for a stand-in of another app's page.
    register_team_tab(TeamTab("elsewhere", "Elsewhere", "teammoa_core:team_leave", order=5))
    register_team_tab(TeamTab("ghost", "Ghost", "nowhere:page", order=6))
    try:
        login(client, member_user)
        response = client.get(url("todo_board", team=team.pk))
    finally:
        unregister_team_tab("elsewhere")
        unregister_team_tab("ghost")
    html = response.content.decode()
    assert f'href="{url("team_leave", team=team.pk)}">Elsewhere<' in html
    assert "Ghost" not in html
    assert f'href="{url("todo_board", team=team.pk)}" aria-current="page"' in html


def test_add_milestone_from_the_home_page(client, team, member_user):
    login(client, member_user)
    response = client.post(
        url("milestone_create", team=team.pk),
        {
            "title": "Design",
            "start_date": "2026-02-01",
            "end_date": "2026-02-10",
            "priority": "high",
            "progress_mode": "auto",
            "progress": "40",  # ignored in automatic mode
        },
    )
    assert response.status_code == 302
    milestone = team.milestones.get()
    assert (milestone.title, milestone.priority, milestone.progress) == ("Design", "high", 0)


# --- host actions --------------------------------------------------------------------------


def test_settings_save(client, team, host_user):
    login(client, host_user)
    response = client.post(
        url("team_settings", team=team.pk),
        {
            "title": "Renamed",
            "introduction": "New intro",
            "max_members": "4",
            "timezone": "UTC",
            "password": "",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.title, team.introduction, team.max_members, team.timezone) == (
        "Renamed",
        "New intro",
        4,
        "UTC",
    )
    assert team.check_join_password(TEAM_PASSWORD)  # empty keeps the password


def test_settings_change_password_and_refuse_too_small_maximum(client, team, host_user):
    login(client, host_user)
    add_member(team)
    response = client.post(
        url("team_settings", team=team.pk),
        {"title": "Rocket crew", "max_members": "2", "timezone": "UTC", "password": "brand-new"},
    )
    assert response.status_code == 200
    assert "max_members" in response.context["form"].errors
    team.refresh_from_db()
    assert team.max_members == 10
    assert team.check_join_password(TEAM_PASSWORD)  # nothing saved
    client.post(
        url("team_settings", team=team.pk),
        {"title": "Rocket crew", "max_members": "10", "timezone": "UTC", "password": "brand-new"},
    )
    team.refresh_from_db()
    assert team.check_join_password("brand-new")


def test_regenerate_invite_code(client, team, host_user):
    login(client, host_user)
    old = team.invite_code
    response = client.post(url("team_invite_code", team=team.pk))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.invite_code != old
    assert client.get(url("team_invite_code", team=team.pk)).status_code == 405


def test_transfer_host(client, team, host_user, member_user):
    login(client, host_user)
    target = team.memberships.get(user=member_user)
    form = client.get(url("team_transfer_host", team=team.pk) + f"?member={target.pk}")
    assert form.context["form"]["member"].value() == str(target.pk)
    response = client.post(url("team_transfer_host", team=team.pk), {"member": target.pk})
    assert response.status_code == 302
    assert host_of(team).user == member_user
    # The former host is a member now: host pages are closed to them.
    assert client.get(url("team_settings", team=team.pk)).status_code == 403


def test_transfer_host_to_a_stranger_is_a_field_error(client, team, host_user):
    login(client, host_user)
    other = make_team(members=1).memberships.get(role=Role.MEMBER)
    response = client.post(url("team_transfer_host", team=team.pk), {"member": other.pk})
    assert response.status_code == 200
    assert "member" in response.context["form"].errors
    assert host_of(team).user == host_user


def test_remove_member(client, team, host_user, member_user):
    login(client, host_user)
    target = team.memberships.get(user=member_user)
    confirm = client.get(url("team_remove_member", team=team.pk, member=target.pk))
    assert confirm.status_code == 200
    assert "Remove Nick" in confirm.content.decode()
    response = client.post(url("team_remove_member", team=team.pk, member=target.pk))
    assert response.status_code == 302
    assert not team.memberships.filter(user=member_user).exists()
    client.force_login(member_user)
    assert client.get(url("team_home", team=team.pk)).status_code == 404


def test_remove_a_member_of_another_team_is_404(client, team, host_user):
    login(client, host_user)
    other = make_team(members=1).memberships.get(role=Role.MEMBER)
    assert client.get(url("team_remove_member", team=team.pk, member=other.pk)).status_code == 404
    assert client.post(url("team_remove_member", team=team.pk, member=other.pk)).status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_host_cannot_remove_themself(client, team, host_user):
    login(client, host_user)
    mine = host_of(team)
    response = client.post(url("team_remove_member", team=team.pk, member=mine.pk), follow=True)
    assert "The host cannot remove themself" in response.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_leave(client, team, member_user):
    login(client, member_user)
    assert client.get(url("team_leave", team=team.pk)).status_code == 200
    response = client.post(url("team_leave", team=team.pk))
    assert response.status_code == 302
    assert response.url == url("team_list")
    assert not team.memberships.filter(user=member_user).exists()


def test_host_leaving_hands_the_role_on(client, team, host_user, member_user):
    login(client, host_user)
    client.post(url("team_leave", team=team.pk))
    assert host_of(team).user == member_user


def test_disband(client, team, host_user):
    login(client, host_user)
    response = client.post(url("team_disband", team=team.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("team_list")
    assert "Rocket crew was disbanded." in response.content.decode()
    assert not Team.objects.filter(pk=team.pk).exists()
