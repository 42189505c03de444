"""A change the database refuses fails alone; a database that cannot write closes with 4500.

The writer batches the changes that queue up while it is busy. These tests hold the first
write back so the next changes form one batch, then make the database refuse one of them
(or fail altogether) and check what every client is told and what is stored.
"""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.db import DataError, OperationalError, connections

from teammoa.mindmap import protocol, services, writer
from teammoa.mindmap.models import Mindmap, Node
from teammoa.mindmap.services import editing

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

REFUSED = "a title the database refuses"


@pytest.fixture
def database_refuses(monkeypatch):
    """``node.update`` with the title ``REFUSED`` fails in the database (a DataError, as
    MySQL's "Incorrect string value" is), after the validation has let it through."""
    original = editing._HANDLERS["node.update"]

    def node_update(editor, user_id, fields):
        if fields.get("title") == REFUSED:
            raise DataError("(1366, \"Incorrect string value: '\\xED\\xA0\\x80' for column\")")
        return original(editor, user_id, fields)

    monkeypatch.setitem(editing._HANDLERS, "node.update", node_update)


@pytest.fixture
def held_writer(monkeypatch):
    """The first write waits until ``release()``; batches are recorded."""
    gate = threading.Event()
    batches: list[list[str]] = []
    retried: list[int] = []
    original_apply, original_one_by_one = services.apply_batch, writer._one_by_one

    def apply_batch(mindmap_id, ops):
        batches.append([kind for _user, kind, _fields, _meta in ops])
        if len(batches) == 1:
            gate.wait(10)
        return original_apply(mindmap_id, ops)

    def one_by_one(mindmap_id, ops):
        retried.append(len(ops))
        return original_one_by_one(mindmap_id, ops)

    monkeypatch.setattr(services, "apply_batch", apply_batch)
    monkeypatch.setattr(writer, "_one_by_one", one_by_one)
    yield SimpleNamespace(release=gate.set, batches=batches, retried=retried)
    gate.set()


