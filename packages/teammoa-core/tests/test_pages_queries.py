"""The list pages use a fixed number of queries however many members, todos and posts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teammoa.core.models import Membership, Milestone, Post, Role, Team, Todo
from teammoa.core.testing.factories import make_team, make_user

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 500
MAX_QUERIES = 10


def populate(team: Team, size: int) -> None:
    """``size`` more members, milestones, todos (spread over every column) and posts."""
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"t{team.pk}-u{i}", nickname=f"N{i}") for i in range(size)
    )
    start = timezone.now()
    members = Membership.objects.bulk_create(
        Membership(
            team=team, user=user, role=Role.MEMBER, joined_at=start + datetime.timedelta(seconds=i)
        )
        for i, user in enumerate(users)
    )
    today = datetime.date(2026, 3, 1)
    milestones = Milestone.objects.bulk_create(
        Milestone(
            team=team,
            title=f"M{i}",
            start_date=today + datetime.timedelta(days=i % 30),
            end_date=today + datetime.timedelta(days=i % 30 + 5),
            progress=(i * 7) % 101,
        )
        for i in range(size)
    )
    Todo.objects.bulk_create(
        Todo(
            team=team,
            content=f"todo {i}",
            assignee=members[i] if i % 3 else None,
            milestone=milestones[i] if i % 2 else None,
            is_completed=i % 5 == 0,
            order=i,
        )
        for i in range(size)
    )
    Post.objects.bulk_create(
        Post(team=team, title=f"Post {i}", body=f"<p>body {i}</p>", author=members[i])
        for i in range(size)
    )


@pytest.fixture
def viewer():
    return make_user()


@pytest.fixture
def teams(viewer) -> dict[int, Team]:
    made = {}
    for size in (SMALL, LARGE):
        team = make_team(host=viewer)
        populate(team, size)
        made[size] = team
    return made


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["team_home", "todo_board", "post_list"])
def test_team_pages_use_constant_queries(
    client, viewer, teams, name, django_assert_max_num_queries
):
    client.force_login(viewer)
    small = count_queries(client, reverse(f"teammoa_core:{name}", kwargs={"team": teams[SMALL].pk}))
    large_path = reverse(f"teammoa_core:{name}", kwargs={"team": teams[LARGE].pk})
    large = count_queries(client, large_path)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(large_path)


def test_search_and_later_pages_use_constant_queries(client, viewer, teams):
    client.force_login(viewer)
    paths = [
        reverse("teammoa_core:post_list", kwargs={"team": team.pk}) + "?q=body&page=2"
        for team in (teams[SMALL], teams[LARGE])
    ]
    assert count_queries(client, paths[0]) == count_queries(client, paths[1])


def test_team_list_uses_constant_queries(client, viewer, teams, django_assert_max_num_queries):
    client.force_login(viewer)
    few = count_queries(client, reverse("teammoa_core:team_list"))
    for _ in range(LARGE // 10):  # many more teams, the big one among them
        make_team(host=viewer)
    many = count_queries(client, reverse("teammoa_core:team_list"))
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(reverse("teammoa_core:team_list"))


def test_the_member_view_of_the_board_is_constant_too(client, teams):
    small_member = Membership.objects.filter(team=teams[SMALL], role=Role.MEMBER).first().user
    large_team = teams[LARGE]
    large_member = Membership.objects.filter(team=large_team, role=Role.MEMBER).first().user
    client.force_login(small_member)
    small = count_queries(
        client, reverse("teammoa_core:todo_board", kwargs={"team": teams[SMALL].pk})
    )
    client.force_login(large_member)
    large = count_queries(
        client, reverse("teammoa_core:todo_board", kwargs={"team": large_team.pk})
    )
    assert small == large
