"""Run TeamMoa in production, with a bounded, graceful stop.

``python serve.py`` serves the site on ``$TEAMMOA_BIND:$PORT`` (default ``0.0.0.0:8000``).
The servers' own proxy-header handling stays off: Daphne's would believe
``X-Forwarded-For`` from any peer (and take its left-most, client-written address). The
application believes those headers only from ``TRUSTED_PROXIES`` (``teammoa_site.proxy``,
for the ASGI and the WSGI entry points alike). Two layouts, chosen by ``TEAMMOA_SERVER``:

``gunicorn`` (the default; docs/benchmarks.md has the measurements)
    plain HTTP from gunicorn on ``$PORT`` (``TEAMMOA_HTTP_WORKERS`` processes, default 1,
    of ``TEAMMOA_HTTP_THREADS`` threads, default 8, each thread keeping one database
    connection open for ``DATABASE_CONN_MAX_AGE`` seconds, default 300), and WebSockets
    from Daphne on ``$TEAMMOA_WS_PORT`` (default ``$PORT + 1``); nginx sends ``/ws/``
    there and everything else to ``$PORT``. This process supervises the two: if either
    dies, the other is stopped and this process exits non-zero, so the container restarts.
``daphne``
    everything from one Daphne process on ``$PORT``, as before.

Each server process warms up before it accepts a connection (``teammoa_site.warmup``: a
few anonymous pages through the application), so ``/health/``, answered by that process,
says healthy only once its first real request will not stall for the imports and
templates a cold process loads.

When SIGTERM (or SIGINT) arrives:

1. the drain file (``TEAMMOA_DRAIN_FILE``) is created, so ``/health/`` answers 503
   "draining" and load balancers stop sending new work, while requests are still served;
2. after ``TEAMMOA_DRAIN_SECONDS`` (default 2) the listening sockets close and every open
   WebSocket gets a close frame with ``TEAMMOA_WS_CLOSE_CODE`` (default 1012, "service
   restart": clients reconnect, landing on another instance); gunicorn finishes the
   requests in flight;
3. the process exits as soon as no request or socket is left, or after
   ``TEAMMOA_STOP_TIMEOUT`` seconds (default 5) at the latest.

A second signal skips straight to step 2. With the defaults the container is gone within
about 7 seconds, well inside Docker's 10-second stop grace period.

The servers' own access logs are off: the app logs each HTTP request once at INFO with its
request id (``teammoa.request``); the ``teammoa.access`` logger here has WebSocket events at
INFO and the servers' view of HTTP requests (health probes included) at DEBUG.

The socket server watches its own socket path (``teammoa.mindmap.health``): it writes
its status every second to ``TEAMMOA_MINDMAP_STATUS_FILE`` (a fresh temporary file unless
set), which ``/health/`` reads in whichever process answers it, so a stalled hub, presence
registry or writer turns ``/health/`` 503 naming it within seconds and load balancers
drain the instance. A part stalled for ``TEAMMOA_WS_WEDGED_SECONDS`` (default 30) makes the
socket server stop (its sockets closed with the restart code) and exit with status 70;
the supervisor then starts a new one, as it does when the status file stops changing for
that long (a process too wedged to exit: it is killed). More than ``RESTARTS_ALLOWED``
such restarts within ten minutes stop everything, for the container to be restarted.

With two servers (and gunicorn's workers) the processes share their Prometheus metrics
through ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary directory unless set; emptied at
start), so ``/metrics`` on either port reports all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from pprint import pformat
from typing import Any

logger = logging.getLogger("teammoa.serve")
access_logger = logging.getLogger("teammoa.access")

HEALTH_PREFIX = "/health/"
# 1001 "going away" and 1012 "service restart" are what a server says when it leaves.
ALLOWED_CLOSE_CODES = {1001, 1012}
# Connections waiting to be accepted (the kernel caps it at net.core.somaxconn).
LISTEN_BACKLOG = 1024
# The socket server's exit status when its socket path stopped making progress.
EXIT_WEDGED = 70
RESTARTS_ALLOWED = 5
RESTART_WINDOW = 600.0
# Until the socket server's first report, the supervisor's own says "starting".
STARTING_GRACE = 60.0


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        sys.exit(f"serve.py: {name} must be a number of seconds, not {value!r}")


class AccessLog:
    """Daphne's ``action_logger``: one line per request or socket event."""

    def __call__(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        path = details.get("path") or ""
        # Each HTTP request is logged once at INFO by the app (teammoa.request, with its
        # request id); here only socket events and, below INFO, the server's own view.
        quiet = path.startswith(HEALTH_PREFIX) or protocol == "http"
        level = logging.DEBUG if quiet else logging.INFO
        if not access_logger.isEnabledFor(level):
            return
        client = details.get("client") or "-"
        if protocol == "http" and action == "complete":
            access_logger.log(
                level,
                '%s "%s %s" %s %s %.3fs',
                client,
                details.get("method", "-"),
                path,
                details.get("status", "-"),
                details.get("size", "-"),
                details.get("time_taken", 0.0),
            )
        elif protocol == "websocket":
            access_logger.log(level, "%s websocket %s %s", client, action, path)


class GracefulStop:
    """The three-step stop described in the module docstring, driven by the reactor."""

    def __init__(self, server: Any, drain_file: str, drain: float, timeout: float, code: int):
        self.server = server
        self.drain_file = drain_file
        self.drain = drain
        self.timeout = timeout
        self.code = code
        self.ports: list[Any] = []
        self.started: float | None = None
        self.closing = False
        self.exit_code = 0

    def signalled(self, signum: int) -> None:
        from twisted.internet import reactor

        if self.started is not None:
            logger.warning("signal %s again: closing connections now", signum)
            reactor.callLater(0, self.close_connections)
            return
        self.started = time.monotonic()
        logger.info(
            "signal %s: draining for %gs, then closing sockets with %s",
            signum,
            self.drain,
            self.code,
        )
        if self.drain_file:
            try:
                Path(self.drain_file).touch()
            except OSError as exc:
                logger.error("cannot create the drain file %s: %s", self.drain_file, exc)
        reactor.callLater(self.drain, self.close_connections)

    def close_connections(self) -> None:
        from daphne.ws_protocol import WebSocketProtocol
        from twisted.internet import reactor

        if self.closing:
            return
        self.closing = True
        for port in self.ports:
            port.stopListening()
        closed = 0
        for protocol, details in list(self.server.connections.items()):
            if "disconnected" in details or not isinstance(protocol, WebSocketProtocol):
                continue
            if protocol.state == protocol.STATE_OPEN:
                # sendClose() only allows 1000 and 3000-4999; 1012 needs the frame itself.
                protocol.sendCloseFrame(code=self.code, reasonUtf8=b"server restarting")
                closed += 1
            elif protocol.state == protocol.STATE_CONNECTING:
                protocol.dropConnection(abort=True)
        logger.info("stopped listening; closing %d WebSocket(s)", closed)
        reactor.callLater(0.1, self.wait_for_idle)

    def open_connections(self) -> int:
        """Requests and sockets still connected, or whose application is still running."""
        busy = 0
        for details in self.server.connections.values():
            instance = details.get("application_instance")
            if "disconnected" not in details or (instance is not None and not instance.done()):
                busy += 1
        return busy

    def wait_for_idle(self) -> None:
        from twisted.internet import reactor

        started = self.started if self.started is not None else time.monotonic()
        remaining = self.open_connections()
        elapsed = time.monotonic() - started
        if remaining and elapsed < self.drain + self.timeout:
            reactor.callLater(0.1, self.wait_for_idle)
            return
        if remaining:
            logger.warning("stopping with %d connection(s) still open", remaining)
        logger.info("stopped after %.1fs", elapsed)
        self.server.stop()


def leave_bodies_to_the_application() -> None:
    """Stop Twisted parsing form bodies before Daphne hands them on.

    Every twisted.web request parses a POSTed multipart or urlencoded body into
    ``request.args``, which Daphne never reads: a second copy of every upload in memory
    and, for a malformed multipart body, a bare "400 Bad Request" and a dropped
    connection instead of the application's answer naming the problem. Twisted turns
    this off per request (``parsePOSTFormSubmission``); Daphne does not, so its request
    class is replaced here by one that does.
    """
    from daphne import http_protocol

    if getattr(http_protocol.WebRequest, "teammoa_leaves_bodies", False):
        return

    class WebRequest(http_protocol.WebRequest):
        teammoa_leaves_bodies = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._parsePOSTFormSubmission = False

    http_protocol.WebRequest = WebRequest


class _FormattedWhenWritten:
    """What Autobahn hands a debug log call, formatted only if the line is written."""

    __slots__ = ("args", "function")

    def __init__(self, function: Any, *args: Any) -> None:
        self.function, self.args = function, args

    def __format__(self, spec: str) -> str:
        return format(self.function(*self.args), spec)

    def __str__(self) -> str:
        return str(self.function(*self.args))

    __repr__ = __str__


def format_socket_logs_lazily() -> None:
    """Stop Autobahn formatting debug lines that nobody writes.

    Autobahn passes ``pformat(options)`` for every new socket and ``hltype(...)`` /
    ``hlval(...)`` (ANSI-coloured through click) for every frame it sends or receives to
    its debug log calls, formatted whether or not debug lines are written: 7 % of the
    event loop's time while a thousand sockets connected at once, over a quarter of it
    while fifty plain protocol-v1 editors streamed cursors (py-spy, 2026-12-07). In
    Autobahn's socket modules these names are only ever log arguments; they are now
    formatted only if the line is written.
    """
    from autobahn.twisted import websocket as twisted_websocket
    from autobahn.websocket import protocol

    if getattr(protocol, "teammoa_formats_lazily", False):
        return
    for module in (protocol, twisted_websocket):
        for name in ("pformat", "hltype", "hlval"):
            eager = getattr(module, name, None)
            if eager is not None:
                setattr(module, name, partial(_FormattedWhenWritten, eager))
    # The one use that is no log argument: a str() of the timings (tracked on request).
    eager_pformat = pformat
    protocol.Timings.__str__ = lambda timings: eager_pformat(timings._timings)
    protocol.teammoa_formats_lazily = True


def send_prebuilt_frames() -> None:
    """Offer core's ``teammoa.websocket.frames`` extension on Daphne's sockets.

    A ``websocket.send_frames`` message carries text frames built once for every socket
    of a mindmap (``teammoa.core.websocket.frames``); they are written as they are, in
    one go, instead of framing each message again for each socket: with fifty plain
    protocol-v1 editors, Autobahn's framing was a third of the event loop's time.
    """
    from daphne import ws_protocol

    protocol_class = ws_protocol.WebSocketProtocol
    if getattr(protocol_class, "teammoa_sends_frames", False):
        return
    from teammoa.core.websocket.frames import SEND_FRAMES

    handle_reply = protocol_class.handle_reply

    def handle(self: Any, message: dict[str, Any]) -> None:
        if message.get("type") != SEND_FRAMES:
            handle_reply(self, message)
        elif self.state == self.STATE_OPEN:  # closing or closed: dropped, as autobahn does
            self.sendData(message["frames"])
        elif self.state == self.STATE_CONNECTING:
            raise ValueError("Socket has not been accepted, so cannot send over it")

    protocol_class.handle_reply = handle
    protocol_class.teammoa_sends_frames = True


def build_server() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    # Importing daphne.server installs the asyncio reactor Daphne needs, before anything
    # else can install Twisted's default one.
    from daphne.server import Server

    leave_bodies_to_the_application()
    format_socket_logs_lazily()

    from teammoa_site.asgi import application  # sets Django up (and its LOGGING)
    from teammoa_site.warmup import warm

    # Before listening, so /health/ cannot answer before the process is warm.
    warm()

    bind = os.environ.get("TEAMMOA_BIND", "0.0.0.0")  # noqa: S104 - a container's port
    port = int(os.environ.get("PORT", "8000"))
    code = int(os.environ.get("TEAMMOA_WS_CLOSE_CODE", "1012"))
    if code not in ALLOWED_CLOSE_CODES:
        sys.exit(f"serve.py: TEAMMOA_WS_CLOSE_CODE must be one of {sorted(ALLOWED_CLOSE_CODES)}")

    from django.conf import settings

    drain_file = getattr(settings, "TEAMMOA_DRAIN_FILE", "") or ""
    if drain_file:
        # A restarted container keeps its /tmp: a stale file would report draining forever.
        Path(drain_file).unlink(missing_ok=True)

    send_prebuilt_frames()
    from teammoa.core.websocket.frames import EXTENSION

    class TeamMoaServer(Server):
        def listen_success(self, port: Any) -> None:
            stopper.ports.append(port)
            super().listen_success(port)

        def create_application(self, protocol: Any, scope: dict[str, Any]) -> Any:
            if scope.get("type") == "websocket":
                scope["extensions"] = {**(scope.get("extensions") or {}), EXTENSION: {}}
            return super().create_application(protocol, scope)

    server = TeamMoaServer(
        application=application,
        # Twisted listens with a backlog of 50: a rolling restart moving a thousand
        # sockets here at once overflowed it, and some handshakes were dropped unanswered.
        endpoints=[f"tcp:port={port}:interface={bind}:backlog={LISTEN_BACKLOG}"],
        signal_handlers=False,
        action_logger=AccessLog(),
        http_timeout=_env_float("TEAMMOA_HTTP_TIMEOUT", 120) or None,
        websocket_timeout=int(_env_float("TEAMMOA_WEBSOCKET_TIMEOUT", 86400)),
        websocket_connect_timeout=20,
        # Autobahn drops a handshake not completed within this (Daphne's default is 5 s)
        # without any answer; a burst of a thousand sockets takes longer than that.
        websocket_handshake_timeout=20,
        ping_interval=20,
        ping_timeout=30,
        verbosity=0,
        application_close_timeout=5,
        server_name="teammoa",
        ready_callable=lambda: ready(stopper, bind, port),
    )
    stopper = GracefulStop(
        server,
        drain_file=drain_file,
        drain=_env_float("TEAMMOA_DRAIN_SECONDS", 2.0),
        timeout=_env_float("TEAMMOA_STOP_TIMEOUT", 5.0),
        code=code,
    )
    server.stopper = stopper  # its exit_code is the process's (EXIT_WEDGED)
    return server


def run_socket_server() -> None:
    server = build_server()
    server.run()
    sys.exit(server.stopper.exit_code)


def ready(stopper: GracefulStop, bind: str, port: int) -> None:
    loop = asyncio.get_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopper.signalled, signum)
    watch_socket_path(loop, stopper)
    logger.info("serving on %s:%s (pid %s)", bind, port, os.getpid())