async def both_in(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    bob = await sockets(world.bob, world.mindmap.pk)
    await alice.expect("snapshot")
    await bob.expect("snapshot")
    return alice, bob


@database_sync_to_async
def stored(world):
    version = Mindmap.objects.get(pk=world.mindmap.pk).version
    nodes = dict(Node.objects.filter(mindmap=world.mindmap).values_list("pk", "title"))
    return version, nodes


async def answers(socket, reqs, timeout=5):
    """The answer to each ``req`` (a change or an error), in any order."""
    found = {}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while set(found) != set(reqs):
        for message in socket.inbox:
            if message.get("req") in reqs:
                found[message["req"]] = message
        socket.inbox = [m for m in socket.inbox if m.get("req") not in reqs]
        remaining = deadline - loop.time()
        if set(found) != set(reqs):
            assert remaining > 0 and await socket._pull(remaining), (found, socket.messages[-6:])
    return found


async def test_a_change_the_database_refuses_fails_alone(
    world, sockets, database_refuses, held_writer
):
    alice, bob = await both_in(world, sockets)
    root, leaf = world.nodes

    await alice.send({"type": "node.move", "node": root.pk, "x": 1, "y": 1, "req": "a1"})
    await asyncio.sleep(0.2)  # the writer now holds a1; the rest queue into one batch
    await bob.send({"type": "node.create", "title": "From Bob", "x": 5, "y": 5, "req": "b1"})
    await alice.send({"type": "node.update", "node": leaf.pk, "title": REFUSED, "req": "a2"})
    await bob.send({"type": "node.update", "node": root.pk, "title": "Renamed", "req": "b2"})
    await alice.send({"type": "node.move", "node": leaf.pk, "x": 7, "y": 7, "req": "a3"})
    await asyncio.sleep(0.2)
    held_writer.release()

    mine = await answers(alice, {"a1", "a2", "a3"})
    theirs = await answers(bob, {"b1", "b2"})
    assert held_writer.batches[1] == ["node.create", "node.update", "node.update", "node.move"]
    assert held_writer.retried == [4], "the batch never failed: the test proves nothing"
    # The refused change: an error to its sender only, nothing stored.
    assert (mine["a2"]["type"], mine["a2"]["code"]) == ("error", protocol.INVALID)
    # Every other change is stored and answered, in version order.
    assert [mine["a1"]["version"], mine["a3"]["version"]] == [1, 4]
    assert (theirs["b1"]["type"], theirs["b1"]["version"]) == ("node.created", 2)
    assert (theirs["b2"]["type"], theirs["b2"]["version"]) == ("node.updated", 3)
    # Both clients see all four changes; Bob never sees Alice's error.
    for socket in (alice, bob):
        seen = await socket.wait_changes(4)
        assert [change["version"] for change in seen] == [1, 2, 3, 4]
    assert not [m for m in bob.messages if m["type"] == "error"]
    version, nodes = await stored(world)
    assert version == 4
    assert nodes[root.pk] == "Renamed" and nodes[leaf.pk] == "Leaf"
    assert "From Bob" in nodes.values() and REFUSED not in nodes.values()
    await alice.nothing(0.2, ignore=("cursor",))
    assert alice.close_code is None and bob.close_code is None


async def test_a_lone_surrogate_is_invalid_and_fails_alone(world, sockets, held_writer):
    alice, bob = await both_in(world, sockets)
    root, leaf = world.nodes

    await bob.send({"type": "node.move", "node": root.pk, "x": 3, "y": 3, "req": "b0"})
    await asyncio.sleep(0.2)
    # As a browser sends it: JSON's \ud800 escape, a lone surrogate once decoded.
    await alice.send(f'{{"type":"node.update","node":{leaf.pk},"title":"\\ud800","req":"a1"}}')
    await bob.send({"type": "node.update", "node": root.pk, "title": "Still fine", "req": "b1"})
    await asyncio.sleep(0.2)
    held_writer.release()

    assert (await answers(alice, {"a1"}))["a1"]["code"] == protocol.INVALID
    theirs = await answers(bob, {"b0", "b1"})
    assert theirs["b1"]["type"] == "node.updated"
    version, nodes = await stored(world)
    assert (version, nodes[root.pk], nodes[leaf.pk]) == (2, "Still fine", "Leaf")


async def test_a_failure_that_is_no_ones_input_answers_that_change_only(
    world, sockets, monkeypatch, held_writer
):
    alice, bob = await both_in(world, sockets)
    root, leaf = world.nodes
    original = editing._HANDLERS["node.recommend"]

    def broken(editor, user_id, fields):  # a bug in one change type
        raise RuntimeError("boom")

    monkeypatch.setitem(editing._HANDLERS, "node.recommend", broken)
    await alice.send({"type": "node.move", "node": root.pk, "x": 3, "y": 3, "req": "a0"})
    await asyncio.sleep(0.2)
    await alice.send({"type": "node.recommend", "node": leaf.pk, "req": "a1"})
    await bob.send({"type": "node.move", "node": leaf.pk, "x": 8, "y": 8, "req": "b1"})
    await asyncio.sleep(0.2)
    held_writer.release()

    mine = await answers(alice, {"a0", "a1"})
    assert (mine["a1"]["type"], mine["a1"]["code"]) == ("error", protocol.UNAVAILABLE)
    assert (await answers(bob, {"b1"}))["b1"]["version"] == 2
    monkeypatch.setitem(editing._HANDLERS, "node.recommend", original)
    # Nothing is closed: the next try works.
    again = await alice.request({"type": "node.recommend", "node": leaf.pk})
    assert (again["type"], again["version"]) == ("node.recommended", 3)


async def test_an_unreachable_database_answers_each_change_then_closes_with_4500(
    world, sockets, monkeypatch
):
    alice, bob = await both_in(world, sockets)
    root, _leaf = world.nodes

    def down(mindmap_id, ops):
        raise OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1'")

    monkeypatch.setattr(services, "apply_batch", down)
    monkeypatch.setattr(writer, "_reachable", lambda: False)
    await alice.send({"type": "node.move", "node": root.pk, "x": 3, "y": 3, "req": "a1"})
    await alice.send({"type": "node.create", "title": "Lost?", "x": 3, "y": 3, "req": "a2"})

    mine = await answers(alice, {"a1", "a2"})
    assert {m["code"] for m in mine.values()} == {protocol.UNAVAILABLE}
    assert await alice.closed() == protocol.CLOSE_UNAVAILABLE
    # Bob sent nothing: his socket stays (his next change would be answered the same way),
    # and the room resyncs him in case a write went through after all.
    assert (await bob.expect("snapshot"))["version"] == 0
    assert bob.close_code is None
    assert not bob.changes_seen()
    assert await stored(world) == (0, {root.pk: "Root", world.nodes[1].pk: "Leaf"})


async def test_a_commit_whose_outcome_is_unknown_is_never_acknowledged(world, sockets, monkeypatch):
    alice, bob = await both_in(world, sockets)
    root, _leaf = world.nodes
    wrapper = type(connections["default"])
    original = wrapper.commit
    failed = []

    def commit(self):
        if not failed:
            failed.append(True)
            raise OperationalError(2013, "Lost connection to MySQL server during query")
        return original(self)

    monkeypatch.setattr(wrapper, "commit", commit)
    await alice.send({"type": "node.move", "node": root.pk, "x": 3, "y": 3, "req": "a1"})

    assert (await answers(alice, {"a1"}))["a1"]["code"] == protocol.UNAVAILABLE
    assert await alice.closed() == protocol.CLOSE_UNAVAILABLE
    assert failed
    assert not [m for m in alice.messages if m["type"] == "node.moved"]
    # Written or not, the others are shown what the database holds.
    assert (await bob.expect("snapshot"))["version"] == 0


async def test_an_unreachable_database_at_connect_closes_with_4500(world, sockets, monkeypatch):
    def down(requests):
        raise OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1'")

    monkeypatch.setattr(services, "open_mindmaps", down)
    socket = await sockets(world.alice, world.mindmap.pk)

    assert await socket.closed() == protocol.CLOSE_UNAVAILABLE
