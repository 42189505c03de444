"""Close codes as a real client receives them from real Daphne processes (SPEC section 9).

Two server processes share Redis (channel layer, presence, cache): every close code the
server uses reaches a ``websockets`` client as a close frame (Daphne drops any code but
1000 and 3000-4999 silently), a logout in another process ends the session's sockets on
both servers, the per-user cap counts across them, and a database outage is answered
with ``unavailable`` and 4500, then recovered from without a restart.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from tests.test_multiprocess import PACKAGE, next_of, open_client, two_servers

pytestmark = [pytest.mark.services("redis"), pytest.mark.asyncio]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One pair of servers for the module; each test uses users of its own."""
    with two_servers(tmp_path_factory.mktemp("live")) as started:
        yield started


async def close_code(client, timeout: float = 10) -> int:
    """Read until the server's close frame arrives; its code (never a timeout)."""
    from websockets.exceptions import ConnectionClosed

    async def drain():
        while True:
            await client.recv()

    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(drain(), timeout)
    received = client.protocol.close_rcvd
    assert received is not None, "the server sent no close frame"
    return received.code


async def refused_code(port, mindmap, session, **kwargs) -> int:
    client = await open_client(port, mindmap, session, **kwargs)
    try:
        return await close_code(client)
    finally:
        await client.close()


async def test_every_refusal_reaches_a_real_client_as_its_close_code(servers):
    world, (port_a, _port_b), _processes = servers
    member, outsider = world["users"][0], world["users"][7]
    mindmap = world["mindmap"]

    assert await refused_code(port_a, mindmap, None) == 4401
    assert await refused_code(port_a, mindmap, outsider["session"]) == 4403
    assert await refused_code(port_a, 999_999, member["session"]) == 4404


async def test_a_foreign_origin_is_refused_before_accept(servers):
    from websockets.exceptions import InvalidStatus

    world, (port_a, _port_b), _processes = servers
    session = world["users"][0]["session"]
    for origin in ("http://127.0.0.1:9999", "https://127.0.0.1:{port}", "http://evil.example"):
        with pytest.raises(InvalidStatus) as refused:
            await open_client(port_a, world["mindmap"], session, origin=origin.format(port=port_a))
        assert refused.value.response.status_code == 403
    client = await open_client(port_a, world["mindmap"], session)  # its own origin
    await next_of(client, "snapshot")
    await client.close()


async def test_the_socket_cap_counts_across_processes(servers):
    world, (port_a, port_b), _processes = servers
    session, mindmap = world["users"][1]["session"], world["mindmap"]
    held = [
        await open_client(port_a, mindmap, session),
        await open_client(port_b, mindmap, session),
        await open_client(port_a, mindmap, session),
    ]
    try:
        for client in held:
            await next_of(client, "snapshot")
        # The cap is 3 (TEAMMOA_TEST_MAX_SOCKETS): the fourth is refused on either server.
        assert await refused_code(port_b, mindmap, session) == 4429
        assert await refused_code(port_a, mindmap, session) == 4429
        await held.pop().close()
        await asyncio.sleep(0.5)  # its slot is released as the server sees the close
        again = await open_client(port_b, mindmap, session)
        held.append(again)
        await next_of(again, "snapshot")
    finally:
        for client in held:
            await client.close()


def log_out_elsewhere(world, session: str) -> None:
    """Log the session out in a third process (as a request on another server would)."""
    script = (
        "import django, sys; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(); client.cookies['sessionid'] = sys.argv[1]; client.logout()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, session],
        cwd=PACKAGE,
        env=world["env"],
        check=True,
        timeout=60,
        capture_output=True,
    )


async def test_logout_closes_the_sessions_sockets_on_every_server_with_4401(servers):
    world, (port_a, port_b), _processes = servers
    mindmap = world["mindmap"]
    leaving, staying = world["users"][2], world["users"][3]
    on_a = await open_client(port_a, mindmap, leaving["session"])
    on_b = await open_client(port_b, mindmap, leaving["session"])
    other = await open_client(port_b, mindmap, staying["session"])
    try:
        for client in (on_a, on_b, other):
            await next_of(client, "snapshot")

        await asyncio.to_thread(log_out_elsewhere, world, leaving["session"])

        assert await close_code(on_a) == 4401
        assert await close_code(on_b) == 4401
        await other.send(json.dumps({"type": "ping", "req": "p"}))
        assert (await next_of(other, "pong"))["req"] == "p"
    finally:
        for client in (on_a, on_b, other):
            await client.close()


async def test_a_database_outage_is_answered_then_closed_with_4500_and_recovered(servers):
    world, (port_a, port_b), _processes = servers
    session, mindmap, node = world["users"][4]["session"], world["mindmap"], world["node"]
    editor = await open_client(port_a, mindmap, session)
    watcher = await open_client(port_b, mindmap, world["users"][5]["session"])
    try:
        before = (await next_of(editor, "snapshot"))["version"]
        await next_of(watcher, "snapshot")

        world["down"].touch()
        move = {"type": "node.move", "node": node, "x": 70, "y": 80, "req": "m1"}
        await editor.send(json.dumps(move))
        answer = await next_of(editor, "error", req="m1")
        assert answer["code"] == "unavailable"
        assert await close_code(editor) == 4500
        # Reconnecting while the database is down: 4500 again, after the handshake.
        assert await refused_code(port_a, mindmap, session) == 4500

        world["down"].unlink()
        editor = await open_client(port_a, mindmap, session)
        snapshot = await next_of(editor, "snapshot")
        assert snapshot["version"] == before  # never acknowledged, never written
        await editor.send(json.dumps(move))
        moved = await next_of(watcher, "node.moved")
        assert (moved["x"], moved["version"]) == (70, before + 1)
    finally:
        world["down"].unlink(missing_ok=True)
        await editor.close()
        await watcher.close()


async def test_a_lone_surrogate_from_a_real_client_is_invalid_and_fails_alone(servers):
    world, (port_a, port_b), _processes = servers
    mindmap, node = world["mindmap"], world["node"]
    alice = await open_client(port_a, mindmap, world["users"][6]["session"])
    bob = await open_client(port_b, mindmap, world["users"][0]["session"])
    try:
        await next_of(alice, "snapshot")
        await next_of(bob, "snapshot")
        # JSON's escape for U+D800 alone: valid JSON, not valid Unicode once decoded.
        await alice.send(f'{{"type":"node.update","node":{node},"title":"\\ud800","req":"a"}}')
        await bob.send(json.dumps({"type": "node.update", "node": node, "title": "Fine"}))

        assert (await next_of(alice, "error", req="a"))["code"] == "invalid"
        updated = await next_of(alice, "node.updated")
        assert (updated["title"], updated["by"]) == ("Fine", world["users"][0]["id"])
        await alice.send(json.dumps({"type": "ping", "req": "still-open"}))
        assert (await next_of(alice, "pong"))["req"] == "still-open"
    finally:
        await alice.close()
        await bob.close()