def watch_socket_path(loop: Any, stopper: GracefulStop) -> None:
    """Report the socket path's progress; stop and exit 70 when it stays stalled."""
    try:
        from teammoa.mindmap.health import start_reporting
    except ImportError:  # a site without the mindmap app has no socket path to watch
        return

    def wedged(what: str) -> None:
        logger.critical("the socket path is wedged (%s): stopping for a restart", what)
        # The graceful stop, if the loop still runs; an exit in any case.
        os.kill(os.getpid(), signal.SIGTERM)
        limit = stopper.drain + stopper.timeout + 2
        threading.Timer(limit, os._exit, args=(EXIT_WEDGED,)).start()
        stopper.exit_code = EXIT_WEDGED

    start_reporting(
        os.environ.get("TEAMMOA_MINDMAP_STATUS_FILE") or None,
        loop=loop,
        on_wedged=wedged,
        wedged_after=_env_float("TEAMMOA_WS_WEDGED_SECONDS", 30.0),
    )


# --- plain HTTP: gunicorn ------------------------------------------------------------------


def run_http() -> None:
    """gunicorn in this process: bounded threads, kept-open connections, drain on SIGTERM."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter
    from gunicorn.glogging import Logger

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    # One connection per thread, bounded by workers x threads (SPEC section 7).
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "300")
    bind = os.environ.get("TEAMMOA_BIND", "0.0.0.0")  # noqa: S104 - a container's port
    port = int(os.environ.get("PORT", "8000"))
    drain = _env_float("TEAMMOA_DRAIN_SECONDS", 2.0)
    timeout = _env_float("TEAMMOA_STOP_TIMEOUT", 5.0)
    drain_file = os.environ.get("TEAMMOA_DRAIN_FILE", "")

    class AccessLogger(Logger):
        """The ``teammoa.access`` lines Daphne's AccessLog writes, for gunicorn."""

        def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
            path = environ.get("PATH_INFO", "")
            level = logging.DEBUG  # the app logs the request at INFO (teammoa.request)
            if access_logger.isEnabledFor(level):
                access_logger.log(
                    level,
                    '%s "%s %s" %s %s %.3fs',
                    environ.get("REMOTE_ADDR", "-"),
                    environ.get("REQUEST_METHOD", "-"),
                    path,
                    getattr(resp, "status_code", "-"),
                    getattr(resp, "sent", "-"),
                    request_time.total_seconds(),
                )

    class DrainingArbiter(Arbiter):
        def handle_term(self) -> None:
            logger.info("signal %s: draining for %gs, then stopping", signal.SIGTERM, drain)
            if drain_file:
                try:
                    Path(drain_file).touch()
                except OSError as exc:
                    logger.error("cannot create the drain file %s: %s", drain_file, exc)
            # The workers keep serving meanwhile; only this loop waits.
            time.sleep(drain)
            raise StopIteration

        handle_int = handle_term

    class HttpServer(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{bind}:{port}",
                "workers": int(os.environ.get("TEAMMOA_HTTP_WORKERS", "1")),
                "threads": int(os.environ.get("TEAMMOA_HTTP_THREADS", "8")),
                "worker_class": draining_worker_class(),
                # Longer than nginx's upstream keep-alive (60 s), so nginx closes first.
                "keepalive": 75,
                "timeout": int(_env_float("TEAMMOA_HTTP_TIMEOUT", 120)),
                "graceful_timeout": max(1, math.ceil(timeout)),
                "logger_class": AccessLogger,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "teammoa-http",
                # Proxy headers are the application's to judge (teammoa_site.proxy).
                "forwarded_allow_ips": "",
                "child_exit": worker_exited,
                # Warm before the first connection is accepted (teammoa_site.warmup).
                "post_worker_init": worker_ready,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from teammoa_site.wsgi import application

            return application

        def run(self) -> None:
            DrainingArbiter(self).run()

    if drain_file:
        Path(drain_file).unlink(missing_ok=True)
    logger.info("serving HTTP on %s:%s (gunicorn, pid %s)", bind, port, os.getpid())
    HttpServer().run()


def worker_ready(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: the worker serves nothing (its health included)
    until the warm-up requests have gone through its application."""
    from teammoa_site.warmup import warm

    warm(worker.wsgi)


def draining_worker_class() -> Any:
    """gunicorn's threaded worker, leaving no connection behind when it stops.

    In gunicorn 27 (the one installed here) the worker stops accepting when told to stop
    but keeps its listening socket open until it exits (it finishes its requests first,
    for up to the graceful timeout): connections the kernel completed meanwhile sat
    unaccepted and were reset at the exit, after the proxy had sent its request down
    them. A GET is then retried on the other server, a POST fails with 502. This worker
    takes every connection already waiting and closes the socket at once, so the proxy's
    next attempt is refused and goes elsewhere. (gunicorn 23 closes the socket at once
    itself; its worker has no ``set_accept_enabled``, so this changes nothing there.)
    """
    from gunicorn.workers.gthread import ThreadWorker

    class DrainingThreadWorker(ThreadWorker):
        def set_accept_enabled(self, enabled: bool) -> None:
            if enabled or self.alive:
                super().set_accept_enabled(enabled)
                return
            for listener in self.sockets:
                while True:
                    waiting = self.nr_conns
                    self.accept(listener)
                    if self.nr_conns == waiting:
                        break
            super().set_accept_enabled(False)
            for listener in self.sockets:
                listener.close()

    return DrainingThreadWorker


def worker_exited(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit``: a dead worker's live gauges (open sockets, the writer's
    queue) must stop counting in the shared metrics directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# --- both: the supervisor -------------------------------------------------------------------


def metrics_directory() -> str:
    """``PROMETHEUS_MULTIPROC_DIR`` for the children: the one set, emptied of what an
    earlier run left (it would be counted again), or a fresh temporary directory."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if not path:
        return tempfile.mkdtemp(prefix="teammoa-metrics-")
    Path(path).mkdir(parents=True, exist_ok=True)
    for stale in Path(path).glob("*.db"):
        stale.unlink(missing_ok=True)
    return path


def supervise() -> int:
    """gunicorn (HTTP) and Daphne (WebSockets) as children; stop both, or neither."""
    port = int(os.environ.get("PORT", "8000"))
    ws_port = int(os.environ.get("TEAMMOA_WS_PORT", "") or port + 1)
    drain_file = os.environ.get("TEAMMOA_DRAIN_FILE", "")
    if drain_file:
        Path(drain_file).unlink(missing_ok=True)
    created = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics = metrics_directory()
    status_dir = (
        ""
        if os.environ.get("TEAMMOA_MINDMAP_STATUS_FILE")
        else tempfile.mkdtemp(prefix="teammoa-sockets-")
    )
    status_file = os.environ.get("TEAMMOA_MINDMAP_STATUS_FILE") or str(
        Path(status_dir) / "status.json"
    )
    wedged_after = _env_float("TEAMMOA_WS_WEDGED_SECONDS", 30.0)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics}
    env["TEAMMOA_MINDMAP_STATUS_FILE"] = status_file

    def start(role: str, child_port: int, again: bool = False) -> subprocess.Popen:
        if role == "ws":
            starting_report(status_file, again)
        return subprocess.Popen(  # noqa: S603 - this very script, with a fixed role
            [sys.executable, __file__, role], env={**env, "PORT": str(child_port)}
        )

    ports = {"http": port, "ws": ws_port}
    children = {role: start(role, child_port) for role, child_port in ports.items()}
    restarts: list[float] = []
    stopping: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        if not stopping and drain_file:
            # At once, so /health/ says "draining" whichever child answers first.
            with contextlib.suppress(OSError):
                Path(drain_file).touch()
        stopping.append(signum)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    failed = False
    while any(child.poll() is None for child in children.values()):
        time.sleep(0.2)
        if stopping or failed:
            continue
        socket_server = children["ws"]
        if socket_server.poll() is None and report_age(status_file) > wedged_after:
            logger.error("the socket server stopped reporting for %gs: killing it", wedged_after)
            socket_server.kill()
            socket_server.wait()
            socket_server.returncode = EXIT_WEDGED
        if socket_server.poll() == EXIT_WEDGED:
            now = time.monotonic()
            restarts[:] = [t for t in restarts if now - t < RESTART_WINDOW] + [now]
            if len(restarts) <= RESTARTS_ALLOWED:
                logger.error("the socket server was wedged: starting a new one")
                children["ws"] = start("ws", ports["ws"], again=True)
                continue
        for role, child in children.items():
            if child.poll() is not None:
                logger.error("the %s server exited with %s: stopping", role, child.returncode)
                failed = True
                forward(signal.SIGTERM, None)
                break
    # A child the forwarded signal killed had not installed its handlers yet (it was still
    # starting): it had nothing to drain, so that is a clean stop too.
    codes = [
        0 if -child.returncode in stopping else child.returncode for child in children.values()
    ]
    if created:
        shutil.rmtree(metrics, ignore_errors=True)
    if status_dir:
        shutil.rmtree(status_dir, ignore_errors=True)
    return 1 if failed else max(codes, key=abs)


def starting_report(path: str, again: bool = False) -> None:
    """The status file while the socket server starts: "starting" (503) until its first
    report, written once it listens — so /health/ never says 200 for an instance whose
    socket server is still warming up (a health gate would send it sockets too early)."""
    what = "a new socket server is starting" if again else "the socket server is starting"
    stalled = {"server": what}
    Path(path).write_text(json.dumps({"pid": 0, "stalled": stalled, "starting": True}))
    future = time.time() + STARTING_GRACE  # counted as fresh until the server reports
    os.utime(path, (future, future))


def report_age(path: str) -> float:
    """Seconds since the socket server last wrote its status (0 if it never could)."""
    try:
        return max(0.0, time.time() - os.stat(path).st_mtime)
    except OSError:
        return 0.0


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role not in ("", "http", "ws"):
        sys.exit(f"serve.py: unknown role {role!r} (http, ws or none)")
    layout = os.environ.get("TEAMMOA_SERVER", "gunicorn").strip() or "gunicorn"
    if layout not in ("gunicorn", "daphne"):
        sys.exit(f"serve.py: TEAMMOA_SERVER must be gunicorn or daphne, not {layout!r}")
    if role == "http":
        _configure_logging()
        run_http()
    elif role == "ws":
        run_socket_server()
    elif layout == "daphne":
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            metrics_directory()  # one process needs none, but a set one starts empty
        run_socket_server()
    else:
        _configure_logging()
        sys.exit(supervise())


def _configure_logging() -> None:
    """The supervisor and gunicorn's master log like Django's console handler does."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr
    )


if __name__ == "__main__":
    main()
