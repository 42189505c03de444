"""A Redis server of a test's own, on a free port of 127.0.0.1, that the test may stop and
start again (an outage) without touching anyone else's Redis.

``redis-server`` without persistence: after a stop it comes back empty, as a Redis with
no disk would. Needs the ``redis-server`` program and redis-py: mark the test
``@pytest.mark.services("redis-server")`` (the plugin then says what is missing), and::

    with RedisServer() as redis:
        ...  redis.url, redis.stop(), redis.start()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"


class RedisServer:
    """``start()``, ``stop()`` (SIGTERM; its port refuses connections once it returns),
    ``url``; a context manager that stops it and removes its directory at the end."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        self.directory = Path(tempfile.mkdtemp(prefix="teammoa-test-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def _ready(self) -> bool:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self, timeout: float = 20) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
            [
                shutil.which("redis-server") or "redis-server",
                *("--bind", HOST, "--port", str(self.port), "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
