"""A Redis outage under two real Daphne processes with the site's settings (a Redis of
the test's own, stopped and started again; core's ``teammoa.core.websocket.outage``).

The team socket (core's ``TeamHub``) and the mindmap socket behave alike: while the channel
layer cannot be reached every socket is closed with 4500 (never left open, missing the
other server's news), a socket opened meanwhile is closed with 4500 right after its
handshake (never 4429: the socket cap once read the fail-open cache's dropped writes as
"every slot taken"), and once Redis is back the pages reconnect and hear the other
server's news again, without a restart.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from teammoa.core.testing.redis_server import RedisServer
from tests.support.processes import two_sites
from tests.test_team_socket_live import SEED as TEAM_SEED
from tests.test_team_socket_live import close_code, connect, next_event, rest

pytestmark = [pytest.mark.services("redis", "redis-server"), pytest.mark.timeout(240)]

# The team socket test's team (a host, two members, an outsider), and a mindmap of it.
SEED = (
    TEAM_SEED
    + """
from teammoa.mindmap.models import Mindmap

report["mindmap"] = Mindmap.objects.create(team=team, title="Outage").pk
"""
)


@pytest.fixture(scope="module")
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def servers(tmp_path_factory, redis):
    with two_sites(tmp_path_factory.mktemp("outage-live"), redis.url, SEED) as started:
        world, _env, a, b = started
        yield world, a, b


async def open_mindmap(server, session, mindmap):
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(
        f"ws://127.0.0.1:{server.port}/ws/mindmaps/{mindmap}/",
        origin=f"http://127.0.0.1:{server.port}",
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
    )


async def back(opener, first: str, within: float = 30):
    """Reconnect (as a page does after 4500) until the socket's first frame comes."""
    from websockets.exceptions import ConnectionClosed

    deadline = time.monotonic() + within
    while True:
        client = await opener()
        try:
            await next_event(client, first, timeout=5)
            return client
        except (ConnectionClosed, AssertionError, TimeoutError):
            await client.close()
        assert time.monotonic() < deadline, f"no {first} after Redis came back"
        await asyncio.sleep(0.5)


@pytest.mark.asyncio
async def test_sockets_close_with_4500_while_redis_is_away_and_come_back(servers, redis):
    world, a, b = servers
    team, mindmap, host = world["team"], world["mindmap"], world["host"]
    member = world["members"][0]
    team_on_a = await connect(a, member["session"], team)
    team_on_b = await connect(b, host["session"], team)
    editor_on_a = await open_mindmap(a, member["session"], mindmap)
    for client, first in ((team_on_a, "hello"), (team_on_b, "hello"), (editor_on_a, "snapshot")):
        await next_event(client, first)

    await asyncio.to_thread(redis.stop)
    for client in (team_on_a, team_on_b, editor_on_a):
        assert await close_code(client) == 4500
    # Opened while it is away: let in, then closed with 4500 at once (try again later).
    for server in (a, b):
        assert await close_code(await connect(server, member["session"], team)) == 4500
        newcomer = await open_mindmap(server, member["session"], mindmap)
        assert await close_code(newcomer) == 4500

    await asyncio.to_thread(redis.start)  # empty: every group membership is gone
    team_on_a = await back(lambda: connect(a, member["session"], team), "hello")
    team_on_b = await back(lambda: connect(b, host["session"], team), "hello")
    editor_on_a = await back(lambda: open_mindmap(a, member["session"], mindmap), "snapshot")
    try:
        # News crosses between the servers again: a change made through B is heard on A.
        todo = await asyncio.to_thread(
            rest, b, host["token"], "POST", f"/api/v1/teams/{team}/todos/", {"content": "Back"}
        )
        assert (await next_event(team_on_a, "todo.changed"))["todo"] == todo["id"]
        for server in (a, b):
            assert server.process is not None and server.process.poll() is None
    finally:
        for client in (team_on_a, team_on_b, editor_on_a):
            await client.close()
