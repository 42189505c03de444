"""The site run in child processes with an environment the test controls completely."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.support.network import LOCALHOST, free_port

SITE_DIR = Path(__file__).resolve().parents[2]
# Printed before the JSON a child process reports, so other output cannot be mistaken for it.
REPORT_MARKER = "@@report@@"


def clean_env(**variables: str) -> dict[str, str]:
    """An ``env -i``-style environment: only PATH, PYTHONPATH and ``variables``."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(SITE_DIR),
        **variables,
    }


def run_manage(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python manage.py <args>`` in the site directory with exactly ``env``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=SITE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def report_settings(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``code`` in ``manage.py shell`` (so manage.py picks the settings) and return the
    dict it binds to ``report``; fails the test with the child's output otherwise."""
    script = f"import json\n{code}\nprint({REPORT_MARKER!r} + json.dumps(report, default=str))"
    result = run_manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in result.stdout.splitlines():
        if line.startswith(REPORT_MARKER):
            return json.loads(line[len(REPORT_MARKER) :])
    raise AssertionError(f"no report in the output:\n{result.stdout}\n{result.stderr}")


@dataclass
class Reply:
    status: int
    body: bytes
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body)


class DaphneServer:
    """``python -m daphne`` serving ``teammoa_site.asgi:application`` on a free port.

    A context manager: it waits (with a deadline) until the port accepts connections and
    always kills the server on the way out, printing its output if the test failed.
    """

    def __init__(self, env: dict[str, str], log_dir: Path, startup_timeout: float = 30) -> None:
        # Unbuffered, so the server's output is complete when a failing test prints it.
        self.env = {**env, "PYTHONUNBUFFERED": "1"}
        self.port = free_port()
        self.startup_timeout = startup_timeout
        self.log_path = log_dir / f"daphne-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> DaphneServer:
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    LOCALHOST,
                    "-p",
                    str(self.port),
                    "teammoa_site.asgi:application",
                ],
                cwd=SITE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        try:
            self._wait_until_up()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()
        if exc_type is not None:
            print(f"--- daphne output ---\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"daphne exited with {self.process.returncode}:\n{self.output()}"
                )
            with contextlib.suppress(OSError):
                socket.create_connection((LOCALHOST, self.port), timeout=0.2).close()
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"daphne did not listen within {self.startup_timeout} s:\n{self.output()}"
        )

    def _stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def request(
        self, path: str, *, method: str = "GET", host: str | None = None, timeout: float = 10
    ) -> Reply:
        headers = {"Host": host} if host is not None else {}
        connection = http.client.HTTPConnection(LOCALHOST, self.port, timeout=timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        return Reply(response.status, body, time.monotonic() - started)


@contextlib.contextmanager
def two_sites(
    tmp: Path, redis_url: str, seed: str
) -> Iterator[tuple[dict[str, Any], dict[str, str], DaphneServer, DaphneServer]]:
    """Two Daphne processes with the site's development settings sharing a SQLite file and
    ``redis_url`` (channel layer, cache, sessions; prefixes of their own), after migrating
    and running ``seed`` (see :func:`report_settings`): (its report, env, a, b)."""
    prefix = f"teammoa-live-{uuid.uuid4().hex[:8]}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="teammoa_site.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        LOG_FORMAT="plain",
    )
    migrated = run_manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    world = report_settings(seed, env)
    with DaphneServer(env, tmp) as a, DaphneServer(env, tmp) as b:
        yield world, env, a, b
