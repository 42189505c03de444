"""Two real server processes sharing Redis: edits and presence cross between them, and a
killed process's users vanish from the other's presence in time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
TTL = 2  # seconds: a short presence TTL keeps the kill test fast

pytestmark = [pytest.mark.services("redis"), pytest.mark.asyncio]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@contextlib.contextmanager
def two_servers(tmp_path: Path, redis_url: str | None = None):
    """Seed a shared SQLite file, start two Daphne processes; always kill them.

    ``redis_url``: a Redis of the test's own (one it may stop) instead of ``REDIS_URL``.
    """
    env = {
        **os.environ,
        **({"REDIS_URL": redis_url} if redis_url else {}),
        "DJANGO_SETTINGS_MODULE": "tests.multiprocess.settings",
        "TEAMMOA_TEST_DB": str(tmp_path / "db.sqlite3"),
        "TEAMMOA_TEST_PREFIX": f"teammoa-mp-{uuid.uuid4().hex[:8]}",
        "TEAMMOA_TEST_PRESENCE_TTL": str(TTL),
        "TEAMMOA_TEST_MAX_SOCKETS": "3",
        # While this file exists, the servers' database "is down" (tests.multiprocess.asgi).
        "TEAMMOA_TEST_DB_DOWN_FILE": str(tmp_path / "database-down"),
        "PYTHONPATH": str(PACKAGE),
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.multiprocess.seed"],
        cwd=PACKAGE,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    world = json.loads(seeded.stdout.decode().strip().splitlines()[-1])
    processes, ports, logs = [], [], []
    try:
        for number in range(2):
            port = free_port()
            log = (tmp_path / f"server{number}.log").open("wb")
            logs.append(log)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "tests.multiprocess.asgi:application",
                ],
                cwd=PACKAGE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append(process)
            ports.append(port)
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        world["env"], world["down"] = env, tmp_path / "database-down"
        yield world, ports, processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        for log in logs:
            log.close()


@pytest.fixture
def servers(tmp_path):
    with two_servers(tmp_path) as started:
        yield started


async def open_client(port: int, mindmap: int, session: str | None, origin: str | None = None):
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{port}/ws/mindmaps/{mindmap}/",
        origin=origin or f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={session}"} if session else {},
        open_timeout=10,
    )


async def next_of(client, kind: str, timeout: float = 10, **fields) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind} {fields}"
        message = json.loads(await asyncio.wait_for(client.recv(), remaining))
        if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
            return message


async def test_edits_and_presence_cross_processes_and_a_killed_ones_users_vanish(servers):
    world, (port_a, port_b), (_server_a, server_b) = servers
    alice_user, bob_user = world["users"][:2]
    alice = await open_client(port_a, world["mindmap"], alice_user["session"])
    bob = None
    try:
        await next_of(alice, "snapshot")
        bob = await open_client(port_b, world["mindmap"], bob_user["session"])
        snapshot = await next_of(bob, "snapshot")
        assert {p["user"] for p in snapshot["presence"]} == {alice_user["id"], bob_user["id"]}
        await next_of(alice, "presence.joined", user=bob_user["id"])

        # An edit on A reaches B, and one on B reaches A, each with its version.
        await alice.send(json.dumps({"type": "node.move", "node": world["node"], "x": 40, "y": 50}))
        moved = await next_of(bob, "node.moved")
        assert (moved["x"], moved["y"], moved["version"]) == (40, 50, 1)
        await bob.send(json.dumps({"type": "node.create", "title": "From B", "x": 5, "y": 5}))
        created = await next_of(alice, "node.created")
        assert created["node"]["title"] == "From B" and created["version"] == 2
        await bob.send(json.dumps({"type": "cursor", "x": 7, "y": 8}))
        assert (await next_of(alice, "cursor"))["user"] == bob_user["id"]

        # B dies without a word: its user leaves A's presence within the TTL and a sweep.
        started = time.monotonic()
        server_b.send_signal(signal.SIGKILL)
        left = await next_of(alice, "presence.left", timeout=30)
        assert left["user"] == bob_user["id"]
        assert time.monotonic() - started < 30
        # A is still fine.
        await alice.send(json.dumps({"type": "resync"}))
        fresh = await next_of(alice, "snapshot")
        assert [p["user"] for p in fresh["presence"]] == [alice_user["id"]]
        assert fresh["version"] == 2
    finally:
        await alice.close()
        if bob is not None:
            bob.transport.abort()
