"""The site under fuzz: its own MariaDB database and Redis index, seeded teams, and
``deploy/serve.py`` on the production settings, in a child process on a free port.

Everything here is started by :func:`start` and undone by :meth:`Live.stop`.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

FUZZ_DIR = Path(__file__).resolve().parent
ROOT = FUZZ_DIR.parent
LOCALHOST = "127.0.0.1"
SECRET_KEY = "fuzz-session-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN"  # noqa: S105 - a throwaway test key
DATABASE_URL = os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# The session's own database and Redis index, so it never meets another suite's data.
DATABASE_NAME = os.environ.get("TEAMMOA_FUZZ_DATABASE", "teammoa_fuzz")
REDIS_DB = int(os.environ.get("TEAMMOA_FUZZ_REDIS_DB", "10"))
# Optional "first-last" range to take the server's port from (else any free port).
PORTS = os.environ.get("TEAMMOA_FUZZ_PORTS", "")
# What nginx adds in production: the server trusts it (deploy/serve.py), so the production
# settings' HTTPS redirect and secure cookies behave as they do behind the proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
TEAM_PASSWORD = "fuzz-team-pass"  # noqa: S105 - seeded test data


def services_required() -> bool:
    return os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def unreachable(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    host, port = parsed.hostname or LOCALHOST, parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc})"


def missing_services() -> str | None:
    problems = [
        f"{what} at {problem}"
        for what, problem in (
            ("MySQL/MariaDB", unreachable(DATABASE_URL, 3306)),
            ("Redis", unreachable(REDIS_URL, 6379)),
        )
        if problem
    ]
    return "; ".join(problems) or None


def free_port() -> int:
    candidates: list[int] = [0]
    if PORTS:
        first, _dash, last = PORTS.partition("-")
        candidates = list(range(int(first), int(last or first) + 1))
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind((LOCALHOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in {PORTS}")


def database_url() -> str:
    return urlparse(DATABASE_URL)._replace(path=f"/{DATABASE_NAME}").geturl()


def redis_url() -> str:
    return urlparse(REDIS_URL)._replace(path=f"/{REDIS_DB}").geturl()


def site_env(tmp: Path, port: int) -> dict[str, str]:
    """The production environment, as the image gets it, plus the fuzz settings module."""
    origin = f"{LOCALHOST}:{port}"
    return {
        "DJANGO_SETTINGS_MODULE": "fuzz_settings",
        "PYTHONPATH": os.pathsep.join([str(FUZZ_DIR), os.environ.get("PYTHONPATH", "")]),
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{LOCALHOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://{origin}",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "CACHE_KEY_PREFIX": "fuzz",
        "CHANNEL_LAYER_PREFIX": "fuzz",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TEAMMOA_DRAIN_FILE": str(tmp / "draining"),
        "TEAMMOA_BIND": LOCALHOST,
        "PORT": str(port),
        # Only errors reach the log, so the log itself is a check: it must stay empty.
        "LOG_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }


def _mysql() -> Any:
    import MySQLdb

    parsed = urlparse(DATABASE_URL)
    return MySQLdb.connect(
        host=parsed.hostname or LOCALHOST,
        port=parsed.port or 3306,
        user=parsed.username or "root",
        passwd=parsed.password or "",
        charset="utf8mb4",
    )


def _database(action: str) -> None:
    connection = _mysql()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE_NAME}`")
            if action == "create":
                cursor.execute(
                    f"CREATE DATABASE `{DATABASE_NAME}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
    finally:
        connection.close()


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(redis_url())
    try:
        client.flushdb()
    finally:
        client.close()


def http_get(url: str, timeout: float = 5) -> int:
    request = urllib.request.Request(url, headers=PROXY_HEADERS)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class Live:
    """The running server and what was seeded for it."""

    port: int
    env: dict[str, str]
    tmp: tempfile.TemporaryDirectory
    log_path: Path
    world: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    started: float = field(default_factory=time.monotonic)
    stopped: bool = False
    exit_code: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOCALHOST}:{self.port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self) -> bool:
        return self.alive() and http_get(f"{self.base_url}/health/live/", timeout=3) == 200

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far."""
        if not self.alive():
            return 0.0
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> int | None:
        if self.stopped:
            return self.exit_code
        self.stopped = True
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            code = self.process.returncode
            self.process = None
        if not os.environ.get("TEAMMOA_FUZZ_KEEP"):
            _database("drop")
            _flush_redis()
        self.tmp.cleanup()
        self.exit_code = code
        return code


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"django-admin {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def start() -> Live:
    """A fresh database, migrated and seeded; the server up and answering."""
    tmp = tempfile.TemporaryDirectory(prefix="teammoa-fuzz-")
    port = free_port()
    env = site_env(Path(tmp.name), port)
    live = Live(port=port, env=env, tmp=tmp, log_path=Path(tmp.name) / "server.log")
    # However pytest ends, the server, the database and the Redis index go with it.
    atexit.register(live.stop)
    _database("create")
    _flush_redis()
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    # This process talks to the same database, to seed it and to check it afterwards.
    os.environ.update(env)
    sys.path.insert(0, str(FUZZ_DIR))
    import django

    django.setup()
    from seed import seed_world

    live.world = seed_world()
    with live.log_path.open("wb") as log:
        live.process = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "serve.py")],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not live.alive():
            raise RuntimeError(f"the server exited:\n{live.log()}")
        try:
            if live.healthy():
                return live
        except OSError:
            pass
        time.sleep(0.2)
    live.stop()
    raise RuntimeError(f"the server did not answer /health/live/ within 60 s:\n{live.log()}")
