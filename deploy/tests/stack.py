"""The production stack on this machine, shared by the suites that run it (e2e, reliability):
nginx (deploy/nginx-site.conf, TLS) in front of two app instances (deploy/serve.py with
``teammoa_site.settings.prod``: gunicorn for HTTP, Daphne for ``/ws/``), MariaDB and Redis.

What differs from a real deployment, and why:

- nginx listens on 127.0.0.1 with a throwaway self-signed certificate on a high port
  (clients ignore the certificate error, so cookies stay ``Secure`` and sockets ``wss://``
  exactly as in production);
- ``CSRF_TRUSTED_ORIGINS`` names that port: nginx forwards ``Host`` without the port, as it
  does in production where the port is 443 and the origin carries none;
- e-mail goes to files (``EMAIL_URL=filemail://``) so a test can read the outbox.

Each instance can be stopped (SIGTERM: drain, then stop, as the container runtime does),
killed (SIGKILL) and started again on its ports (:class:`Instance`); ``nginx -s reload``
is :meth:`Stack.reload_nginx`, as the rolling deploy does after each host's health gate.

Suites load this file by its path (:func:`load_sibling`), as it is not in a package they
import: ``deploy/tests`` is the deploy suite's own ``tests`` package.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
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

TESTS_DIR = Path(__file__).resolve().parent
DEPLOY_DIR = TESTS_DIR.parent
ROOT = DEPLOY_DIR.parent
HOST = "127.0.0.1"


def load_sibling(name: str) -> ModuleType:
    """``deploy/tests/<name>.py`` as module ``teammoa_stack_<name>`` (loaded once)."""
    module_name = f"teammoa_stack_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, TESTS_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


nginx_config = load_sibling("nginx_config")
throwaway = load_sibling("throwaway")


@dataclass
class Settings:
    """Where the stack runs: the database (created and dropped by the stack), the Redis
    database, and the ports (``port_base`` + 1..6, or free ports when it is 0)."""

    database_url: str
    redis_url: str
    port_base: int = 0

    @property
    def database_name(self) -> str:
        return urlparse(self.database_url).path.lstrip("/")


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports on 127.0.0.1 (held open together while picked)."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            held.append(sock)
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


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


def mysql_connect(url: str, database: str | None = None) -> Any:
    import MySQLdb

    parsed = urlparse(url)
    kwargs: dict[str, Any] = {
        "host": parsed.hostname or HOST,
        "port": parsed.port or 3306,
        "user": parsed.username or "root",
        "passwd": parsed.password or "",
        "charset": "utf8mb4",
        "connect_timeout": 5,
    }
    if database:
        kwargs["db"] = database
    return MySQLdb.connect(**kwargs)


def _mysql(settings: Settings, statement: str) -> None:
    connection = mysql_connect(settings.database_url)
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
        with contextlib.suppress(Exception):  # a test may have left the server stopped
            _mysql(settings, f"DROP DATABASE IF EXISTS `{name}`")


# The mindmap's presence registry keeps its own, fixed key prefix (not configurable from
# the environment): a previous run's entries for mindmap 1 would show its people here.
PRESENCE_PREFIX = "teammoa:mindmap:presence:"


def forget_redis_keys(url: str, prefix: str) -> None:
    """Delete this stack's keys only (cache, channel layer, presence): other suites use
    other Redis databases, so the index holds nothing else of value."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        for pattern in (f"{prefix}*", f"{PRESENCE_PREFIX}*"):
            for key in client.scan_iter(match=pattern, count=500):
                client.delete(key)
    finally:
        client.close()


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Process:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_running(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.process.returncode}:\n{self.output()[-4000:]}"
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        """Send ``sig`` and wait (SIGKILL after ``timeout``); the exit code."""
        if self.process is None:
            return None
        code = throwaway.end(self.process, sig, timeout)
        self._log.close()
        return code

    def kill(self) -> None:
        """SIGKILL to the process and every descendant (a crashed container: nothing of
        it is left to say goodbye)."""
        if self.process is None or self.process.poll() is not None:
            return
        for pid in [*descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        found += sorted(children)
        frontier = children
    return found


def status(url: str, timeout: float = 2) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class Instance:
    """One app server (``deploy/serve.py``): gunicorn on ``port``, Daphne on ``ws_port``."""

    name: str
    port: int
    ws_port: int
    env: dict[str, str]
    log_path: Path
    process: Process | None = None

    def start(self) -> Instance:
        self.process = Process(
            self.name,
            [sys.executable, str(DEPLOY_DIR / "serve.py")],
            self.env,
            self.log_path,
        ).start()
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def healthy(self) -> bool:
        """Both servers of the instance answer ``/health/`` 200 (the health gate)."""
        if self.process is not None:
            self.process.check_running()
        return all(
            status(f"http://{HOST}:{port}/health/") == 200 for port in (self.port, self.ws_port)
        )

    def wait_healthy(self, timeout: float = 60) -> float:
        """Seconds until the health gate passed."""
        started = time.monotonic()
        wait_until(self.healthy, timeout, f"{self.name} healthy", interval=0.1)
        return time.monotonic() - started

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM (drain, close sockets with 1012, stop), as ``docker stop`` does."""
        return self.process.stop(signal.SIGTERM, timeout) if self.process else None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def pids(self) -> list[int]:
        """The supervisor, gunicorn (master and workers) and Daphne."""
        if not self.running:
            return []
        assert self.process is not None and self.process.process is not None
        return [self.process.process.pid, *descendants(self.process.process.pid)]

    def output(self) -> str:
        return self.process.output() if self.process else ""


@dataclass
class Stack:
    root: Path
    settings: Settings
    env: dict[str, str]
    https_port: int
    http_port: int
    outbox: Path
    media_root: Path
    instances: list[Instance]
    nginx: Process

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    @property
    def processes(self) -> list[Process]:
        return [p for p in (*(i.process for i in self.instances), self.nginx) if p is not None]

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

    def reload_nginx(self) -> None:
        """``nginx -s reload``: new workers with fresh upstream state; the old ones finish
        their requests and sockets."""
        assert self.nginx.process is not None
        self.nginx.process.send_signal(signal.SIGHUP)

    def ready(self) -> bool:
        self.check_running()
        return all(i.healthy() for i in self.instances) and (
            status(f"http://{HOST}:{self.http_port}/health/live/") == 200
        )


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


def redis_prefix(settings: Settings, https_port: int) -> str:
    return f"teammoa-stack-{settings.port_base or https_port}"


def site_env(
    root: Path, settings: Settings, https_port: int, secret_key: str, prefix: str
) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": os.environ.get("HOME", str(root)),
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{https_port}",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "CHANNEL_LAYER_PREFIX": prefix,
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "EMAIL_URL": f"filemail:///{root / 'outbox'}",
        "TEAMMOA_BIND": HOST,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def running_stack(
    root: Path,
    settings: Settings,
    *,
    secret_key: str,
    env: dict[str, str] | None = None,
    instance_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Migrate, collect static files, start two app servers and nginx; stop them all after.

    ``env`` is added to every process's environment (migrate included); ``instance_env``
    only to the app servers' (e.g. ``TEAMMOA_DRAIN_SECONDS``).
    """
    root.mkdir(parents=True, exist_ok=True)
    base = settings.port_base
    ports = [base + n for n in range(1, 7)] if base else free_ports(6)
    # Each app server: plain HTTP (gunicorn) on one port, WebSockets (Daphne) on the next.
    app_ports, ws_ports = [ports[0], ports[4]], [ports[1], ports[5]]
    https_port, http_port = ports[2], ports[3]
    prefix = redis_prefix(settings, https_port)
    site = {**site_env(root, settings, https_port, secret_key, prefix), **(env or {})}
    (root / "outbox").mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(scratch_database(settings))
        forget_redis_keys(settings.redis_url, prefix)

        def forget() -> None:
            with contextlib.suppress(Exception):  # a test may have left Redis stopped
                forget_redis_keys(settings.redis_url, prefix)

        cleanup.callback(forget)
        django_admin(site, "migrate", "--noinput")
        django_admin(site, "collectstatic", "--noinput", "--verbosity", "0")
        instances = []
        for number, (port, ws_port) in enumerate(zip(app_ports, ws_ports, strict=True), 1):
            instance = Instance(
                f"web{number}",
                port,
                ws_port,
                {
                    **site,
                    "PORT": str(port),
                    "TEAMMOA_WS_PORT": str(ws_port),
                    "TEAMMOA_DRAIN_FILE": str(root / f"draining-{port}"),
                    **(instance_env or {}),
                },
                root / f"web{number}.log",
            )
            cleanup.callback(instance.stop)
            instances.append(instance.start())
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
        nginx.start()
        stack = Stack(
            root,
            settings,
            site,
            https_port,
            http_port,
            root / "outbox",
            root / "media",
            instances,
            nginx,
        )
        wait_until(stack.ready, 60, "the app servers and nginx answering")
        yield stack
