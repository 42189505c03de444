"""Health endpoints, answered by the first middleware so they work whatever the Host header.

``/health/`` checks every configured dependency in its own thread with a deadline and
answers 200 or 503 naming the failing check; ``/health/live/`` only says the process is up.
The check threads live on and keep their connections, and an answer is reused for a
second (``TEAMMOA_HEALTH_CACHE_SECONDS``), so a probe costs no connection set-up.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import redis
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health/"
LIVE_PATH = "/health/live/"

OK = "ok"
SKIPPED = "skipped"


def check_database() -> str:
    """``SELECT 1`` on the default database, on this thread's kept-open connection.

    The checks run on long-lived threads (``Probe``), so the connection is made once, not
    per probe. One that broke meanwhile (a restarted server, an idle timeout) is closed
    and the query tried once more on a fresh connection before the check fails.
    """
    connection = connections["default"]
    try:
        return _select_one(connection)
    except Exception:
        connection.close()
    return _select_one(connection)


def _select_one(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


_redis_clients: dict[tuple[str, float], Any] = {}


def check_redis() -> str:
    """``PING`` on a client kept per URL (its connection pool reconnects when needed)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return SKIPPED
    timeout = _timeout()
    client = _redis_clients.get((url, timeout))
    if client is None:
        # No retries with back-off inside the deadline: one plain retry below is enough.
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        _redis_clients[(url, timeout)] = client
    try:
        client.ping()
    except redis.RedisError:
        # A kept connection the server closed: one more try on a fresh one.
        client.connection_pool.disconnect()
        client.ping()
    return OK


def check_sockets() -> str:
    """The mindmap socket path (hub, presence registry, writer) is making progress: in
    this process, and in the socket server beside it when it reports to a status file
    (``TEAMMOA_MINDMAP_STATUS_FILE``, set by deploy/serve.py)."""
    from teammoa.mindmap.health import check

    return check()


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "sockets": check_sockets,
}


def _timeout() -> float:
    return float(getattr(settings, "TEAMMOA_HEALTH_TIMEOUT", 1.5))


class Probe:
    """Runs one check on its own long-lived daemon thread, one call at a time.

    The thread keeps its connections between probes. A check still running from an
    earlier probe is waited for (never started twice), so a hung dependency costs one
    stuck thread, not one more per probe; a daemon thread never keeps the process alive.
    """

    def __init__(self, name: str, check: Callable[[], str]) -> None:
        self.name = name
        self.check = check
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[Future] = queue.SimpleQueue()
        self.pending: Future | None = None
        self.started = 0.0
        self.thread: threading.Thread | None = None

    def submit(self) -> tuple[Future, float]:
        with self.lock:
            if self.pending is None or self.pending.done():
                self.pending, self.started = Future(), time.monotonic()
                self.jobs.put(self.pending)
                if self.thread is None:
                    self.thread = threading.Thread(
                        target=self._run, name=f"health-{self.name}", daemon=True
                    )
                    self.thread.start()
            return self.pending, self.started

    def _run(self) -> None:
        while True:
            future = self.jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self.check())
            except BaseException as exc:  # reported, never raised in this thread
                future.set_exception(exc)


_probes: dict[tuple[Any, ...], Probe] = {}
_probes_lock = threading.Lock()


def _probe(name: str, check: Callable[[], str]) -> Probe:
    """The probe of this check under the current configuration: a check still hanging
    under another Redis URL or deadline is never taken for an answer about this one."""
    key = (name, check, getattr(settings, "REDIS_URL", ""), _timeout())
    with _probes_lock:
        probe = _probes.get(key)
        if probe is None:
            probe = _probes[key] = Probe(name, check)
        return probe


def run_checks(checks: dict[str, Callable[[], str]] | None = None) -> dict[str, str]:
    """Run every check concurrently; one that raises or misses the deadline is reported.

    Each check's latency and outcome also go to the metrics (``teammoa_health_check_*``).
    """
    # Not at the top: the logging configuration imports this module before apps are ready.
    from teammoa_site.metrics import observe_check

    checks = CHECKS if checks is None else checks
    timeout = _timeout()
    submitted = {name: _probe(name, check).submit() for name, check in checks.items()}
    results: dict[str, str] = {}
    for name, (future, started) in submitted.items():
        # A check hanging since an earlier probe has used up its time already.
        remaining = started + timeout - time.monotonic()
        try:
            outcome = future.result(timeout=max(0.0, remaining))
        except TimeoutError:
            outcome = f"error: no answer within {timeout:g} s"
        except Exception as exc:  # a failing dependency is data here, not a crash
            outcome = f"error: {type(exc).__name__}: {exc}".strip()[:300]
        results[name] = outcome
        seconds = min(time.monotonic() - started, timeout)
        observe_check(name, seconds, outcome in (OK, SKIPPED))
    return results


# The last answer, reused for TEAMMOA_HEALTH_CACHE_SECONDS: probes from several load
# balancers and the container's own healthcheck then cost one check a second at most.
_last: tuple[float, tuple[Any, ...], dict[str, str]] | None = None
_last_lock = threading.Lock()


def cached_checks() -> dict[str, str]:
    global _last
    ttl = float(getattr(settings, "TEAMMOA_HEALTH_CACHE_SECONDS", 1.0))
    # Answers are only reused for the same configuration (tests change it).
    key = (getattr(settings, "REDIS_URL", ""), _timeout(), tuple(CHECKS.items()))
    now = time.monotonic()
    with _last_lock:
        if _last is not None and _last[1] == key and now - _last[0] < ttl:
            return _last[2]
    checks = run_checks()
    with _last_lock:
        _last = (time.monotonic(), key, checks)
    return checks


def forget() -> None:
    """Drop the cached answer (tests; a new configuration)."""
    global _last
    with _last_lock:
        _last = None


def draining() -> bool:
    """True once the server was told to stop: ``TEAMMOA_DRAIN_FILE`` exists.

    The production server touches that file when SIGTERM arrives, so load balancers see
    503 and stop sending new requests while open ones finish (see deploy/serve.py).
    """
    path = getattr(settings, "TEAMMOA_DRAIN_FILE", "")
    return bool(path) and os.path.exists(path)


def health_response() -> JsonResponse:
    if draining():
        return _uncached(JsonResponse({"status": "draining", "checks": {}}, status=503))
    checks = cached_checks()
    healthy = all(value in (OK, SKIPPED) for value in checks.values())
    if not healthy:
        failing = {name: value for name, value in checks.items() if value not in (OK, SKIPPED)}
        logger.warning("health check failing: %s", failing)
    response = JsonResponse(
        {"status": "healthy" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
    return _uncached(response)


def live_response() -> JsonResponse:
    return _uncached(JsonResponse({"status": "alive"}))


def _uncached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # Already reported above when it matters; keeps django.request from logging every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class HealthCheckMiddleware:
    """Answers the health paths before host validation, HTTPS redirects and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if request.method in ("GET", "HEAD"):
            if request.path == HEALTH_PATH:
                return health_response()
            if request.path == LIVE_PATH:
                return live_response()
        return self.get_response(request)


class ExcludeHealthChecks(logging.Filter):
    """Drops access-log records of the health paths below WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        try:
            message = record.getMessage()
        except Exception:
            # A malformed record is the handler's to report; raising here would reach the
            # code that logged it (filters run outside the handler's error handling).
            return True
        return HEALTH_PATH not in message
