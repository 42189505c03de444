"""Team events (docs/team-events.md): the public publish function, what the core services
publish, and the team socket ``/ws/teams/<team_id>/`` driven as a plain ASGI app.

Without channels installed (this package's own tests) the socket delivers within its
process only; the site's ``test_team_socket_live.py`` covers two real Daphne processes.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction

from teammoa.core import services
from teammoa.core.events import (
    TEAM_EVENT_TYPES,
    captured_team_events,
    publish_team_event,
)
from teammoa.core.models import display_name
from teammoa.core.testing.factories import add_member, make_team, make_user
from teammoa.core.websocket.teams import TeamSocket

# --- the publish function ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        ("todo.moved", {"todo": 1}, "unknown team event type"),
        ("todo.changed", {}, "carries exactly"),
        ("todo.changed", {"todo": 1, "extra": 2}, "carries exactly"),
        ("todo.changed", {"todo": 1, "name": "x"}, "reserved"),
        ("todo.changed", {"todo": {"id": 1}}, "field 'todo'"),
        ("todo.changed", {"todo": 1.5}, "field 'todo'"),
        ("schedule.week_saved", {"week": "x" * 65}, "field 'week'"),
        ("schedule.week_saved", {"week": "2026-W50\n"}, "field 'week'"),
        ("member.left", {"user": 1, "removed": [True]}, "field 'removed'"),
    ],
)
def test_a_bad_event_is_refused_at_the_call(kind, fields, problem):
    with pytest.raises(ValueError, match=problem):
        publish_team_event(1, kind, **fields)


def test_a_bad_team_id_is_refused():
    with pytest.raises(ValueError, match="team_id"):
        publish_team_event("1", "todo.changed", todo=1)  # type: ignore[arg-type]


def test_every_documented_type_is_known():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[3] / "docs" / "team-events.md"
    if not doc.exists():  # the package tested alone, outside the repository
        pytest.skip("docs/team-events.md is not beside this package")
    text = doc.read_text()
    for kind in TEAM_EVENT_TYPES:
        assert f"`{kind}`" in text, kind


@pytest.mark.django_db(transaction=True)
def test_an_event_leaves_after_the_commit_and_never_for_a_rollback():
    user = make_user()
    with captured_team_events() as events:
        with transaction.atomic():
            publish_team_event(7, "todo.changed", by=user, todo=3)
            assert events == []  # not before the commit
        assert events == [
            {
                "type": "todo.changed",
                "team": 7,
                "by": user.pk,
                "name": display_name(user),
                "todo": 3,
            }
        ]
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_team_event(7, "todo.changed", by=user, todo=4)
            raise RuntimeError
        publish_team_event(7, "member.joined", by=user.pk, user=user.pk)  # an id: looked up
        publish_team_event(7, "todo.deleted", by=None, todo=5)
        publish_team_event(7, "todo.deleted", by=AnonymousUser(), todo=6)
    assert [e.get("todo") for e in events] == [3, None, 5, 6]
    assert events[1]["name"] == display_name(user)
    assert events[2]["by"] is None and events[2]["name"] is None
    assert events[3]["by"] is None


# --- what the services publish ---------------------------------------------------------------


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """Run a service, its commit hooks, and return the events it published."""

    def run(function, *args, **kwargs):
        with captured_team_events() as events, django_capture_on_commit_callbacks(execute=True):
            function(*args, **kwargs)
        return [
            (e["type"], {k: v for k, v in e.items() if k not in {"type", "team"}}) for e in events
        ]

    return run


@pytest.mark.django_db
def test_todo_and_milestone_changes_are_published(published):
    team = make_team()
    host = team.memberships.get().user
    member = add_member(team)
    who = {"by": host.pk, "name": display_name(host)}

    [(kind, fields)] = published(
        services.create_milestone,
        host,
        team.pk,
        title="Alpha",
        start_date="2026-12-01",
        end_date="2026-12-20",
    )
    milestone = services.milestones_of(host, team.pk).get()
    assert (kind, fields) == (
        "milestone.changed",
        {**who, "milestone": milestone.pk, "deleted": False},
    )

    todo_events = published(services.create_todo, host, team.pk, "Write the report")
    todo = services.todos_of(host, team.pk).get()
    assert todo_events == [("todo.changed", {**who, "todo": todo.pk})]
    assert published(services.move_todo, host, team.pk, todo.pk, assignee=member.pk) == [
        ("todo.changed", {**who, "todo": todo.pk})
    ]
    # A drop that changes nothing publishes nothing.
    assert published(services.assign_todo, host, team.pk, todo.pk, member.pk) == []
    assert published(services.complete_todo, host, team.pk, todo.pk, True) == [
        ("todo.changed", {**who, "todo": todo.pk})
    ]
    assert published(services.delete_todo, host, team.pk, todo.pk) == [
        ("todo.deleted", {**who, "todo": todo.pk})
    ]
    assert published(services.delete_milestone, host, team.pk, milestone.pk) == [
        ("milestone.changed", {**who, "milestone": milestone.pk, "deleted": True})
    ]


@pytest.mark.django_db
def test_a_refused_change_publishes_nothing(published):
    from teammoa.core.errors import NotFound

    team = make_team()
    with captured_team_events() as events, pytest.raises(NotFound):
        published(services.create_todo, make_user(), team.pk, "Not mine")
    assert events == []


@pytest.mark.django_db
def test_posts_and_members_are_published(published):
    from teammoa.core.testing.factories import TEAM_PASSWORD

    team = make_team()
    host = team.memberships.get().user
    newcomer = make_user()

    [(kind, fields)] = published(services.create_post, host, team.pk, title="Hi", body="<p>x</p>")
    post = services.posts_of(host, team.pk).get()
    assert (kind, fields["post"]) == ("post.created", post.pk)
    [(kind, fields)] = published(services.update_post, host, team.pk, post.pk, title="Hello")
    assert (kind, fields["post"], fields["deleted"]) == ("post.changed", post.pk, False)

    [(kind, fields)] = published(services.join_team, newcomer, team.invite_code, TEAM_PASSWORD)
    assert (kind, fields) == (
        "member.joined",
        {"by": newcomer.pk, "name": display_name(newcomer), "user": newcomer.pk},
    )
    [(kind, fields)] = published(services.leave_team, newcomer, team.pk)
    assert (kind, fields["user"], fields["removed"]) == ("member.left", newcomer.pk, False)
    assert fields["name"] == display_name(newcomer)

    removed = add_member(team)
    [(kind, fields)] = published(services.remove_member, host, team.pk, removed.pk)
    assert (kind, fields["user"], fields["removed"], fields["by"]) == (
        "member.left",
        removed.user_id,
        True,
        host.pk,
    )
    # The last member leaving deletes the team: nobody is left to tell.
    assert published(services.leave_team, host, team.pk) == []


# --- the socket ----------------------------------------------------------------------------


class Page:
    """One browser page's team socket, driven through the ASGI interface."""

    def __init__(self, user, team_id):
        self.incoming: asyncio.Queue = asyncio.Queue()
        self.outgoing: asyncio.Queue = asyncio.Queue()
        scope = {
            "type": "websocket",
            "path": f"/ws/teams/{team_id}/",
            "user": user,
            "url_route": {"kwargs": {"team_id": team_id}},
        }
        self.task = asyncio.get_running_loop().create_task(
            TeamSocket.as_asgi()(scope, self.incoming.get, self.outgoing.put)
        )

    async def connect(self) -> dict:
        await self.incoming.put({"type": "websocket.connect"})
        assert (await self.sent())["type"] == "websocket.accept"
        return await self.sent()

    async def sent(self, timeout: float = 5) -> dict:
        return await asyncio.wait_for(self.outgoing.get(), timeout)

    async def frame(self, timeout: float = 5) -> dict:
        message = await self.sent(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def send(self, text: str) -> None:
        await self.incoming.put({"type": "websocket.receive", "text": text})

    async def close(self) -> None:
        await self.incoming.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self.task, 5)


