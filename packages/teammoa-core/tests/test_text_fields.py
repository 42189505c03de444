"""Every core text field, through its service and through the REST API: any Unicode string
is either stored and read back exactly as the text cleaner cleans it, or refused with an
error naming the field (and nothing is written).

Run on SQLite and, in the ``services`` session, on MariaDB, whose utf8mb4 columns refuse a
lone surrogate outright: SQLite alone would store it and hide the bug.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from teammoa.core import services
from teammoa.core.errors import Invalid
from teammoa.core.models import (
    TEAM_INTRO_MAX,
    TEAM_TITLE_MAX,
    Milestone,
    Post,
    Team,
    Todo,
)
from teammoa.core.sanitize import plain_text, sanitize_html
from teammoa.core.services.posts import POST_BODY_MAX, POST_TITLE_MAX
from teammoa.core.services.work import (
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_TITLE_MAX,
    TODO_CONTENT_MAX,
)
from teammoa.core.testing.factories import TEAM_PASSWORD, make_team
from teammoa.core.testing.text import any_text, expected_text

pytestmark = pytest.mark.django_db

# One team per test, shared by its examples: the property is about the text, not the team.
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
START = datetime.date(2026, 12, 1)


@pytest.fixture
def team() -> Team:
    return make_team(members=1)


def check_property(
    value: Any,
    rules: dict[str, Any],
    field: str,
    write: Callable[[Any], Any],
    read_back: Callable[[Any], str],
    rows: Callable[[], Any],
) -> None:
    expected = expected_text(value, **rules)
    before = rows()
    try:
        written = write(value)
    except Invalid as refused:
        assert expected is None, (value, refused.errors)
        assert list(refused.errors) == [field]
        assert rows() == before, "a refused value must write nothing"
        return
    assert expected is not None, f"{value!r} was stored but the cleaner refuses it"
    assert read_back(written) == expected


# --- services ------------------------------------------------------------------------------


@PROPERTY
@given(value=any_text())
def test_team_title(host_user, value):
    check_property(
        value,
        {"max_length": TEAM_TITLE_MAX},
        "title",
        lambda v: services.create_team(host_user, title=v, password=TEAM_PASSWORD),
        lambda team: Team.objects.get(pk=team.pk).title,
        lambda: Team.objects.count(),
    )


@PROPERTY
@given(value=any_text())
def test_team_introduction(team, host_user, value):
    check_property(
        value,
        {"max_length": TEAM_INTRO_MAX, "min_length": 0, "multiline": True},
        "introduction",
        lambda v: services.update_team(host_user, team.pk, introduction=v),
        lambda _result: Team.objects.get(pk=team.pk).introduction,
        lambda: Team.objects.get(pk=team.pk).introduction,
    )


@PROPERTY
@given(value=any_text())
def test_milestone_title(team, host_user, value):
    check_property(
        value,
        {"max_length": MILESTONE_TITLE_MAX},
        "title",
        lambda v: services.create_milestone(
            host_user, team.pk, title=v, start_date=START, end_date=START
        ),
        lambda milestone: Milestone.objects.get(pk=milestone.pk).title,
        lambda: Milestone.objects.count(),
    )


@PROPERTY
@given(value=any_text())
def test_milestone_description(team, host_user, value):
    milestone = services.create_milestone(
        host_user, team.pk, title="Plan", start_date=START, end_date=START
    )
    check_property(
        value,
        {"max_length": MILESTONE_DESCRIPTION_MAX, "min_length": 0, "multiline": True},
        "description",
        lambda v: services.update_milestone(host_user, team.pk, milestone.pk, description=v),
        lambda _result: Milestone.objects.get(pk=milestone.pk).description,
        lambda: list(Milestone.objects.values_list("description", flat=True)),
    )


@PROPERTY
@given(value=any_text())
def test_todo_content(team, host_user, value):
    check_property(
        value,
        {"max_length": TODO_CONTENT_MAX},
        "content",
        lambda v: services.create_todo(host_user, team.pk, v),
        lambda todo: Todo.objects.get(pk=todo.pk).content,
        lambda: Todo.objects.count(),
    )


@PROPERTY
@given(value=any_text())
def test_post_title(team, host_user, value):
    check_property(
        value,
        {"max_length": POST_TITLE_MAX},
        "title",
        lambda v: services.create_post(host_user, team.pk, title=v, body=""),
        lambda post: Post.objects.get(pk=post.pk).title,
        lambda: Post.objects.count(),
    )


@PROPERTY
@given(value=any_text())
def test_post_body_is_cleaned_then_sanitised(team, host_user, value):
    """The body is HTML: what is kept is the cleaned text through the sanitiser."""
    rules = {"max_length": POST_BODY_MAX, "min_length": 0, "multiline": True}
    expected = expected_text(value, **rules)
    try:
        post = services.create_post(host_user, team.pk, title="Notes", body=value)
    except Invalid as refused:
        assert expected is None
        assert list(refused.errors) == ["body"]
        return
    assert expected is not None
    stored = Post.objects.get(pk=post.pk)
    assert stored.body == sanitize_html(expected)
    assert stored.body_text == plain_text(stored.body)


# --- REST API: the same property through JSON ----------------------------------------------


def send(client: APIClient, method: str, url: str, payload: dict[str, Any]) -> Any:
    # json.dumps escapes a lone surrogate as \ud800, as a browser or curl would send it;
    # the test client's own renderer would choke on it before the request is made.
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


def check_api_property(value: Any, rules: dict[str, Any], field: str, response: Any) -> Any:
    # What the server receives: JSON joins an escaped high and low surrogate into one
    # character ("\ud83d\ude00" is an emoji), exactly as it would for any client.
    expected = expected_text(json.loads(json.dumps(value)), **rules)
    if expected is None:
        assert response.status_code == 400, (value, response.content)
        assert field in response.json()
        return None
    assert response.status_code in {200, 201}, (value, response.content)
    assert response.json()[field] == expected
    return response.json()


@PROPERTY
@given(value=any_text())
def test_api_team_title(team, host_user, value):
    client = APIClient()
    client.force_authenticate(host_user)
    url = f"/api/v1/teams/{team.pk}/"
    before = Team.objects.get(pk=team.pk).title
    data = check_api_property(
        value, {"max_length": TEAM_TITLE_MAX}, "title", send(client, "patch", url, {"title": value})
    )
    stored = Team.objects.get(pk=team.pk).title
    assert stored == (data["title"] if data else before)
    if data:
        assert client.get(url).json()["title"] == stored


@PROPERTY
@given(value=any_text())
def test_api_todo_content(team, host_user, value):
    client = APIClient()
    client.force_authenticate(host_user)
    url = f"/api/v1/teams/{team.pk}/todos/"
    count = Todo.objects.count()
    data = check_api_property(
        value,
        {"max_length": TODO_CONTENT_MAX},
        "content",
        send(client, "post", url, {"content": value}),
    )
    if data is None:
        assert Todo.objects.count() == count
    else:
        assert client.get(f"{url}{data['id']}/").json()["content"] == data["content"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "\ud800"}, "title"),
        ({"introduction": "a\x00b"}, "introduction"),
        ({"title": 5}, "title"),
        ({"title": "\u202eevil"}, "title"),
    ],
)
def test_api_refusals_name_the_field_and_the_problem(team, host_user, payload, field):
    client = APIClient()
    client.force_authenticate(host_user)
    response = send(client, "patch", f"/api/v1/teams/{team.pk}/", payload)
    assert response.status_code == 400
    (message,) = response.json()[field]
    assert message in {
        "This text is not valid Unicode (it holds the unpaired surrogate U+D800).",
        "This text holds the control character U+0000, which is not allowed.",
        "Not a valid string.",
        "This text holds the text-direction control U+202E, which is not allowed: "
        "it makes the text read differently from what it holds.",
    }
