"""Logging: the request id, one access line per request, and the settings' ``LOGGING``.

nginx gives every request an ``X-Request-ID`` (its ``$request_id``); the app keeps it for
the request's lifetime, puts it on each log line written meanwhile (``request_id``),
hands it to Sentry as a tag and sends it back in the response. A request that arrives
without one (straight to an instance) gets a fresh id. Production writes JSON lines
(python-json-logger), development keeps the readable format.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# What we accept from the proxy: nginx's 32 hex digits, a UUID, or similar; anything else
# (too long, spaces, control characters) is replaced rather than written into the logs.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
QUIET_PATHS = ("/health/", "/metrics")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "teammoa_request_id", default=NO_REQUEST
)
access_logger = logging.getLogger("teammoa.request")


# URL arguments that are keys (the calendar feed's ``<token>``): never written to a log or
# sent to Sentry; the path names the argument instead (``/teams/3/calendar/<token>.ics``).
SECRET_URL_ARGUMENTS = frozenset({"token"})


def logged_path(path: str, match: ResolverMatch | None) -> str:
    """``path`` as logs may keep it: the values of secret URL arguments of ``match`` (the
    path's resolved URL pattern, if any) replaced by their names."""
    for name in SECRET_URL_ARGUMENTS.intersection(match.kwargs if match else ()):
        value = str(match.kwargs[name])  # type: ignore[union-attr]
        if value:
            path = path.replace(value, f"<{name}>")
    return path


def logged_url(url: str) -> str:
    """An absolute or relative URL as logs may keep it (for Sentry's events)."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return url
    return urlunsplit(parts._replace(path=logged_path(parts.path, match)))


class SecretFreeRequestFilter(logging.Filter):
    """``django.request``'s lines ("Not Found: /path") name the path without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            return True
        path = logged_path(request.path, getattr(request, "resolver_match", None))
        if path != request.path:
            if isinstance(record.args, tuple):
                record.args = tuple(path if arg == request.path else arg for arg in record.args)
            # JSON lines write the extra fields too: the request's repr names its path.
            record.request = f"<{type(request).__name__}: {request.method} {path!r}>"
        return True


def current_request_id() -> str:
    """The id of the request being handled in this context, or ``-`` outside one."""
    return _request_id.get()


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Second in ``MIDDLEWARE`` (after the metrics): the request id, and the access log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from teammoa_site.metrics import route_of

        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            # Probes and scrapes every few seconds would drown the rest (SPEC section 6).
            if access_logger.isEnabledFor(logging.INFO) and not request.path.startswith(
                QUIET_PATHS
            ):
                duration = round((time.perf_counter() - started) * 1000, 1)
                client = request.META.get("REMOTE_ADDR") or "-"
                path = logged_path(request.path, request.resolver_match)
                access_logger.info(
                    '%s "%s %s" %s %.1fms',
                    client,
                    request.method,
                    path,
                    response.status_code,
                    duration,
                    extra={
                        "client": client,
                        "method": request.method,
                        "path": path,
                        "route": route_of(request),
                        "status": response.status_code,
                        "duration_ms": duration,
                    },
                )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """``LOGGING`` for the settings: ``json`` lines or ``plain`` text on stderr.

    Records of the health paths below WARNING are dropped (SPEC section 6), the server's
    own per-request lines stay below INFO (``teammoa.request`` logs each request once).
    """
    if log_format not in {"json", "plain"}:
        raise ValueError(f"LOG_FORMAT must be 'json' or 'plain', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "no_health": {"()": "teammoa_site.health.ExcludeHealthChecks"},
            "request_id": {"()": "teammoa_site.logs.RequestIdFilter"},
            "no_secrets": {"()": "teammoa_site.logs.SecretFreeRequestFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}{request_id}",
                "style": "{",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "no_health", "no_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "daphne": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