@pytest.fixture
def world(transactional_db):
    team = make_team()
    host = team.memberships.get().user
    member = add_member(team).user
    return {"team": team, "host": host, "member": member, "outsider": make_user()}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_refusals_carry_their_close_codes(world):
    team = world["team"]
    for user, team_id, code in [
        (AnonymousUser(), team.pk, 4401),
        (world["outsider"], team.pk, 4403),
        (world["host"], team.pk + 1000, 4404),
    ]:
        page = Page(user, team_id)
        assert await page.connect() == {"type": "websocket.close", "code": code}
        await page.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_member_gets_hello_then_every_change_of_the_team(world):
    team, host, member = world["team"], world["host"], world["member"]
    page = Page(member, team.pk)
    assert (await page.connect())["type"] == "websocket.send"
    await page.send(json.dumps({"type": "ping", "req": 4}))
    assert await page.frame() == {"type": "pong", "req": 4}

    todo = await sync_to_async(services.create_todo)(host, team.pk, "Book a room")
    event = await page.frame()
    assert event == {
        "type": "todo.changed",
        "team": team.pk,
        "by": host.pk,
        "name": display_name(host),
        "todo": todo.pk,
    }
    # Another team's news does not reach this page.
    other = await sync_to_async(make_team)(host=host)
    await sync_to_async(services.create_todo)(host, other.pk, "Elsewhere")
    await sync_to_async(services.delete_todo)(host, team.pk, todo.pk)
    assert (await page.frame())["type"] == "todo.deleted"
    await page.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_junk_from_the_client_is_answered_and_the_socket_stays(world):
    page = Page(world["member"], world["team"].pk)
    hello = json.loads((await page.connect())["text"])
    assert hello.pop("last_event_at", "missing") != "missing"
    assert hello == {"type": "hello", "team": world["team"].pk, "me": world["member"].pk}
    await page.send("{not json")
    assert (await page.frame())["code"] == "bad_json"
    await page.send(json.dumps({"type": "todo.changed"}))
    assert (await page.frame())["code"] == "unknown_type"
    await page.send("x" * 5000)
    assert (await page.frame())["code"] == "too_large"
    await page.send(json.dumps({"type": "ping"}))
    assert (await page.frame())["type"] == "pong"
    await page.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_hello_says_when_the_team_last_had_news(world):
    """A page rendered before the team's latest news and connected after it missed it: the
    time in ``hello`` lets it see so (team_live.js reads everything again)."""
    team, host, member = world["team"], world["host"], world["member"]
    await sync_to_async(cache.clear)()

    async def hello() -> dict:
        page = Page(member, team.pk)
        said = json.loads((await page.connect())["text"])
        await page.close()
        return said

    assert (await hello())["last_event_at"] is None  # no news lately
    before = time.time()
    await sync_to_async(services.create_todo)(host, team.pk, "Book a room")
    after = time.time()
    assert before <= (await hello())["last_event_at"] <= after
    other = await sync_to_async(make_team)(host=host)
    await sync_to_async(services.create_todo)(host, other.pk, "Elsewhere")
    assert (await hello())["last_event_at"] <= after  # another team's news is not ours
    # The reader's own change is on their page already: it is not news to them.
    await sync_to_async(services.create_todo)(member, team.pk, "Mine")
    assert (await hello())["last_event_at"] <= after


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_removed_member_is_closed_with_4403_and_the_others_hear_of_it(world):
    team, host, member = world["team"], world["host"], world["member"]
    staying = Page(host, team.pk)
    leaving = Page(member, team.pk)
    await staying.connect()
    await leaving.connect()
    membership = await sync_to_async(team.memberships.get)(user=member)

    await sync_to_async(services.remove_member)(host, team.pk, membership.pk)

    assert await leaving.sent() == {"type": "websocket.close", "code": 4403}
    left = await staying.frame()
    assert (left["type"], left["user"], left["removed"]) == ("member.left", member.pk, True)
    await leaving.close()
    await staying.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_disbanded_teams_members_are_closed_with_4404(world):
    """The team is gone, not just the membership: the pages say the team was disbanded
    (team_live.js), not "You are no longer a member of this team"."""
    team, host, member = world["team"], world["host"], world["member"]
    pages = [Page(host, team.pk), Page(member, team.pk)]
    for page in pages:
        await page.connect()

    await sync_to_async(services.disband_team)(host, team.pk)

    for page in pages:
        assert await page.sent() == {"type": "websocket.close", "code": 4404}
        await page.close()


@pytest.mark.django_db
def test_a_comment_on_a_post_is_published(published):
    team = make_team()
    host = team.memberships.get().user
    post = services.create_post(host, team.pk, title="Plan")
    events = published(services.create_comment, host, team.pk, post.pk, "Looks good")
    comment = post.comments.get()
    assert events == [
        (
            "comment.created",
            {"by": host.pk, "name": display_name(host), "post": post.pk, "comment": comment.pk},
        )
    ]
