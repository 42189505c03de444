"""Connecting: who may open a mindmap's socket, and the snapshot they get."""

from __future__ import annotations

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
