"""Database constraints back every invariant the services rely on; small model helpers;
the shared test factories; migrations in step with the models."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction

from teammoa.core.models import (
    Membership,
    Milestone,
    MilestoneStatus,
    Post,
    PostAttachment,
    Role,
    Team,
    Todo,
    attachment_path,
    display_name,
    new_invite_code,
)
from teammoa.core.testing.factories import (
    TEAM_PASSWORD,
    USER_PASSWORD,
    add_member,
    host_of,
    make_team,
    make_user,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2030, 5, 10)


def refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def team_row(**fields) -> Team:
    team = Team(**{"title": "T", "join_password": "x", **fields})
    team.save()
    return team


def milestone_row(team, **fields) -> Milestone:
    data = {"title": "M", "start_date": DAY, "end_date": DAY, **fields}
    return Milestone.objects.create(team=team, **data)


# --- database constraints ------------------------------------------------------------------


def test_migrations_match_the_models():
    call_command("makemigrations", "teammoa_core", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.parametrize("max_members", [0, 1, 101])
def test_team_max_members_range(max_members):
    refused(lambda: team_row(max_members=max_members))


@pytest.mark.parametrize("max_members", [2, 100])
def test_team_max_members_bounds_fit(max_members):
    assert team_row(max_members=max_members).pk


def test_team_title_not_empty():
    refused(lambda: team_row(title=""))


def test_team_invite_code_length_and_uniqueness():
    refused(lambda: team_row(invite_code="short"))
    code = new_invite_code()
    team_row(invite_code=code)
    refused(lambda: team_row(invite_code=code))


def test_membership_unique_per_team_and_user():
    team = make_team()
    user = host_of(team).user
    refused(lambda: Membership.objects.create(team=team, user=user))
    assert Membership.objects.create(team=make_team(), user=user)


def test_one_host_per_team():
    team = make_team(members=2)
    member = team.memberships.filter(role=Role.MEMBER).first()
    refused(lambda: Membership.objects.filter(pk=member.pk).update(role=Role.HOST))
    # Any number of members; a host in another team is fine.
    add_member(team)
    assert make_team(host=member.user)


def test_host_slot_follows_the_role():
    team = make_team(members=1)
    host = Membership.objects.get(team=team, role=Role.HOST)
    member = Membership.objects.get(team=team, role=Role.MEMBER)
    assert (host.host_slot, member.host_slot) == (1, None)
    # Demote, then promote: the slot moves with the role.
    Membership.objects.filter(pk=host.pk).update(role=Role.MEMBER)
    Membership.objects.filter(pk=member.pk).update(role=Role.HOST)
    assert Membership.objects.get(pk=member.pk).host_slot == 1
    assert Membership.objects.get(pk=host.pk).host_slot is None


def test_membership_role_is_valid():
    team = make_team()
    refused(lambda: Membership.objects.create(team=team, user=make_user(), role="owner"))


def test_milestone_constraints():
    team = make_team()
    refused(lambda: milestone_row(team, end_date=DAY - datetime.timedelta(days=1)))
    refused(lambda: milestone_row(team, progress=101))
    refused(lambda: milestone_row(team, priority="urgent"))
    refused(lambda: milestone_row(team, progress_mode="magic"))
    refused(lambda: milestone_row(team, title=""))
    assert milestone_row(team, progress=100, progress_mode="manual").pk


def test_milestone_progress_is_not_negative():
    team = make_team()
    # A check constraint on SQLite, an unsigned column (out of range) on MySQL.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        milestone_row(team, progress=-1)


def test_todo_content_not_empty():
    team = make_team()
    refused(lambda: Todo.objects.create(team=team, content=""))


def test_post_title_not_empty():
    team = make_team()
    refused(lambda: Post.objects.create(team=team, title=""))


def test_deleting_a_membership_unassigns_and_keeps_authorship():
    team = make_team(members=1)
    member = team.memberships.get(role=Role.MEMBER)
    todo = Todo.objects.create(team=team, content="x", assignee=member)
    post = Post.objects.create(team=team, title="p", author=member)
    member.delete()
    todo.refresh_from_db()
    post.refresh_from_db()
    assert (todo.assignee_id, post.author_id) == (None, None)


def test_deleting_a_milestone_keeps_its_todos():
    team = make_team()
    milestone = milestone_row(team)
    todo = Todo.objects.create(team=team, content="x", milestone=milestone)
    milestone.delete()
    todo.refresh_from_db()
    assert todo.milestone_id is None


# --- helpers -------------------------------------------------------------------------------


def test_new_invite_code_is_url_safe_and_long_enough():
    codes = {new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{10,32}", code) for code in codes)


@pytest.mark.parametrize(
    ("day", "progress", "status"),
    [
        (DAY - datetime.timedelta(days=1), 0, MilestoneStatus.NOT_STARTED),
        (DAY, 50, MilestoneStatus.IN_PROGRESS),
        (DAY + datetime.timedelta(days=1), 50, MilestoneStatus.OVERDUE),
        (DAY + datetime.timedelta(days=1), 100, MilestoneStatus.COMPLETED),
        (DAY - datetime.timedelta(days=1), 100, MilestoneStatus.COMPLETED),
    ],
)
def test_milestone_status_on(day, progress, status):
    milestone = Milestone(title="M", start_date=DAY, end_date=DAY, progress=progress)
    assert milestone.status_on(day) == status


def test_display_name():
    assert display_name(None) == "deleted user"
    assert display_name(make_user("plain", nickname="")) == "plain"
    assert display_name(make_user("nicked", nickname="Nicky")) == "Nicky"


def test_membership_name_and_flags():
    team = make_team()
    host = host_of(team)
    assert host.is_host
    assert host.name == host.user.nickname
    assert str(host) == f"{host.user.nickname} @ {team.pk}"
    assert not add_member(team).is_host


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("report.PDF", ".pdf"),
        ("archive.tar.gz", ".gz"),
        ("no-extension", ""),
        ("weird.p$f", ""),
        ("문서.한글", ""),
        ("dots.", ""),
    ],
)
def test_attachment_path_is_random_and_keeps_a_safe_extension(name, extension):
    attachment = PostAttachment(post=Post(team_id=7))
    first, second = attachment_path(attachment, name), attachment_path(attachment, name)
    assert first != second
    assert re.fullmatch(rf"teammoa/attachments/7/[0-9a-f]{{32}}{re.escape(extension)}", first)


# --- factories -----------------------------------------------------------------------------


def test_make_user_sets_nickname_email_and_password():
    user = make_user("someone")
    assert isinstance(user, get_user_model())
    assert (user.username, user.nickname, user.email) == (
        "someone",
        "Nick someone",
        "someone@example.com",
    )
    assert user.check_password(USER_PASSWORD)
    assert make_user().username != make_user().username


def test_make_team_builds_through_the_services():
    host = make_user()
    team = make_team(host=host, members=2, title="Crew", max_members=5)
    assert (team.title, team.max_members) == ("Crew", 5)
    assert team.check_join_password(TEAM_PASSWORD)
    assert host_of(team).user == host
    assert team.memberships.count() == 3
    assert team.memberships.filter(role=Role.HOST).count() == 1


def test_add_member_with_a_given_user():
    team = make_team()
    user = make_user()
    membership = add_member(team, user)
    assert (membership.user, membership.role, membership.team) == (user, Role.MEMBER, team)


def test_today_is_the_teams_own_date(settings):
    """One rule for "today" (milestone status, the schedule's week): the team's calendar
    day, which differs between time zones at the same instant; an unknown zone falls back
    to the site's."""
    import datetime
    from unittest import mock

    from django.utils import timezone as django_timezone

    from teammoa.core.models import Team

    instant = datetime.datetime(2026, 12, 7, 11, 30, tzinfo=datetime.UTC)
    with mock.patch.object(django_timezone, "now", return_value=instant):
        assert Team(timezone="Pacific/Kiritimati").today() == datetime.date(2026, 12, 8)
        assert Team(timezone="Etc/GMT+12").today() == datetime.date(2026, 12, 6)
        settings.TIME_ZONE = "Asia/Seoul"
        gone = Team(timezone="Mars/Olympus_Mons")
        assert str(gone.zone) == "Asia/Seoul" and gone.today() == datetime.date(2026, 12, 7)
