"""Health endpoints, answered by the first middleware so they work whatever the Host header.

``/health/`` checks every configured dependency in its own thread with a deadline and
answers 200 or 503 naming the failing check; ``/health/live/`` only says the process is up.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health/"
LIVE_PATH = "/health/live/"

OK = "ok"
SKIPPED = "skipped"


def check_database() -> str:
    """Run ``SELECT 1`` on the default database on a connection of this thread's own."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return OK


def check_redis() -> str:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return SKIPPED
    import redis

    timeout = _timeout()
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return OK


CHECKS: dict[str, Callable[[], str]] = {"database": check_database, "redis": check_redis}


def _timeout() -> float:
    return float(getattr(settings, "TEAMMOA_HEALTH_TIMEOUT", 1.5))


def run_checks(checks: dict[str, Callable[[], str]] | None = None) -> dict[str, str]:
    """Run every check concurrently; one that raises or misses the deadline is reported."""
    checks = CHECKS if checks is None else checks
    results: dict[str, str] = {}
    lock = threading.Lock()

    def run(name: str, check: Callable[[], str]) -> None:
        try:
            outcome = check()
        except Exception as exc:  # a failing dependency is data here, not a crash
            outcome = f"error: {type(exc).__name__}: {exc}".strip()[:300]
        with lock:
            results.setdefault(name, outcome)

    # Daemon threads: a hung dependency must never keep the answer (or the process) waiting.
    threads = [
        threading.Thread(target=run, args=(name, check), name=f"health-{name}", daemon=True)
        for name, check in checks.items()
    ]
    deadline = time.monotonic() + _timeout()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        for name in checks:
            results.setdefault(name, f"error: no answer within {_timeout():g} s")
        return {name: results[name] for name in checks}


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
    checks = run_checks()
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
