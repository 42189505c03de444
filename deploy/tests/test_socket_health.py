"""The socket path is part of readiness: a wedged writer or socket server turns /health/ 503.

deploy/serve.py as production runs it (gunicorn answering /health/, Daphne the sockets) on
MariaDB and Redis. A transaction holding the mindmap's row stalls the writer: /health/
answers 503 naming it within 10 seconds, and 200 again once the lock is gone, the edit
saved. A socket server frozen outright (SIGSTOP) stops reporting: 503 naming it, then the
supervisor kills it and starts a new one, whose sockets get their snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support import (
    LOCALHOST,
    Server,
    django_admin,
    first_snapshot,
    free_port,
    http_get,
    make_team_data,
    mysql_connect,
    scratch_database,
    serve_command,
    site_env,
    wait_until,
)

# SPEC: readiness turns 503 within 10 s of the socket path wedging.
WITHIN = 10.0


@pytest.fixture(scope="module")
def stack(services, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("socket-health")
    with scratch_database("teammoa_deploy_socket_health") as database:
        port = free_port()
        env = site_env(
            tmp_path,
            database,
            port,
            TEAMMOA_MINDMAP_STALL_SECONDS="2",
            TEAMMOA_WS_WEDGED_SECONDS="8",
            SECURE_SSL_REDIRECT="0",
        )
        django_admin(env, "migrate", "--noinput")
        data = make_team_data(env)
        server = Server(serve_command(), env, port, tmp_path / "serve.log").start()
        try:
            wait_until(lambda: health(server)[0] == 200, 60, "a healthy start")
            yield server, data, database
        finally:
            server.stop()


def health(server: Server) -> tuple[int, dict]:
    status, _headers, body = http_get(f"http://{LOCALHOST}:{server.port}/health/")
    return status, json.loads(body)


def socket_url(server: Server, mindmap: int) -> str:
    return f"ws://{LOCALHOST}:{server.ws_port}/ws/mindmaps/{mindmap}/"


async def open_socket(server: Server, data: dict):
    import websockets

    return await websockets.connect(
        socket_url(server, data["mindmap"]),
        additional_headers={"Cookie": f"sessionid={data['member']}"},
        origin=f"http://{LOCALHOST}:{server.ws_port}",
    )


def time_until_unhealthy(server: Server, naming: str) -> float:
    started = time.monotonic()
    last: tuple[int, dict] = (0, {})
    while time.monotonic() - started < WITHIN + 5:
        last = health(server)
        if last[0] == 503 and naming in last[1]["checks"].get("sockets", ""):
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"/health/ never named {naming!r}: {last}\n{server.output[-3000:]}")


def test_a_stalled_writer_turns_health_503_naming_it_and_recovers(stack):
    server, data, database = stack
    locker = mysql_connect(database)

    async def scenario() -> None:
        ws = await open_socket(server, data)
        try:
            await first_snapshot(ws)
            cursor = locker.cursor()
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id FROM teammoa_mindmap_mindmap WHERE id = %s FOR UPDATE",
                (data["mindmap"],),
            )
            create = {"type": "node.create", "title": "Held", "x": 10, "y": 10, "req": "w"}
            await ws.send(json.dumps(create))
            waited = await asyncio.to_thread(time_until_unhealthy, server, "writer")
            assert waited < WITHIN
            _status, body = health(server)
            assert body["checks"]["database"] == "ok" and body["checks"]["redis"] == "ok"
            locker.rollback()  # the lock goes: the write goes through, and health with it
            async with asyncio.timeout(15):
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("req") == "w":
                        assert frame["type"] == "node.created", frame
                        break
            await asyncio.to_thread(
                wait_until, lambda: health(server)[0] == 200, 10, "healthy again"
            )
        finally:
            await ws.close()

    try:
        asyncio.run(scenario())
    finally:
        locker.close()


def test_a_plain_client_gets_each_change_of_a_burst_as_a_frame_of_its_own(stack):
    # serve.py's Daphne takes the changes for a socket as frames built once for all the
    # sockets of the mindmap and written together (teammoa.websocket.frames): each still
    # a well-formed text frame of one message, in order, for protocol v1 without ?batch=1.
    server, data, _database = stack

    async def scenario() -> None:
        editor, watcher = await open_socket(server, data), await open_socket(server, data)
        try:
            await first_snapshot(editor)
            version = (await first_snapshot(watcher))["version"]
            for n in range(6):
                create = {"type": "node.create", "title": f"Burst {n}", "x": n, "y": 0}
                await editor.send(json.dumps({**create, "req": n}))
            seen: list[dict] = []
            async with asyncio.timeout(15):
                while len(seen) < 6:
                    frame = json.loads(await watcher.recv())
                    assert frame.get("type") != "batch", frame
                    if frame.get("type") == "node.created":
                        seen.append(frame)
            assert [f["version"] for f in seen] == list(range(version + 1, version + 7))
            assert [f["node"]["title"] for f in seen] == [f"Burst {n}" for n in range(6)]
        finally:
            await editor.close()
            await watcher.close()

    asyncio.run(scenario())


def test_a_frozen_socket_server_is_reported_then_replaced(stack):
    server, data, _database = stack
    status_file = None

    async def scenario() -> None:
        ws = await open_socket(server, data)
        await first_snapshot(ws)
        await ws.close()

    asyncio.run(scenario())
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    socket_servers = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[-2:] == [b"ws", b""] and f"PORT={server.ws_port}".encode() in environ:
            socket_servers.append(int(pid))
            prefix = b"TEAMMOA_MINDMAP_STATUS_FILE="
            found = [e[len(prefix) :].decode() for e in environ if e.startswith(prefix)]
            status_file = found[0] if found else None
    assert len(socket_servers) == 1, socket_servers
    assert status_file and json.loads(Path(status_file).read_text())["pid"] == socket_servers[0]
    os.kill(socket_servers[0], signal.SIGSTOP)
    try:
        waited = time_until_unhealthy(server, "server")
        assert waited < WITHIN
        # The supervisor kills it after TEAMMOA_WS_WEDGED_SECONDS and starts a new one.
        wait_until(lambda: health(server)[0] == 200, 30, "a new socket server")
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed by the supervisor
            os.kill(socket_servers[0], signal.SIGCONT)
    replaced = json.loads(Path(status_file).read_text())["pid"]
    assert replaced != socket_servers[0]
    asyncio.run(scenario())
    assert "the socket server was wedged: starting a new one" in server.output
    assert server.process.poll() is None
