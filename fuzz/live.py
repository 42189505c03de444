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


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports (held open together while they are picked)."""
    candidates: list[int] = [0] * count
    if PORTS:
        first, _dash, last = PORTS.partition("-")
        candidates = list(range(int(first), int(last or first) + 1))
    held: list[socket.socket] = []
    try:
        for port in candidates:
            sock = socket.socket()
            try:
                sock.bind((LOCALHOST, port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
            if len(held) == count:
                return [s.getsockname()[1] for s in held]
    finally:
        for sock in held:
            sock.close()
    raise RuntimeError(f"not {count} free ports in {PORTS or 'the ephemeral range'}")


def database_url() -> str:
    return urlparse(DATABASE_URL)._replace(path=f"/{DATABASE_NAME}").geturl()


def redis_url() -> str:
    return urlparse(REDIS_URL)._replace(path=f"/{REDIS_DB}").geturl()


def site_env(tmp: Path, port: int, ws_port: int) -> dict[str, str]:
    """The production environment, as the image gets it, plus the fuzz settings module.

    deploy/serve.py's default layout, as in production: gunicorn serves HTTP on ``port``,
    Daphne the WebSockets on ``ws_port`` (nginx's ``/ws/`` route goes there).
    """
    origin = f"{LOCALHOST}:{port}"
    return {
        "DJANGO_SETTINGS_MODULE": "fuzz_settings",
        "PYTHONPATH": os.pathsep.join([str(FUZZ_DIR), os.environ.get("PYTHONPATH", "")]),
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{LOCALHOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://{origin},https://{LOCALHOST}:{ws_port}",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "CACHE_KEY_PREFIX": "fuzz",
        "CHANNEL_LAYER_PREFIX": "fuzz",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TEAMMOA_DRAIN_FILE": str(tmp / "draining"),
        "TEAMMOA_BIND": LOCALHOST,
        "PORT": str(port),
        "TEAMMOA_WS_PORT": str(ws_port),
        # Only errors reach the log, so the log itself is a check: it must stay empty.
        "LOG_LEVEL": "ERROR",
        # Plain lines rather than production's JSON: the harness and a person read them.
        "LOG_FORMAT": "plain",
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
    ws_port: int
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
        return f"ws://{LOCALHOST}:{self.ws_port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def healthy(self) -> bool:
        return self.alive() and http_get(f"{self.base_url}/health/live/", timeout=3) == 200

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes (gunicorn, Daphne and the
        supervisor) have used so far, from /proc."""
        if not self.alive():
            return 0.0
        stats: dict[int, list[str]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError):
                continue
        tree, grew = {self.process.pid}, True
        while grew:
            children = {pid for pid, f in stats.items() if int(f[1]) in tree} - tree
            tree |= children
            grew = bool(children)
        ticks = sum(int(stats[pid][11]) + int(stats[pid][12]) for pid in tree if pid in stats)
        return ticks / os.sysconf("SC_CLK_TCK")

    def sockets_listening(self) -> bool:
        with socket.create_connection((LOCALHOST, self.ws_port), timeout=2):
            return True

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
    port, ws_port = free_ports(2)
    env = site_env(Path(tmp.name), port, ws_port)
    live = Live(
        port=port, ws_port=ws_port, env=env, tmp=tmp, log_path=Path(tmp.name) / "server.log"
    )
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
            if live.healthy() and live.sockets_listening():
                return live
        except OSError:
            pass
        time.sleep(0.2)
    live.stop()
    raise RuntimeError(f"the server did not answer /health/live/ within 60 s:\n{live.log()}")
