"""Persisted changes reach every client in version order, and a lost one is made good."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from teammoa.mindmap import rooms
from teammoa.mindmap.broadcast import apublish
from teammoa.mindmap.services import edit
from teammoa.mindmap.services.changes import collecting

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def unpublished_move(world, x):
    """Commit a move but keep its broadcast (as if it were lost on the way)."""
    with collecting() as committed:
        edit(world.alice, world.mindmap.pk, "node.move", node=world.nodes[0].pk, x=x, y=1)
    return committed


async def test_changes_arriving_out_of_order_are_delivered_in_order(world, sockets):
    bob = await sockets(world.bob, world.mindmap.pk)
    await bob.expect("snapshot")
    first = await unpublished_move(world, 10)
    second = await unpublished_move(world, 20)

    for mindmap_id, changes in second + first:  # version 2 arrives before version 1
        await apublish(mindmap_id, changes)

    assert [(m["version"], m["x"]) for m in await bob.wait_changes(2)] == [(1, 10), (2, 20)]


async def test_a_lost_change_makes_the_clients_resync(world, sockets):
    bob = await sockets(world.bob, world.mindmap.pk)
    await bob.expect("snapshot")
    await unpublished_move(world, 10)  # version 1 never arrives

    await database_sync_to_async(edit)(
        world.alice, world.mindmap.pk, "node.move", node=world.nodes[0].pk, x=20, y=2
    )

    snapshot = await bob.expect("snapshot", timeout=3)  # after the gap timeout
    assert snapshot["version"] == 2
    assert (snapshot["nodes"][0]["x"], snapshot["nodes"][0]["y"]) == (20, 2)
    assert bob.changes_seen() == []  # never version 2 without version 1


async def test_a_lost_last_change_is_found_by_the_version_check(world, sockets, monkeypatch):
    monkeypatch.setattr(rooms, "AUDIT_SECONDS", 0.2)
    bob = await sockets(world.bob, world.mindmap.pk)
    await bob.expect("snapshot")

    await unpublished_move(world, 30)  # and nothing after it

    snapshot = await bob.expect("snapshot", timeout=3)
    assert snapshot["version"] == 1 and snapshot["nodes"][0]["x"] == 30


async def test_the_sender_gets_its_answer_even_when_it_resynced_past_it(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    await alice.send({"type": "resync"})
    answer = await alice.request({"type": "node.move", "node": world.nodes[0].pk, "x": 7, "y": 7})
    assert answer["type"] in ("node.moved", "snapshot")
