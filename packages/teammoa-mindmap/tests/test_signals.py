"""The instrumentation signals (``teammoa.mindmap.signals``) fire with what they promise."""

from __future__ import annotations

import contextlib
import time

import pytest
from channels.db import database_sync_to_async

from teammoa.mindmap import signals
from teammoa.mindmap.hub import Hub
from teammoa.mindmap.rooms import Room
from teammoa.mindmap.services import edit
from teammoa.mindmap.services.changes import collecting

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def recording(*watched):
    """Every send of the watched signals, as (signal, sender, kwargs)."""
    seen = []
    receivers = []
    for signal in watched:

        def receiver(sender, signal=signal, **kwargs):
            kwargs.pop("signal", None)
            seen.append((signal, sender, kwargs))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    try:
        yield seen
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


async def test_edits_report_the_queue_and_each_written_batch(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")
    root = world.nodes[0].pk

    with recording(signals.writes_queued, signals.writer_batch) as seen:
        for step in range(5):
            await alice.send({"type": "node.move", "node": root, "x": 10 + step, "y": 1})
        await alice.wait_changes(5)

    queued = [kw["delta"] for signal, _, kw in seen if signal is signals.writes_queued]
    batches = [kw for signal, _, kw in seen if signal is signals.writer_batch]
    assert queued.count(1) == 5
    assert sum(queued) == 0  # nothing left waiting
    assert sum(batch["size"] for batch in batches) == 5
    assert all(batch["ok"] and 0 <= batch["seconds"] < 5 for batch in batches)
    assert {sender for _, sender, _ in seen} == {Room}


async def test_a_room_that_resyncs_says_so(world, sockets):
    bob = await sockets(world.bob, world.mindmap.pk)
    await bob.expect("snapshot")

    @database_sync_to_async
    def lose_a_change():
        with collecting():  # committed, never published
            edit(world.alice, world.mindmap.pk, "node.move", node=world.nodes[0].pk, x=5, y=5)
        edit(world.alice, world.mindmap.pk, "node.move", node=world.nodes[0].pk, x=6, y=6)

    with recording(signals.room_resynced) as seen:
        await lose_a_change()
        await bob.expect("snapshot", timeout=3)

    assert [kw for _, _, kw in seen] == [{"mindmap": world.mindmap.pk, "members": 1}]


async def test_a_bundle_from_another_process_reports_its_delivery_lag():
    hub = Hub.__new__(Hub)  # only what _dispatch reads
    hub.id, hub.rooms = "this-process", {}
    message = {
        "type": "mindmap.bundle",
        "origin": "other",
        "mindmap": 1,
        "sent": time.time() - 0.25,
    }

    with recording(signals.bundle_received) as seen:
        hub._dispatch(message)
        hub._dispatch({**message, "origin": "this-process"})  # its own: not counted

    (_, sender, kwargs), *rest = seen
    assert not rest and sender is Hub
    assert 0.25 <= kwargs["lag"] < 5
