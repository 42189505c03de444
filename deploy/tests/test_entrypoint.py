"""deploy/entrypoint.sh and deploy/serve.py against the local MariaDB: the wait for the
database, migrations only when asked, the exec, and the graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.support import (
    DATABASE_URL,
    DEPLOY_DIR,
    LOCALHOST,
    Server,
    first_snapshot,
    free_port,
    http_get,
    make_team_data,
    mysql_connect,
    scratch_database,
    site_env,
    wait_until,
)

ENTRYPOINT = DEPLOY_DIR / "entrypoint.sh"


def tables(database: str) -> set[str]:
    connection = mysql_connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW TABLES")
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


class LateProxy:
    """A TCP port that refuses connections until ``delay`` seconds pass, then forwards
    to MariaDB: a database that is still booting."""

    def __init__(self, delay: float) -> None:
        self.port = free_port()
        self.delay = delay
        target = urlparse(DATABASE_URL)
        self.target = (target.hostname or LOCALHOST, target.port or 3306)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.sockets: list[socket.socket] = []

    def __enter__(self) -> LateProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()

    def run(self) -> None:
        if self.stopping.wait(self.delay):
            return
        with socket.create_server((LOCALHOST, self.port)) as server:
            server.settimeout(0.2)
            while not self.stopping.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(self.target)
                self.sockets += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def database(services) -> Iterator[str]:
    with scratch_database("teammoa_deploy_entrypoint") as name:
        yield name


def entrypoint(tmp_path: Path, env: dict[str, str], port: int) -> Server:
    return Server(["sh", str(ENTRYPOINT)], env, port, tmp_path / "entrypoint.log")


def test_waits_for_a_late_database_migrates_collects_and_execs_the_server(tmp_path, database):
    port = free_port()
    with LateProxy(delay=3) as proxy:
        env = site_env(
            tmp_path,
            database,
            port,
            RUN_MIGRATIONS="1",
            DATABASE_WAIT_TIMEOUT="30",
            DATABASE_URL=f"mysql://root@{LOCALHOST}:{proxy.port}/{database}",
            DJANGO_SUPERUSER_USERNAME="admin",
            DJANGO_SUPERUSER_EMAIL="admin@example.com",
            DJANGO_SUPERUSER_NICKNAME="Admin",
            DJANGO_SUPERUSER_PASSWORD="a-long-admin-password-42",
        )
        started = time.monotonic()
        server = entrypoint(tmp_path, env, port).start(ready_timeout=120)
        try:
            assert time.monotonic() - started >= 3
            # exec: the process we started is now the server itself, not a shell around it.
            cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
            assert any(part.endswith(b"serve.py") for part in cmdline), cmdline
            # Ready once the socket server listens too (a moment after the HTTP server).
            wait_until(
                lambda: http_get(f"http://{LOCALHOST}:{port}/health/")[0] == 200,
                30,
                "/health/ 200",
            )
            assert "django_migrations" in tables(database)
            assert "accounts_user" in tables(database)
            assert (tmp_path / "static" / "staticfiles.json").exists()
            connection = mysql_connect(database)
            with connection.cursor() as cursor:
                cursor.execute("SELECT is_superuser FROM accounts_user WHERE username='admin'")
                assert cursor.fetchall() == ((1,),)
            connection.close()
            assert "wait_for_db" in server.output
        finally:
            assert server.stop() == 0, server.output


def test_does_not_migrate_unless_asked(tmp_path, database):
    port = free_port()
    env = site_env(tmp_path, database, port, COLLECTSTATIC="0")
    server = entrypoint(tmp_path, env, port).start(ready_timeout=60)
    try:
        assert "django_migrations" not in tables(database)
        assert "not migrating" in server.output
        assert not (tmp_path / "static").exists()
        # Without its tables the site is up but the database check still passes (SELECT 1).
        assert http_get(f"http://{LOCALHOST}:{port}/health/live/")[0] == 200
    finally:
        server.stop()


def test_a_multiprocess_metrics_directory_starts_empty(tmp_path, database):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    stale = metrics_dir / "counter_4242.db"  # a worker of the previous container run
    stale.write_bytes(b"left over")
    port = free_port()
    env = site_env(
        tmp_path, database, port, COLLECTSTATIC="0", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    server = entrypoint(tmp_path, env, port).start(ready_timeout=60)
    try:
        assert not stale.exists()
        status, _, body = http_get(f"http://{LOCALHOST}:{port}/metrics")
        assert status == 200, body
        assert b"teammoa_http_requests_total" in body
        assert any(metrics_dir.glob("*.db"))  # the server writes its samples there
    finally:
        server.stop()


def test_fails_clearly_when_the_database_never_comes(tmp_path, services):
    dead = free_port()  # nothing listens here
    env = site_env(
        tmp_path,
        "teammoa_never",
        free_port(),
        RUN_MIGRATIONS="1",
        DATABASE_WAIT_TIMEOUT="3",
        DATABASE_URL=f"mysql://root@{LOCALHOST}:{dead}/teammoa_never",
    )
    started = time.monotonic()
    result = subprocess.run(
        ["sh", str(ENTRYPOINT)], env=env, capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - started

    assert result.returncode != 0
    assert elapsed < 20
    assert "did not answer within 3 s" in result.stderr
    assert f"127.0.0.1:{dead}" in result.stderr
    assert "applying migrations" not in result.stderr


def test_other_commands_are_executed_without_the_start_up(tmp_path):
    env = site_env(tmp_path, "teammoa_never", DATABASE_URL="mysql://root@127.0.0.1:1/none")

    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "python", "-c", "print('hello from the entrypoint')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from the entrypoint\n"


# --- graceful stop ------------------------------------------------------------------------


def test_sigterm_drains_then_closes_sockets_with_1012_and_exits_in_time(tmp_path, database):
    import websockets

    port = free_port()
    env = site_env(tmp_path, database, port, RUN_MIGRATIONS="1", TEAMMOA_DRAIN_SECONDS="1.5")
    server = entrypoint(tmp_path, env, port).start(ready_timeout=120)
    base = f"http://{LOCALHOST}:{port}"
    # Live first, ready once the socket server reports too (its status says "starting"
    # until then): wait for ready as a load balancer does.
    wait_until(lambda: http_get(base + "/health/")[0] == 200, 30, "/health/ saying ready")

    data = make_team_data(env)
    cookie = {"Cookie": f"sessionid={data['member']}"}

    # A kept-open connection, as nginx keeps them to gunicorn.
    kept = http.client.HTTPConnection(LOCALHOST, port, timeout=10)

    def on_kept(path: str) -> tuple[int, str | None]:
        kept.request("GET", path)
        response = kept.getresponse()
        response.read()
        return response.status, response.getheader("Connection")

    before = on_kept("/health/live/")

    async def scenario() -> dict:
        async with websockets.connect(
            f"ws://{LOCALHOST}:{env['TEAMMOA_WS_PORT']}/ws/mindmaps/{data['mindmap']}/",
            # Daphne's own port beside gunicorn's: the origin a browser there would send.
            origin=f"http://{LOCALHOST}:{env['TEAMMOA_WS_PORT']}",
            additional_headers=cookie,
            open_timeout=10,
        ) as ws:
            snapshot = await first_snapshot(ws)
            started = time.monotonic()
            server.terminate()
            await asyncio.sleep(0.5)
            during = await asyncio.to_thread(on_kept, "/health/live/")
            draining = http_get(base + "/health/")
            live = http_get(base + "/health/live/")
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 15)
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
            return {
                "snapshot": snapshot,
                "draining": draining,
                "during": during,
                "live": live[0],
                "closed_after": time.monotonic() - started,
                "code": code,
            }

    started = time.monotonic()
    try:
        result = asyncio.run(scenario())
        exit_code = server.process.wait(10)
        stopped_after = time.monotonic() - started
    finally:
        kept.close()
        server.stop()

    assert result["draining"][0] == 503
    assert json.loads(result["draining"][2])["status"] == "draining"
    # Kept-open connections are still served through the drain.
    assert before == (200, "keep-alive")
    assert result["during"][0] == 200
    assert result["live"] == 200
    assert result["snapshot"]["mindmap"]["id"] == data["mindmap"]
    # The socket stays open through the drain period, then gets "service restart".
    assert result["code"] == 1012
    assert 1.4 <= result["closed_after"] < 5
    assert stopped_after < 8
    assert exit_code == 0, server.output
    assert "signal 15: draining" in server.output
