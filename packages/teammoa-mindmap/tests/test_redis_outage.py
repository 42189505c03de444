"""A Redis outage between two real server processes (a Redis of the test's own, stopped
and started again): every socket is closed with 4500 while the channel layer cannot be
reached, a socket opened meanwhile is closed the same way right after its handshake, and
once Redis answers the editors reconnect, resync, see each other's edits and each other
in presence again, without a server restart.

Before, the sockets stayed open through the outage and the changes made on one server
never reached the other's (found by the reliability session's scenario 3).
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from teammoa.core.testing.redis_server import RedisServer
from tests.test_live_sockets import close_code
from tests.test_multiprocess import next_of, open_client, two_servers

pytestmark = [
    pytest.mark.services("redis", "redis-server"),
    pytest.mark.asyncio,
    pytest.mark.timeout(180),
]


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture
def servers(tmp_path, redis):
    with two_servers(tmp_path, redis.url) as started:
        yield started


async def back(port: int, mindmap: int, session: str, within: float = 30):
    """Connect until a snapshot comes (as the editor does after a 4500): client, snapshot."""
    from websockets.exceptions import ConnectionClosed

    deadline = time.monotonic() + within
    while True:
        client = await open_client(port, mindmap, session)
        try:
            return client, await next_of(client, "snapshot", timeout=5)
        except (ConnectionClosed, AssertionError, TimeoutError):
            await client.close()
        assert time.monotonic() < deadline, "no snapshot after Redis came back"
        await asyncio.sleep(0.5)


async def test_sockets_close_with_4500_in_a_redis_outage_and_resync_after_it(servers, redis):
    world, (port_a, port_b), processes = servers
    (alice, bob), mindmap = world["users"][:2], world["mindmap"]
    on_a = await open_client(port_a, mindmap, alice["session"])
    await next_of(on_a, "snapshot")
    on_b = await open_client(port_b, mindmap, bob["session"])
    await next_of(on_b, "snapshot")

    await asyncio.to_thread(redis.stop)
    assert await close_code(on_a) == 4500
    assert await close_code(on_b) == 4500
    # While Redis is away, a new socket is let in and closed with 4500 at once.
    for port, person in ((port_a, alice), (port_b, bob)):
        newcomer = await open_client(port, mindmap, person["session"])
        assert await close_code(newcomer) == 4500

    await asyncio.to_thread(redis.start)  # empty: every group and presence entry is gone
    on_a, _ = await back(port_a, mindmap, alice["session"])
    on_b, _ = await back(port_b, mindmap, bob["session"])
    try:
        # Changes cross between the servers again, both ways.
        await on_a.send(json.dumps({"type": "node.move", "node": world["node"], "x": 7, "y": 9}))
        moved = await next_of(on_b, "node.moved")
        assert (moved["x"], moved["y"]) == (7, 9)
        await on_b.send(json.dumps({"type": "node.create", "title": "After", "x": 1, "y": 1}))
        assert (await next_of(on_a, "node.created"))["node"]["title"] == "After"
        # Both are present for both.
        for client in (on_a, on_b):
            await client.send(json.dumps({"type": "resync"}))
            snapshot = await next_of(client, "snapshot")
            assert {p["user"] for p in snapshot["presence"]} == {alice["id"], bob["id"]}
        assert all(process.poll() is None for process in processes), "a server restarted"
    finally:
        await on_a.close()
        await on_b.close()
