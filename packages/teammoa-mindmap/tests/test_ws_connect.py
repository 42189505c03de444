"""Connecting: who may open a mindmap's socket, and the snapshot they get."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from teammoa.mindmap import protocol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_member_gets_the_snapshot_with_presence(world, sockets):
    socket = await sockets(world.alice, world.mindmap.pk)

    snapshot = await socket.expect("snapshot")

    assert snapshot["version"] == 0
    assert snapshot["mindmap"] == {"id": world.mindmap.pk, "title": "Ideas", "version": 0}
    assert [node["title"] for node in snapshot["nodes"]] == ["Root", "Leaf"]
    assert set(snapshot["nodes"][0]) >= {
        "id",
        "title",
        "content",
        "x",
        "y",
        "created_by",
        "recommendations",
        "recommended_by_me",
        "comment_count",
    }
    assert snapshot["connections"] == []
    assert snapshot["me"] == world.alice.pk
    (me,) = snapshot["presence"]
    assert me["user"] == world.alice.pk
    assert me["name"] == world.alice.nickname
    assert me["color"].startswith("#")


async def test_anonymous_is_closed_with_4401(world, sockets):
    socket = await sockets(None, world.mindmap.pk)

    assert await socket.closed() == protocol.CLOSE_UNAUTHENTICATED


async def test_a_non_member_is_closed_with_4403(world, sockets):
    socket = await sockets(world.outsider, world.mindmap.pk)

    assert await socket.closed() == protocol.CLOSE_FORBIDDEN


async def test_an_unknown_mindmap_is_closed_with_4404(world, sockets):
    socket = await sockets(world.alice, 999_999)

    assert await socket.closed() == protocol.CLOSE_NOT_FOUND


async def test_sockets_connecting_together_each_get_their_own_answer(world, sockets):
    # Checked together (one read for the sockets arriving at once): nobody gets another's.
    alice, outsider, unknown, foreign, bob = await asyncio.gather(
        sockets(world.alice, world.mindmap.pk),
        sockets(world.outsider, world.mindmap.pk),
        sockets(world.alice, 999_999),
        sockets(world.alice, world.foreign_map.pk),
        sockets(world.bob, world.mindmap.pk),
    )

    assert (await alice.expect("snapshot"))["me"] == world.alice.pk
    assert (await bob.expect("snapshot"))["me"] == world.bob.pk
    assert await outsider.closed() == protocol.CLOSE_FORBIDDEN
    assert await unknown.closed() == protocol.CLOSE_NOT_FOUND
    assert await foreign.closed() == protocol.CLOSE_FORBIDDEN


async def test_opening_many_at_once_answers_each_as_one_would(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from teammoa.core.errors import Forbidden, NotFound
    from teammoa.mindmap import services

    requests = [
        (world.alice, world.mindmap.pk),
        (world.outsider, world.mindmap.pk),
        (world.alice, 999_999),
        (world.alice, "not a number"),
        (world.alice, world.foreign_map.pk),
        (world.outsider, world.foreign_map.pk),
        (world.host, world.other_map.pk),
    ]

    def open_all():
        with CaptureQueriesContext(connection) as queries:
            return services.open_mindmaps(requests), len(queries)

    answers, queries = await database_sync_to_async(open_all)()

    assert queries == 2  # the mindmaps, then the memberships: not one each

    assert [type(answer).__name__ for answer in answers] == [
        "tuple",
        Forbidden.__name__,
        NotFound.__name__,
        NotFound.__name__,
        Forbidden.__name__,
        "tuple",
        "tuple",
    ]
    for (user, mindmap_id), answer in zip(requests, answers, strict=True):
        if isinstance(answer, tuple):
            mindmap, membership = answer
            assert mindmap.pk == mindmap_id
            assert (membership.user_id, membership.team_id) == (user.pk, mindmap.team_id)


async def test_a_foreign_origin_is_refused_at_the_handshake(world, sockets):
    socket = await sockets(world.alice, world.mindmap.pk, origin=b"http://evil.example")

    assert socket.close_code is not None
    assert socket.messages == []


async def test_presence_joined_and_left(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    bob = await sockets(world.bob, world.mindmap.pk)
    snapshot = await bob.expect("snapshot")

    joined = await alice.expect("presence.joined")
    assert joined["user"] == world.bob.pk
    assert {p["user"] for p in snapshot["presence"]} == {world.alice.pk, world.bob.pk}

    await bob.disconnect()
    left = await alice.expect("presence.left")
    assert left["user"] == world.bob.pk


async def test_a_second_tab_of_the_same_user_is_one_person(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    bob1 = await sockets(world.bob, world.mindmap.pk)
    await bob1.expect("snapshot")
    await alice.expect("presence.joined", user=world.bob.pk)
    bob2 = await sockets(world.bob, world.mindmap.pk)
    snapshot = await bob2.expect("snapshot")

    assert sorted(p["user"] for p in snapshot["presence"]) == sorted([world.alice.pk, world.bob.pk])
    await bob1.disconnect()
    await alice.nothing(ignore=("cursor",))  # bob is still here in his other tab
    await bob2.disconnect()
    await alice.expect("presence.left", user=world.bob.pk)


async def test_a_removed_member_is_closed_with_4403(world, sockets):
    from teammoa.core.services import remove_member

    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    bob = await sockets(world.bob, world.mindmap.pk)
    await bob.expect("snapshot")
    membership = await world.team.memberships.aget(user=world.bob)

    await database_sync_to_async(remove_member)(world.host, world.team.pk, membership.pk)

    assert await bob.closed() == protocol.CLOSE_FORBIDDEN
    await alice.expect("presence.left", user=world.bob.pk)
    # Alice is untouched.
    answer = await alice.request({"type": "node.move", "node": world.nodes[0].pk, "x": 5, "y": 5})
    assert answer["type"] == "node.moved"


async def test_the_snapshot_is_the_first_message(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    bob = await sockets(world.bob, world.mindmap.pk)

    first = await bob.recv()

    assert first["type"] == "snapshot"


async def test_a_newcomer_right_after_a_change_gets_the_changed_mindmap(world, sockets):
    # Arrivals within a moment of a snapshot read share its nodes, but only while the
    # mindmap is still at that version.
    alice = await sockets(world.alice, world.mindmap.pk)
    assert (await alice.expect("snapshot"))["version"] == 0
    root = world.nodes[0].pk
    await alice.send({"type": "node.move", "node": root, "x": 777, "y": 8, "req": 1})
    await alice.expect("node.moved")

    bob = await sockets(world.bob, world.mindmap.pk)
    snapshot = await bob.expect("snapshot")

    assert snapshot["version"] == 1
    assert [(n["x"], n["y"]) for n in snapshot["nodes"] if n["id"] == root] == [(777, 8)]


async def test_a_snapshot_read_again_at_the_same_version_reads_only_recommendations(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from teammoa.mindmap import services

    def read_twice():
        first = services.shared_snapshot(world.mindmap.pk, {world.alice.pk})
        with CaptureQueriesContext(connection) as queries:
            again = services.shared_snapshot(world.mindmap.pk, {world.bob.pk}, first)
        return first, again, [q["sql"] for q in queries.captured_queries]

    first, again, queries = await database_sync_to_async(read_twice)()

    assert again["nodes"] is first["nodes"] and again["connections"] is first["connections"]
    assert set(again["recommended"]) == {world.bob.pk}
    selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # the mindmap (locked) and bob's recommendations
