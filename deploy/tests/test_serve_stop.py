"""When deploy/serve.py stops, gunicorn refuses new connections at once while it finishes
the requests in flight: a connection left waiting unaccepted would be reset at the exit,
after the proxy sent its request down it (a POST then fails with 502; found by the
reliability session's rolling restart). A real serve.py process on SQLite."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.support import LOCALHOST, Server, free_port, serve_command, site_env


def test_a_stopping_server_refuses_new_connections_and_finishes_its_requests(tmp_path: Path):
    port = free_port()
    env = site_env(
        tmp_path,
        "unused",
        port,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # no table is read
        REDIS_URL="",
        TEAMMOA_DRAIN_SECONDS="0.2",
    )
    server = Server(serve_command(), env, port, tmp_path / "serve.log").start()
    # A request in flight when the stop begins: its headers still coming.
    head = f"GET /health/live/ HTTP/1.1\r\nHost: {LOCALHOST}\r\n".encode()
    try:
        slow = socket.create_connection((LOCALHOST, port), timeout=10)
        slow.sendall(head)
        time.sleep(0.5)
        server.terminate()
        time.sleep(1.5)  # past the drain (and gunicorn's loop noticing): finishing only
        assert server.process is not None and server.process.poll() is None
        try:
            late = socket.create_connection((LOCALHOST, port), timeout=2)
        except ConnectionRefusedError:
            refused = True
        else:
            refused = False
            late.close()
        slow.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
        slow.close()
    finally:
        code = server.stop()

    assert refused, "a new connection was accepted by a server that is stopping"
    # The request in flight was answered.
    assert answer.split(b" ", 2)[1] == b"200", answer[:200]
    assert code == 0, server.output
