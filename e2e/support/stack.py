"""The production stack on this machine: nginx (deploy/nginx-site.conf, TLS) in front of two
app servers (deploy/serve.py, ``teammoa_site.settings.prod``), MariaDB and Redis.

What differs from a real deployment, and why:

- nginx listens on 127.0.0.1 with a throwaway self-signed certificate on a high port (the
  browser context ignores the certificate error, so cookies stay ``Secure`` and sockets
  ``wss://`` exactly as in production);
- ``CSRF_TRUSTED_ORIGINS`` names that port: nginx forwards ``Host`` without the port, as it
  does in production where the port is 443 and the origin carries none; for the same
  reason absolute links the site writes (the invite link, e-mailed links) name no port,
  and the journeys follow them on this stack's origin (``on_stack``);
- e-mail goes to files (``EMAIL_URL=filemail://``) so the journey can read the
  confirmation link from the outbox.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

E2E_DIR = Path(__file__).resolve().parents[1]
ROOT = E2E_DIR.parent
DEPLOY_DIR = ROOT / "deploy"
HOST = "127.0.0.1"
SECRET_KEY = "e2e-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN"  # noqa: S105


def _load_nginx_config() -> ModuleType:
    """deploy/tests/nginx_config.py renders the production nginx file for this machine."""
    path = DEPLOY_DIR / "tests" / "nginx_config.py"
    spec = importlib.util.spec_from_file_location("teammoa_e2e_nginx_config", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


nginx_config = _load_nginx_config()


@dataclass
class Settings:
    """Where the stack runs; every value comes from the environment the nox session sets."""

    database_url: str
    redis_url: str
    port_base: int

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get(
                "DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa_e2e_suite"
            ),
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8"),
            port_base=int(os.environ.get("TEAMMOA_E2E_PORT_BASE", "18800")),
        )

    @property
    def database_name(self) -> str:
        return urlparse(self.database_url).path.lstrip("/")


def on_stack(url: str) -> str:
    """A link the site wrote (without this stack's port), as a path the browser follows."""
    parsed = urlparse(url)
    assert parsed.hostname in {HOST, "localhost"}, url
    return parsed._replace(scheme="", netloc="").geturl()


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as exc:  # not yet
            last = exc
        else:
            if result:
                return result
            last = result
        time.sleep(interval)
    raise AssertionError(f"{what} within {timeout:g} s (last: {last!r})")


def _mysql(settings: Settings, statement: str) -> None:
    import MySQLdb

    parsed = urlparse(settings.database_url)
    connection = MySQLdb.connect(
        host=parsed.hostname or HOST,
        port=parsed.port or 3306,
        user=parsed.username or "root",
        passwd=parsed.password or "",
        charset="utf8mb4",
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextlib.contextmanager
def scratch_database(settings: Settings) -> Iterator[None]:
    name = settings.database_name
    _mysql(settings, f"DROP DATABASE IF EXISTS `{name}`")
    _mysql(
        settings,
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    )
    try:
        yield
    finally:
        _mysql(settings, f"DROP DATABASE IF EXISTS `{name}`")


# The mindmap's presence registry keeps its own, fixed key prefix (not configurable from
# the environment): a previous run's entries for mindmap 1 would show its people here.
PRESENCE_PREFIX = "teammoa:mindmap:presence:"


def _forget_redis_keys(url: str, prefix: str) -> None:
    """Delete this stack's keys only (cache, channel layer, presence): other suites use
    other Redis databases, so the index holds nothing else of value."""
    import redis

    client = redis.Redis.from_url(url)
    for pattern in (f"{prefix}*", f"{PRESENCE_PREFIX}*"):
        for key in client.scan_iter(match=pattern, count=500):
            client.delete(key)


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Process:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def check_running(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.process.returncode}:\n{self.output()}"
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@dataclass
class Stack:
    root: Path
    settings: Settings
    env: dict[str, str]
    https_port: int
    outbox: Path
    media_root: Path
    processes: list[Process]

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def django(self, *args: str, timeout: float = 300) -> str:
        return django_admin(self.env, *args, timeout=timeout)

    def script(self, code: str) -> Any:
        """Run ``code`` in Django's shell; it prints one JSON line starting with ``@@``."""
        out = self.django("shell", "-c", code)
        lines = [line for line in out.splitlines() if line.startswith("@@")]
        assert lines, out
        return json.loads(lines[-1][2:])

    def check_running(self) -> None:
        for process in self.processes:
            process.check_running()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)


def django_admin(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"django-admin {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def redis_prefix(settings: Settings) -> str:
    return f"teammoa-e2e-{settings.port_base}"


def site_env(root: Path, settings: Settings, https_port: int) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": os.environ.get("HOME", str(root)),
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{https_port}",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CACHE_KEY_PREFIX": redis_prefix(settings),
        "CHANNEL_LAYER_PREFIX": redis_prefix(settings),
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "EMAIL_URL": f"filemail:///{root / 'outbox'}",
        "TEAMMOA_BIND": HOST,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def running_stack(root: Path, settings: Settings | None = None) -> Iterator[Stack]:
    """Migrate, collect static files, start two app servers and nginx; stop them all after."""
    settings = settings or Settings.from_env()
    root.mkdir(parents=True, exist_ok=True)
    base = settings.port_base
    # Each app server: plain HTTP (gunicorn) on one port, WebSockets (Daphne) on the next.
    app_ports, ws_ports = [base + 1, base + 5], [base + 2, base + 6]
    http_port, https_port = base + 4, base + 3
    env = site_env(root, settings, https_port)
    (root / "outbox").mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    processes: list[Process] = []
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(scratch_database(settings))
        _forget_redis_keys(settings.redis_url, redis_prefix(settings))
        cleanup.callback(_forget_redis_keys, settings.redis_url, redis_prefix(settings))
        django_admin(env, "migrate", "--noinput")
        django_admin(env, "collectstatic", "--noinput", "--verbosity", "0")
        for number, (port, ws_port) in enumerate(zip(app_ports, ws_ports, strict=True), 1):
            server = Process(
                f"web{number}",
                [sys.executable, str(DEPLOY_DIR / "serve.py")],
                {
                    **env,
                    "PORT": str(port),
                    "TEAMMOA_WS_PORT": str(ws_port),
                    "TEAMMOA_DRAIN_FILE": str(root / f"draining-{port}"),
                    "TEAMMOA_DRAIN_SECONDS": "0",
                },
                root / f"web{number}.log",
            )
            cleanup.callback(server.stop)
            processes.append(server.start())
        layout = nginx_config.Layout(
            root=root / "nginx",
            http_port=http_port,
            https_port=https_port,
            upstreams=app_ports,
            ws_upstreams=ws_ports,
            static_root=root / "static",
            media_root=root / "media",
        )
        conf = nginx_config.write_config(layout)
        nginx = Process(
            "nginx",
            nginx_config.nginx_command(conf, "-g", "daemon off;"),
            dict(os.environ),
            root / "nginx.log",
        )
        cleanup.callback(nginx.stop, signal.SIGQUIT)
        processes.append(nginx.start())
        stack = Stack(root, settings, env, https_port, root / "outbox", root / "media", processes)

        def up() -> bool:
            stack.check_running()
            for port in app_ports:
                if _status(f"http://{HOST}:{port}/health/") != 200:
                    return False
            return _status(f"http://{HOST}:{http_port}/health/live/") == 200

        wait_until(up, 60, "the app servers and nginx answering")
        yield stack


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
