"""Shared pieces of the deploy tests: services, ports, the site in a child process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests import stack
from tests.stack import django_admin, wait_until

DEPLOY_DIR = Path(__file__).resolve().parents[1]
ROOT = DEPLOY_DIR.parent
LOCALHOST = "127.0.0.1"
SECRET_KEY = "deploy-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
DATABASE_URL = os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# Each suite's own Redis database, so the suites never see each other's keys.
DEPLOY_REDIS_DB = 15


def services_required() -> bool:
    return os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip without the thing, unless CI said it must be there: then fail."""
    if condition:
        return
    if services_required():
        pytest.fail(f"{reason} (TEAMMOA_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or LOCALHOST, parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 5, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - test URLs
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# --- MySQL/MariaDB --------------------------------------------------------------------------


def database_url(name: str) -> str:
    return urlparse(DATABASE_URL)._replace(path=f"/{name}").geturl()


def mysql_connect(database: str | None = None) -> Any:
    return stack.mysql_connect(DATABASE_URL, database)


def mysql_cli_args() -> list[str]:
    """Connection options for the mysql/mysqldump command-line clients."""
    parsed = urlparse(DATABASE_URL)
    return [
        f"--host={parsed.hostname or LOCALHOST}",
        f"--port={parsed.port or 3306}",
        f"--user={parsed.username or 'root'}",
        "--protocol=tcp",
    ]


def mysql_env() -> dict[str, str]:
    parsed = urlparse(DATABASE_URL)
    return {
        "DB_HOST": parsed.hostname or LOCALHOST,
        "DB_PORT": str(parsed.port or 3306),
        "DB_USER": parsed.username or "root",
        **({"MYSQL_PWD": parsed.password} if parsed.password else {}),
    }


@contextlib.contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A new, empty utf8mb4 database, dropped afterwards.

    ``TEAMMOA_DEPLOY_DB_SUFFIX`` is appended to the name, so runs from several checkouts
    against one server do not drop each other's databases.
    """
    name += os.environ.get("TEAMMOA_DEPLOY_DB_SUFFIX", "")
    connection = mysql_connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


# --- the site in a child process ----------------------------------------------------------


def site_env(tmp: Path, database: str, port: int | None = None, **extra: str) -> dict[str, str]:
    """The production settings' environment, as the image gets it (tmp for the volumes)."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(database),
        "REDIS_URL": urlparse(REDIS_URL)._replace(path=f"/{DEPLOY_REDIS_DB}").geturl(),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TEAMMOA_DRAIN_FILE": str(tmp / f"draining-{port or 0}"),
        "TEAMMOA_BIND": LOCALHOST,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    if port:
        env["PORT"] = str(port)
        # Daphne's WebSocket port beside gunicorn's (deploy/serve.py).
        env["TEAMMOA_WS_PORT"] = str(free_port())
    env.update(extra)
    return env


def django_script(env: dict[str, str], code: str) -> Any:
    """Run ``code`` in Django's shell; it must print one JSON line starting with ``@@``."""
    out = django_admin(env, "shell", "-c", code)
    lines = [line for line in out.splitlines() if line.startswith("@@")]
    assert lines, out
    return json.loads(lines[-1][2:])


@dataclass
class Server:
    """deploy/serve.py (or the entrypoint) running as a child process."""

    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, ready_timeout: float = 60) -> Server:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        if ready_timeout:
            wait_until(self.live, ready_timeout, f"{self.command[-1]} answering /health/live/")
        return self

    def live(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited with {self.process.returncode}:\n{self.output}")
        return http_get(f"http://{LOCALHOST}:{self.port}/health/live/", timeout=2)[0] == 200

    @property
    def ws_port(self) -> int:
        """Where this server's WebSockets are: Daphne's port beside gunicorn's."""
        return int(self.env.get("TEAMMOA_WS_PORT") or self.port + 1)

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 15) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def serve_command() -> list[str]:
    return [sys.executable, str(DEPLOY_DIR / "serve.py")]


# --- data: a team with a member, an outsider, a post with an attachment and a mindmap -----

ATTACHMENT = b"minutes of the kick-off meeting\n" * 64
TEAM_SETUP = """
import json
from django.core.files.base import ContentFile
from django.test import Client
from teammoa.core.models import Post, PostAttachment
from teammoa.core.testing.factories import host_of, make_team, make_user

member, outsider = make_user("deploy_member"), make_user("deploy_outsider")
team = make_team(host=member, title="Deploy")
post = Post.objects.create(team=team, title="Minutes", body="see attached", author=host_of(team))
attachment = PostAttachment(post=post, name="minutes.txt", size=len(ATTACHMENT))
attachment.file.save("minutes.txt", ContentFile(ATTACHMENT), save=True)
try:
    from teammoa.mindmap.models import Mindmap
    mindmap = Mindmap.objects.create(team=team, title="Plan").pk
except ImportError:
    mindmap = None

def cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

print("@@" + json.dumps({
    "team": team.pk, "post": post.pk, "mindmap": mindmap,
    "stored": attachment.file.name,
    "member": cookie(member), "outsider": cookie(outsider),
}))
"""


def make_team_data(env: dict[str, str]) -> dict[str, Any]:
    """Creates the data above in the database of ``env``; ids and session cookies."""
    return django_script(env, f"ATTACHMENT = {ATTACHMENT!r}\n" + TEAM_SETUP)


async def first_snapshot(ws, timeout: float = 15) -> dict:
    """The ``snapshot`` frame, whatever (presence, batches) comes before it."""
    async with asyncio.timeout(timeout):
        while True:
            frames = json.loads(await ws.recv())
            for frame in frames.get("frames", [frames]) if isinstance(frames, dict) else frames:
                if frame.get("type") == "snapshot":
                    return frame
