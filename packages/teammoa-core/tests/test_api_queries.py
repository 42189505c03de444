"""List endpoints use the same number of queries whatever the amount of data."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from teammoa.core.models import (
    Membership,
    Milestone,
    Post,
    PostAttachment,
    PostComment,
    Role,
    Team,
    Todo,
)
from teammoa.core.testing.factories import host_of, make_team, make_user

pytestmark = pytest.mark.django_db

MAX_QUERIES = 5  # membership check(s), count, page


def bulk_users(n: int) -> list[Any]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    return model.objects.bulk_create(
        model(username=f"bulk{stamp}-{i}", nickname=f"Bulk {i}") for i in range(n)
    )


def my_teams(n: int) -> tuple[Any, str]:
    user = make_user()
    teams = Team.objects.bulk_create(
        Team(title=f"T{i}", join_password="!", invite_code=f"code-{user.pk}-{i:05d}")
        for i in range(n)
    )
    others = bulk_users(3)
    Membership.objects.bulk_create(
        [Membership(team=t, user=user, role=Role.HOST) for t in teams]
        + [Membership(team=t, user=u) for t in teams for u in others]
    )
    return user, "/api/v1/teams/?page_size=200"


def members(n: int) -> tuple[Any, str]:
    team = make_team()
    Membership.objects.bulk_create(Membership(team=team, user=u) for u in bulk_users(n))
    return host_of(team).user, f"/api/v1/teams/{team.pk}/members/?page_size=200"


def _team_with_members() -> tuple[Team, list[Membership]]:
    team = make_team(members=3)
    return team, list(team.memberships.all())


def milestones(n: int) -> tuple[Any, str]:
    team, _people = _team_with_members()
    day = datetime.date(2030, 1, 1)
    Milestone.objects.bulk_create(
        Milestone(team=team, title=f"M{i}", start_date=day, end_date=day) for i in range(n)
    )
    return host_of(team).user, f"/api/v1/teams/{team.pk}/milestones/?page_size=200"


def todos(n: int) -> tuple[Any, str]:
    team, people = _team_with_members()
    day = datetime.date(2030, 1, 1)
    milestone = Milestone.objects.create(team=team, title="M", start_date=day, end_date=day)
    Todo.objects.bulk_create(
        Todo(
            team=team,
            content=f"t{i}",
            assignee=people[i % len(people)],
            milestone=milestone,
            order=i,
        )
        for i in range(n)
    )
    return host_of(team).user, f"/api/v1/teams/{team.pk}/todos/?page_size=200"


def posts(n: int) -> tuple[Any, str]:
    team, people = _team_with_members()
    created = Post.objects.bulk_create(
        Post(team=team, title=f"P{i}", body="<p>x</p>", author=people[i % len(people)])
        for i in range(n)
    )
    PostAttachment.objects.bulk_create(
        PostAttachment(
            post=post,
            file=f"teammoa/attachments/{team.pk}/{i:032x}{j}.txt",
            name=f"{i}-{j}.txt",
            size=i,
        )
        for i, post in enumerate(created)
        for j in range(2)
    )
    return host_of(team).user, f"/api/v1/teams/{team.pk}/posts/?q=P"


def comments(n: int) -> tuple[Any, str]:
    team, people = _team_with_members()
    post = Post.objects.create(team=team, title="P", author=people[0])
    PostComment.objects.bulk_create(
        PostComment(post=post, author=people[i % len(people)], text=f"C{i}") for i in range(n)
    )
    return host_of(team).user, f"/api/v1/teams/{team.pk}/posts/{post.pk}/comments/"


@pytest.mark.parametrize(
    "build", [my_teams, members, milestones, todos, posts, comments], ids=lambda f: f.__name__
)
def test_list_queries_do_not_grow(build: Callable[[int], tuple[Any, str]]) -> None:
    counts = []
    for n in (5, 500):
        user, url = build(n)
        client = APIClient()
        client.force_authenticate(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.json()
        assert response.json()["count"] >= n
        assert len(response.json()["results"]) >= 5
        counts.append(len(queries))
    # The same queries, plus the COUNT(*) a list longer than one page needs (a shorter
    # one is counted from its rows: teammoa.core.api.pagination.FirstPagePaginator).
    assert counts[1] == counts[0] + 1, counts
    assert counts[1] <= MAX_QUERIES, counts


def test_the_team_list_stays_within_its_budget(django_assert_max_num_queries: Any) -> None:
    user, url = my_teams(50)
    client = APIClient()
    client.force_authenticate(user)
    with django_assert_max_num_queries(2):  # count + page: the annotations do the rest
        assert client.get(url).status_code == 200
