"""Team rules (SPEC section 2): creation, settings, invite codes, joining, leaving with host
succession, host powers and disbanding."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from teammoa.core import services
from teammoa.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from teammoa.core.models import Membership, Milestone, Post, Role, Team, Todo
from teammoa.core.signals import membership_ended
from teammoa.core.testing.factories import TEAM_PASSWORD, add_member, host_of, make_team, make_user

pytestmark = pytest.mark.django_db

INVITE_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{10,}$")


@pytest.fixture
def ended():
    """Every ``membership_ended`` sent, as ``(team_id, user_id)``."""
    received: list[tuple[int, int]] = []

    def receiver(sender, team_id, user_id, **kwargs):
        received.append((team_id, user_id))

    membership_ended.connect(receiver, dispatch_uid="test_services_teams")
    yield received
    membership_ended.disconnect(dispatch_uid="test_services_teams")


def hosts(team: Team) -> list[Membership]:
    return list(Membership.objects.filter(team_id=team.pk, role=Role.HOST))


# --- creation ------------------------------------------------------------------------------


def test_creator_is_host_and_first_member():
    user = make_user()
    team = services.create_team(user, title="Hackers", password="secret-1")
    (membership,) = team.memberships.all()
    assert membership.user == user
    assert membership.role == Role.HOST
    assert membership.is_host


def test_defaults(settings):
    team = make_team()
    assert team.max_members == 10
    assert team.timezone == settings.TIME_ZONE == "Asia/Seoul"
    assert team.introduction == ""
    assert team.created_at is not None


def test_join_password_is_stored_hashed():
    team = services.create_team(make_user(), title="T", password="open-sesame")
    team.refresh_from_db()
    assert team.join_password != "open-sesame"
    assert "open-sesame" not in team.join_password
    assert team.join_password.startswith("md5$")  # the tests' PASSWORD_HASHERS
    assert team.check_join_password("open-sesame")
    assert not team.check_join_password("open-sesame ")
    assert not team.check_join_password("")


def test_invite_code_is_long_url_safe_and_unique():
    codes = [make_team().invite_code for _ in range(20)]
    assert all(INVITE_CODE_RE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_title_is_stored_as_typed_less_outer_blanks_and_64_characters_fit():
    # Stored as typed (read back unchanged), only the blanks at both ends go.
    assert services.create_team(make_user(), title="  a  b\t", password="pass").title == "a  b"
    assert len(services.create_team(make_user(), title="x" * 64, password="pass").title) == 64


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 65}, "title"),
        ({"introduction": "x" * 2001}, "introduction"),
        ({"max_members": 1}, "max_members"),
        ({"max_members": 101}, "max_members"),
        ({"max_members": "10"}, "max_members"),
        ({"max_members": True}, "max_members"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"password": "abc"}, "password"),
        ({"password": None}, "password"),
    ],
)
def test_create_rejects_bad_fields_and_saves_nothing(fields, field):
    data = {"title": "Team", "password": "pass-1234", **fields}
    with pytest.raises(Invalid) as info:
        services.create_team(make_user(), **data)
    assert field in info.value.errors
    assert Team.objects.count() == 0
    assert Membership.objects.count() == 0


def test_create_accepts_limits():
    team = services.create_team(
        make_user(),
        title="T",
        password="pass",
        max_members=100,
        introduction="x" * 2000,
        timezone="Europe/Berlin",
    )
    assert (team.max_members, team.timezone, len(team.introduction)) == (100, "Europe/Berlin", 2000)
    assert services.create_team(make_user(), title="T", password="pass", max_members=2)


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_cannot_create(user):
    with pytest.raises(NotFound):
        services.create_team(user, title="T", password="pass")


# --- settings ------------------------------------------------------------------------------


def test_host_edits_settings():
    team = make_team()
    host = host_of(team)
    updated = services.update_team(
        host.user, team.pk, title="New", introduction="Hi", timezone="UTC", max_members=5
    )
    team.refresh_from_db()
    assert (team.title, team.introduction, team.timezone, team.max_members) == (
        "New",
        "Hi",
        "UTC",
        5,
    )
    assert updated.pk == team.pk


def test_host_changes_the_join_password():
    team = make_team()
    services.update_team(host_of(team).user, team.pk, password="brand-new")
    team.refresh_from_db()
    assert team.join_password != "brand-new"
    assert team.check_join_password("brand-new")
    assert not team.check_join_password(TEAM_PASSWORD)


def test_member_cannot_edit_and_outsider_gets_not_found():
    team = make_team()
    member = add_member(team)
    with pytest.raises(Forbidden):
        services.update_team(member.user, team.pk, title="Mine")
    with pytest.raises(NotFound):
        services.update_team(make_user(), team.pk, title="Mine")
    team.refresh_from_db()
    assert team.title != "Mine"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 65}, "title"),
        ({"introduction": "x" * 2001}, "introduction"),
        ({"max_members": 101}, "max_members"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"password": "123"}, "password"),
    ],
)
def test_update_rejects_bad_fields_and_saves_nothing(fields, field):
    team = make_team(title="Before", introduction="intro")
    before = Team.objects.values().get(pk=team.pk)
    with pytest.raises(Invalid) as info:
        services.update_team(host_of(team).user, team.pk, **{"introduction": "changed", **fields})
    assert field in info.value.errors
    assert Team.objects.values().get(pk=team.pk) == before


def test_max_members_never_below_the_member_count():
    team = make_team(members=3)  # 4 members
    host = host_of(team).user
    with pytest.raises(Invalid) as info:
        services.update_team(host, team.pk, max_members=3, title="Changed")
    assert "max_members" in info.value.errors
    team.refresh_from_db()
    assert team.max_members == 10
    assert team.title != "Changed"
    assert services.update_team(host, team.pk, max_members=4).max_members == 4


# --- invite code ---------------------------------------------------------------------------


def test_host_regenerates_the_invite_code():
    team = make_team()
    old = team.invite_code
    services.regenerate_invite_code(host_of(team).user, team.pk)
    team.refresh_from_db()
    assert team.invite_code != old
    assert INVITE_CODE_RE.match(team.invite_code)
    with pytest.raises(Invalid):
        services.join_team(make_user(), old, TEAM_PASSWORD)
    assert services.join_team(make_user(), team.invite_code, TEAM_PASSWORD)


def test_only_the_host_regenerates_the_invite_code():
    team = make_team()
    member = add_member(team)
    with pytest.raises(Forbidden):
        services.regenerate_invite_code(member.user, team.pk)
    with pytest.raises(NotFound):
        services.regenerate_invite_code(make_user(), team.pk)
    assert Team.objects.get(pk=team.pk).invite_code == team.invite_code


# --- joining -------------------------------------------------------------------------------


def test_join_with_code_and_password():
    team = make_team()
    user = make_user()
    membership = services.join_team(user, team.invite_code, TEAM_PASSWORD)
    assert membership.team_id == team.pk
    assert membership.user == user
    assert membership.role == Role.MEMBER
    assert team.memberships.count() == 2
    assert len(hosts(team)) == 1


def test_join_ignores_surrounding_whitespace_in_the_code():
    team = make_team()
    assert services.join_team(make_user(), f"  {team.invite_code}\n", TEAM_PASSWORD)


def test_unknown_code_and_wrong_password_give_the_same_error():
    team = make_team()
    with pytest.raises(Invalid) as unknown:
        services.join_team(make_user(), "no-such-code-here", TEAM_PASSWORD)
    with pytest.raises(Invalid) as wrong:
        services.join_team(make_user(), team.invite_code, "wrong-password")
    assert type(unknown.value) is type(wrong.value)
    assert str(unknown.value) == str(wrong.value)
    assert unknown.value.errors == wrong.value.errors
    assert team.memberships.count() == 1


def test_invite_code_made_before_is_case_sensitive():
    # MySQL's default collation matches case-insensitively; a mixed-case code (made before
    # codes were capitals only) must still match exactly.
    team = make_team()
    Team.objects.filter(pk=team.pk).update(invite_code="AbcDefGhij12")
    with pytest.raises(Invalid):
        services.join_team(make_user(), "aBCdEFgHIJ12", TEAM_PASSWORD)
    assert team.memberships.count() == 1


@pytest.mark.parametrize(
    ("code", "password", "fields"),
    [
        ("", "pw", {"invite_code"}),
        (None, "pw", {"invite_code"}),
        ("code-code-code", "", {"password"}),
        (None, None, {"invite_code", "password"}),
    ],
)
def test_join_requires_code_and_password(code, password, fields):
    with pytest.raises(Invalid) as info:
        services.join_team(make_user(), code, password)
    assert set(info.value.errors) == fields


def test_joining_twice_is_a_conflict():
    team = make_team()
    user = make_user()
    services.join_team(user, team.invite_code, TEAM_PASSWORD)
    with pytest.raises(Conflict):
        services.join_team(user, team.invite_code, TEAM_PASSWORD)
    with pytest.raises(Conflict):
        services.join_team(host_of(team).user, team.invite_code, TEAM_PASSWORD)
    assert team.memberships.count() == 2


def test_joining_a_full_team_is_a_conflict():
    team = make_team(members=1, max_members=2)
    with pytest.raises(Conflict):
        services.join_team(make_user(), team.invite_code, TEAM_PASSWORD)
    assert team.memberships.count() == 2


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_cannot_join(user):
    team = make_team()
    with pytest.raises(NotFound):
        services.join_team(user, team.invite_code, TEAM_PASSWORD)
    assert team.memberships.count() == 1


def test_wrong_attempts_are_rate_limited_per_user(settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "3/h"
    team = make_team()
    guesser, other = make_user(), make_user()
    for code in (team.invite_code, "unknown-code-1", team.invite_code):
        with pytest.raises(Invalid):
            services.join_team(guesser, code, "wrong")
    # Past the limit even the right password is refused, with a retry time.
    with pytest.raises(RateLimited) as info:
        services.join_team(guesser, team.invite_code, TEAM_PASSWORD)
    assert 0 < info.value.retry_after <= 3600
    assert not team.memberships.filter(user=guesser).exists()
    # Another user is not affected.
    assert services.join_team(other, team.invite_code, TEAM_PASSWORD)


def test_rate_limit_follows_the_setting(settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "1/h"
    team = make_team()
    user = make_user()
    with pytest.raises(Invalid):
        services.join_team(user, team.invite_code, "wrong")
    with pytest.raises(RateLimited):
        services.join_team(user, team.invite_code, TEAM_PASSWORD)


def test_successful_joins_are_not_counted_as_wrong_attempts(settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "2/h"
    user = make_user()
    for _ in range(4):
        team = make_team()
        services.join_team(user, team.invite_code, TEAM_PASSWORD)
    with pytest.raises(Invalid):
        services.join_team(user, team.invite_code, "wrong")
    with pytest.raises(Conflict):  # one wrong attempt left: not blocked yet
        services.join_team(user, team.invite_code, TEAM_PASSWORD)


# --- exactly one host ----------------------------------------------------------------------


def test_database_refuses_a_second_host():
    team = make_team(members=1)
    member = team.memberships.get(role=Role.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(role=Role.HOST)
    with pytest.raises(IntegrityError), transaction.atomic():
        member.role = Role.HOST
        member.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, user=make_user(), role=Role.HOST)
    assert len(hosts(team)) == 1
    # Another team's host is no collision.
    assert len(hosts(make_team())) == 1


def test_member_leaves():
    team = make_team(members=2)
    member = team.memberships.filter(role=Role.MEMBER).first()
    services.leave_team(member.user, team.pk)
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert team.memberships.count() == 2
    assert len(hosts(team)) == 1


def test_when_the_host_leaves_the_longest_standing_member_becomes_host(ended):
    team = make_team()
    host = host_of(team)
    now = timezone.now()
    newer = add_member(team)
    older = add_member(team)  # created later, but joined earlier
    Membership.objects.filter(pk=newer.pk).update(joined_at=now - datetime.timedelta(days=1))
    Membership.objects.filter(pk=older.pk).update(joined_at=now - datetime.timedelta(days=2))
    services.leave_team(host.user, team.pk)
    assert [m.pk for m in hosts(team)] == [older.pk]
    assert team.memberships.count() == 2


def test_host_succession_breaks_ties_by_id():
    team = make_team()
    host = host_of(team)
    first, second = add_member(team), add_member(team)
    same = timezone.now()
    Membership.objects.filter(pk__in=[first.pk, second.pk]).update(joined_at=same)
    services.leave_team(host.user, team.pk)
    assert [m.pk for m in hosts(team)] == [min(first.pk, second.pk)]


def test_last_member_leaving_deletes_the_team(ended, django_capture_on_commit_callbacks):
    team = make_team()
    Milestone.objects.create(team=team, title="M", start_date="2030-01-01", end_date="2030-01-02")
    Todo.objects.create(team=team, content="x")
    user = host_of(team).user
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_team(user, team.pk)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Milestone.objects.filter(team_id=team.pk).exists()
    assert not Todo.objects.filter(team_id=team.pk).exists()
    assert ended == [(team.pk, user.pk)]


def test_outsider_cannot_leave():
    team = make_team()
    with pytest.raises(NotFound):
        services.leave_team(make_user(), team.pk)
    with pytest.raises(NotFound):
        services.leave_team(make_user(), "not-a-number")


def test_leaving_sends_membership_ended_after_commit(ended, django_capture_on_commit_callbacks):
    team = make_team(members=1)
    member = team.memberships.get(role=Role.MEMBER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.leave_team(member.user, team.pk)
    assert ended == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert ended == [(team.pk, member.user_id)]


def test_leaving_unassigns_todos_and_keeps_posts():
    team = make_team(members=1)
    member = team.memberships.get(role=Role.MEMBER)
    todo = services.create_todo(member.user, team.pk, "mine", assignee=member.pk)
    post = services.create_post(member.user, team.pk, title="Hello", body="<p>hi</p>")
    services.leave_team(member.user, team.pk)
    todo.refresh_from_db()
    post.refresh_from_db()
    assert todo.assignee_id is None
    assert post.author_id is None


def test_host_transfers_the_role():
    team = make_team(members=2)
    host = host_of(team)
    target = team.memberships.filter(role=Role.MEMBER).last()
    result = services.transfer_host(host.user, team.pk, target.pk)
    assert result.pk == target.pk
    assert [m.pk for m in hosts(team)] == [target.pk]
    host.refresh_from_db()
    assert host.role == Role.MEMBER
    # The new host has the powers, the old one no longer does.
    with pytest.raises(Forbidden):
        services.update_team(host.user, team.pk, title="No")
    services.update_team(target.user, team.pk, title="Yes")


def test_transfer_rules():
    team = make_team(members=2)
    host = host_of(team)
    member, other = team.memberships.filter(role=Role.MEMBER)
    with pytest.raises(Forbidden):
        services.transfer_host(member.user, team.pk, other.pk)
    with pytest.raises(NotFound):
        services.transfer_host(make_user(), team.pk, member.pk)
    with pytest.raises(Invalid) as info:
        services.transfer_host(host.user, team.pk, host.pk)
    assert "member" in info.value.errors
    stranger = host_of(make_team())
    with pytest.raises(Invalid) as info:
        services.transfer_host(host.user, team.pk, stranger.pk)
    assert "member" in info.value.errors
    with pytest.raises(Invalid):
        services.transfer_host(host.user, team.pk, "abc")
    assert [m.pk for m in hosts(team)] == [host.pk]


def test_host_removes_a_member(ended, django_capture_on_commit_callbacks):
    team = make_team(members=2)
    host = host_of(team)
    target = team.memberships.filter(role=Role.MEMBER).first()
    todo = services.create_todo(host.user, team.pk, "theirs", assignee=target.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_member(host.user, team.pk, target.pk)
    assert not Membership.objects.filter(pk=target.pk).exists()
    todo.refresh_from_db()
    assert todo.assignee_id is None
    assert ended == [(team.pk, target.user_id)]
    # Loses access at once.
    with pytest.raises(NotFound):
        services.todos_of(target.user, team.pk)


def test_remove_member_rules():
    team = make_team(members=2)
    host = host_of(team)
    member, other = team.memberships.filter(role=Role.MEMBER)
    with pytest.raises(Forbidden):
        services.remove_member(member.user, team.pk, other.pk)
    with pytest.raises(NotFound):
        services.remove_member(make_user(), team.pk, member.pk)
    with pytest.raises(Conflict):
        services.remove_member(host.user, team.pk, host.pk)
    with pytest.raises(NotFound):
        services.remove_member(host.user, team.pk, host_of(make_team()).pk)
    assert team.memberships.count() == 3


def test_leave_all_teams(ended, django_capture_on_commit_callbacks):
    user = make_user()
    hosted = make_team(host=user, members=2)
    heir = hosted.memberships.filter(role=Role.MEMBER).first()
    alone = make_team(host=user)
    joined = make_team(members=1)
    add_member(joined, user)
    untouched = make_team(members=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.leave_all_teams(user) == 3
    assert not Membership.objects.filter(user=user).exists()
    assert [m.pk for m in hosts(hosted)] == [heir.pk]
    assert not Team.objects.filter(pk=alone.pk).exists()
    assert joined.memberships.count() == 2
    assert len(hosts(joined)) == 1
    assert untouched.memberships.count() == 2
    assert sorted(ended) == sorted([(t.pk, user.pk) for t in (hosted, alone, joined)])
    assert services.leave_all_teams(user) == 0


# --- disbanding ----------------------------------------------------------------------------


def test_host_disbands_the_team(ended, django_capture_on_commit_callbacks):
    team = make_team(members=2)
    host = host_of(team)
    user_ids = sorted(team.memberships.values_list("user_id", flat=True))
    services.create_milestone(
        host.user, team.pk, title="M", start_date="2030-01-01", end_date="2030-02-01"
    )
    services.create_todo(host.user, team.pk, "todo")
    services.create_post(host.user, team.pk, title="Post", body="b")
    other = make_team(members=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.disband_team(host.user, team.pk)
    assert ended == []  # only after the commit
    for callback in callbacks:
        callback()
    assert sorted(ended) == [(team.pk, user_id) for user_id in user_ids]
    assert not Team.objects.filter(pk=team.pk).exists()
    for model in (Membership, Milestone, Todo, Post):
        assert not model.objects.filter(team_id=team.pk).exists()
    assert other.memberships.count() == 2


def test_only_the_host_disbands():
    team = make_team(members=1)
    member = team.memberships.get(role=Role.MEMBER)
    with pytest.raises(Forbidden):
        services.disband_team(member.user, team.pk)
    with pytest.raises(NotFound):
        services.disband_team(make_user(), team.pk)
    assert Team.objects.filter(pk=team.pk).exists()


# --- lookups -------------------------------------------------------------------------------


def test_teams_of_annotates_count_and_role():
    user = make_user()
    mine = make_team(host=user, members=2)
    theirs = make_team(members=1)
    add_member(theirs, user)
    make_team()
    rows = {t.pk: (t.member_count, t.my_role) for t in services.teams_of(user)}
    assert rows == {mine.pk: (3, Role.HOST), theirs.pk: (3, Role.MEMBER)}


def test_members_of_is_for_members_only_in_join_order():
    team = make_team(members=2)
    members = list(services.members_of(host_of(team).user, team.pk))
    assert members[0].is_host
    assert [m.pk for m in members] == sorted(m.pk for m in members)
    with pytest.raises(NotFound):
        services.members_of(make_user(), team.pk)
