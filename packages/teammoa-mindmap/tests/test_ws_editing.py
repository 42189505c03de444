"""Editing over the socket: every change type, broadcast in version order to everyone."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from teammoa.mindmap.models import Comment, Connection, Mindmap, Node, Recommendation

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def pair(world, sockets, **kwargs):
    alice = await sockets(world.alice, world.mindmap.pk, **kwargs)
    await alice.expect("snapshot")
    bob = await sockets(world.bob, world.mindmap.pk, **kwargs)
    await bob.expect("snapshot")
    await alice.expect("presence.joined", user=world.bob.pk)
    return alice, bob


@database_sync_to_async
def version_of(mindmap):
    return Mindmap.objects.get(pk=mindmap.pk).version


async def test_two_clients_see_each_others_changes_in_order(world, sockets):
    alice, bob = await pair(world, sockets)
    root, leaf = (node.pk for node in world.nodes)

    created = await alice.request({"type": "node.create", "title": "New", "x": 10, "y": 20})
    assert created["type"] == "node.created"
    assert created["version"] == 1 and created["by"] == world.alice.pk
    node = created["node"]
    assert node["title"] == "New" and (node["x"], node["y"]) == (10, 20)
    assert node["created_by"] == world.alice.pk

    for step in range(5):
        await bob.send({"type": "node.move", "node": root, "x": 100 + step, "y": 7})
    await alice.send({"type": "connection.create", "source": node["id"], "target": leaf})

    expected_types = ["node.created"] + ["node.moved"] * 5 + ["connection.created"]
    for socket in (alice, bob):
        seen = await socket.wait_changes(len(expected_types))
        assert [m["type"] for m in seen] == expected_types
        assert [m["version"] for m in seen] == list(range(1, 8))
        moved = [m for m in seen if m["type"] == "node.moved"]
        assert [m["x"] for m in moved] == [100, 101, 102, 103, 104]
        assert all(m["by"] == world.bob.pk for m in moved)
    # Only the sender's copy carries its req.
    assert "req" not in bob.messages[-1] or bob.messages[-1]["req"] is None
    assert await version_of(world.mindmap) == 7
    assert await Node.objects.filter(pk=root, x=104, y=7).aexists()


async def test_a_client_of_another_mindmap_sees_nothing(world, sockets):
    alice, bob = await pair(world, sockets)
    carol = await sockets(world.host, world.other_map.pk)
    await carol.expect("snapshot")

    await alice.request({"type": "node.create", "title": "New", "x": 10, "y": 20})
    await alice.send({"type": "cursor", "x": 5, "y": 5})
    await bob.expect("cursor", user=world.alice.pk)

    await carol.nothing(timeout=0.3)


async def test_every_change_type(world, sockets):
    alice, bob = await pair(world, sockets)
    root, leaf = (node.pk for node in world.nodes)

    updated = await alice.request(
        {"type": "node.update", "node": root, "title": " Big ", "content": "Why"}
    )
    assert (updated["type"], updated["title"], updated["content"]) == ("node.updated", "Big", "Why")
    content_only = await alice.request({"type": "node.update", "node": root, "content": "Because"})
    assert (content_only["title"], content_only["content"]) == ("Big", "Because")

    connected = await bob.request({"type": "connection.create", "source": leaf, "target": root})
    connection = connected["connection"]
    assert (connection["source"], connection["target"]) == (min(root, leaf), max(root, leaf))

    on = await bob.request({"type": "node.recommend", "node": root})
    assert (on["type"], on["count"], on["user"], on["on"]) == (
        "node.recommended",
        1,
        world.bob.pk,
        True,
    )
    also = await alice.request({"type": "node.recommend", "node": root})
    assert (also["count"], also["on"]) == (2, True)
    off = await bob.request({"type": "node.recommend", "node": root})
    assert (off["count"], off["on"]) == (1, False)

    commented = await bob.request({"type": "comment.create", "node": root, "text": "Nice"})
    assert commented["type"] == "comment.created"
    assert commented["comment"]["text"] == "Nice"
    assert commented["comment"]["author"]["user"] == world.bob.pk
    assert commented["comment_count"] == 1

    removed = await alice.request({"type": "connection.delete", "connection": connection["id"]})
    assert (removed["type"], removed["connection"]) == ("connection.deleted", connection["id"])

    await alice.request({"type": "connection.create", "source": root, "target": leaf})
    deleted = await alice.request({"type": "node.delete", "node": root})
    assert deleted["type"] == "node.deleted"
    assert deleted["node"] == root and len(deleted["connections"]) == 1

    # Bob saw all of it, in order, and the database agrees.
    versions = [m["version"] for m in await bob.wait_changes(10)]
    assert versions == list(range(1, 11))
    assert await version_of(world.mindmap) == 10
    assert not await Node.objects.filter(pk=root).aexists()
    assert not await Comment.objects.filter(node_id=root).aexists()
    assert not await Recommendation.objects.filter(node_id=root).aexists()
    assert not await Connection.objects.filter(mindmap=world.mindmap).aexists()


async def test_cursors_and_drags_reach_the_others_only(world, sockets):
    alice, bob = await pair(world, sockets)
    root = world.nodes[0].pk

    await alice.send({"type": "cursor", "x": 11, "y": 12})
    cursor = await bob.expect("cursor")
    assert cursor == {"type": "cursor", "user": world.alice.pk, "x": 11, "y": 12}
    await alice.send({"type": "node.drag", "node": root, "x": 50, "y": 60})
    dragging = await bob.expect("node.dragging")
    assert dragging == {
        "type": "node.dragging",
        "user": world.alice.pk,
        "node": root,
        "x": 50,
        "y": 60,
    }

    await alice.nothing(timeout=0.2)  # never one's own
    assert await version_of(world.mindmap) == 0  # nothing persisted


async def test_cursors_are_coalesced_per_tick(world, sockets):
    alice, bob = await pair(world, sockets)

    for x in range(10):
        await alice.send({"type": "cursor", "x": x, "y": 0})
    await asyncio.sleep(0.1)
    await bob.nothing(timeout=0.1, ignore=("cursor",))
    cursors = [m for m in bob.messages if m["type"] == "cursor"]

    assert cursors[-1]["x"] == 9
    assert len(cursors) < 10


async def test_batch_clients_get_several_messages_per_frame(world, sockets):
    alice, bob = await pair(world, sockets, batch=True)
    root = world.nodes[0].pk

    for step in range(20):
        await alice.send({"type": "node.move", "node": root, "x": step, "y": 0})
    await bob.wait_changes(20)

    moved = [m["version"] for m in bob.messages if m["type"] == "node.moved"]
    assert moved == list(range(1, 21))
    assert bob.frames < len(bob.messages)


async def test_resync_answers_with_a_fresh_snapshot(world, sockets):
    alice, _bob = await pair(world, sockets)
    await alice.request({"type": "node.move", "node": world.nodes[0].pk, "x": 1, "y": 2})

    snapshot = await alice.request({"type": "resync"})

    assert snapshot["type"] == "snapshot"
    assert snapshot["version"] == 1
    assert {(n["x"], n["y"]) for n in snapshot["nodes"]} >= {(1, 2)}


async def test_ping_is_answered_with_the_version(world, sockets):
    alice, _bob = await pair(world, sockets)

    pong = await alice.request({"type": "ping"})

    assert pong == {"type": "pong", "req": pong["req"], "version": 0}


async def test_rest_changes_are_broadcast_the_same_way(world, sockets, client):
    alice, bob = await pair(world, sockets)
    await database_sync_to_async(client.force_login)(world.host)
    url = f"/api/v1/teams/{world.team.pk}/mindmaps/{world.mindmap.pk}/nodes/"

    response = await database_sync_to_async(client.post)(
        url, {"title": "From REST", "x": 3, "y": 4}, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    for socket in (alice, bob):
        created = await socket.expect("node.created")
        assert created["node"]["title"] == "From REST"
        assert created["by"] == world.host.pk and created["version"] == 1


async def test_renaming_and_deleting_the_mindmap_reach_open_editors(world, sockets, client):
    alice, bob = await pair(world, sockets)
    await database_sync_to_async(client.force_login)(world.host)
    url = f"/api/v1/teams/{world.team.pk}/mindmaps/{world.mindmap.pk}/"

    renamed = await database_sync_to_async(client.patch)(
        url, {"title": "Renamed"}, content_type="application/json"
    )
    assert renamed.status_code == 200
    updated = await bob.expect("mindmap.updated")
    assert updated["mindmap"]["title"] == "Renamed" and updated["version"] == 1

    assert (await database_sync_to_async(client.delete)(url)).status_code == 204
    for socket in (alice, bob):
        await socket.expect("mindmap.deleted")
        assert await socket.closed() == 4404
