"""Run TeamMoa on Daphne in production, with a bounded, graceful stop.

``python serve.py`` serves ``teammoa_site.asgi:application`` on ``$TEAMMOA_BIND:$PORT``
(default ``0.0.0.0:8000``). Daphne's own proxy-header handling stays off: it would believe
``X-Forwarded-For`` from any peer (and take its left-most, client-written address). The
application believes those headers only from ``TRUSTED_PROXIES`` (``teammoa_site.proxy``).

When SIGTERM (or SIGINT) arrives:

1. the drain file (``TEAMMOA_DRAIN_FILE``) is created, so ``/health/`` answers 503
   "draining" and load balancers stop sending new work, while requests are still served;
2. after ``TEAMMOA_DRAIN_SECONDS`` (default 2) the listening socket closes and every open
   WebSocket gets a close frame with ``TEAMMOA_WS_CLOSE_CODE`` (default 1012, "service
   restart": clients reconnect, landing on another instance);
3. the process exits as soon as no request or socket is left, or after
   ``TEAMMOA_STOP_TIMEOUT`` seconds (default 5) at the latest.

A second signal skips straight to step 2. With the defaults the container is gone within
about 7 seconds, well inside Docker's 10-second stop grace period.

Daphne's own access log (stdout, every request) is off: requests are logged through the
``teammoa.access`` logger instead, health probes at DEBUG so they never show at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger("teammoa.serve")
access_logger = logging.getLogger("teammoa.access")

HEALTH_PREFIX = "/health/"
# 1001 "going away" and 1012 "service restart" are what a server says when it leaves.
ALLOWED_CLOSE_CODES = {1001, 1012}


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
        level = logging.DEBUG if path.startswith(HEALTH_PREFIX) else logging.INFO
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


def build_server() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    # Importing daphne.server installs the asyncio reactor Daphne needs, before anything
    # else can install Twisted's default one.
    from daphne.server import Server

    leave_bodies_to_the_application()

    from teammoa_site.asgi import application  # sets Django up (and its LOGGING)

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

    class TeamMoaServer(Server):
        def listen_success(self, port: Any) -> None:
            stopper.ports.append(port)
            super().listen_success(port)

    server = TeamMoaServer(
        application=application,
        endpoints=[f"tcp:port={port}:interface={bind}"],
        signal_handlers=False,
        action_logger=AccessLog(),
        http_timeout=_env_float("TEAMMOA_HTTP_TIMEOUT", 120) or None,
        websocket_timeout=int(_env_float("TEAMMOA_WEBSOCKET_TIMEOUT", 86400)),
        websocket_connect_timeout=20,
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
    return server


def ready(stopper: GracefulStop, bind: str, port: int) -> None:
    loop = asyncio.get_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopper.signalled, signum)
    logger.info("serving on %s:%s (pid %s)", bind, port, os.getpid())


def main() -> None:
    build_server().run()


if __name__ == "__main__":
    main()
