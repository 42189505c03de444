"""Prometheus metrics of one instance, served at ``/metrics`` (SPEC section 9, Operations).

Works with one server process (Daphne) and with several per container (gunicorn or
uvicorn workers): when ``PROMETHEUS_MULTIPROC_DIR`` is set *before the first import of
prometheus_client*, every process writes its samples there and a scrape of any process
reports them all (prometheus-client's multiprocess mode; the directory must be emptied
when the container starts, as ``deploy/entrypoint.sh`` does, and a worker manager should
call :func:`mark_process_dead` when a worker exits).

What is measured, and where:

- HTTP requests by route name, method and status, with latency histograms
  (:class:`MetricsMiddleware`, the first middleware);
- WebSocket connections open, frames in and out by message type, closes by code and side
  (:class:`WebSocketMetrics`, around the socket routes in ``asgi.py``);
- the mindmap writer's batches and queue, cross-instance delivery lag and resyncs (the
  receivers below, connected to ``teammoa.mindmap.signals``);
- the health checks' latency and state (``teammoa_site.health`` calls :func:`observe_check`).
"""

from __future__ import annotations

import collections
import hmac
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from teammoa.core.websocket.frames import SEND_FRAMES
from teammoa.mindmap import signals as mindmap_signals
from teammoa.mindmap.protocol import SCHEMAS as MINDMAP_CLIENT_TYPES

METRICS_PATH = "/metrics"
# The classic text format, which every Prometheus reads (newer clients announce 1.0.0 for
# the same body when, as here, every name is plain ASCII).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# --- the metrics ----------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "teammoa_http_requests_total",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "teammoa_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by route name and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WS_OPEN = Gauge(
    "teammoa_websocket_connections",
    "WebSocket connections open now (accepted, not yet closed).",
    ["socket"],
    multiprocess_mode="livesum",
)
WS_ACCEPTED = Counter(
    "teammoa_websocket_connections_accepted_total", "WebSocket connections accepted.", ["socket"]
)
WS_FRAMES_IN = Counter(
    "teammoa_websocket_frames_received_total",
    "WebSocket frames received from clients, by message type.",
    ["socket", "type"],
)
WS_FRAMES_OUT = Counter(
    "teammoa_websocket_frames_sent_total",
    "WebSocket frames sent to clients, by message type.",
    ["socket", "type"],
)
WS_CLOSES = Counter(
    "teammoa_websocket_closes_total",
    "WebSocket connections closed, by close code and by which side closed.",
    ["socket", "code", "by"],
)
WRITER_QUEUE = Gauge(
    "teammoa_mindmap_writer_queue",
    "Mindmap edits waiting for this instance's writer.",
    multiprocess_mode="livesum",
)
WRITER_BATCH_SIZE = Histogram(
    "teammoa_mindmap_writer_batch_size",
    "Edits written per mindmap writer transaction.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)
WRITER_BATCH_SECONDS = Histogram(
    "teammoa_mindmap_writer_batch_seconds",
    "Time to write one batch of mindmap edits.",
    ["outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DELIVERY_LAG = Histogram(
    "teammoa_mindmap_delivery_lag_seconds",
    "Time from another instance sending a mindmap update to its arrival here.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RESYNCS = Counter(
    "teammoa_mindmap_resyncs_total",
    "Mindmap rooms re-read from the database because this instance lost track.",
)
RESYNCED_CLIENTS = Counter(
    "teammoa_mindmap_resynced_clients_total",
    "Fresh snapshots sent to clients by room resyncs.",
)
HEALTH_SECONDS = Histogram(
    "teammoa_health_check_duration_seconds",
    "Time each dependency check of /health/ took (the deadline when it did not answer).",
    ["check"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2),
)
HEALTH_UP = Gauge(
    "teammoa_health_check_up",
    "1 when the dependency answered its last health check, else 0.",
    ["check"],
    multiprocess_mode="livemostrecent",
)
BUILD_INFO = Gauge(
    "teammoa_build_info",
    "Always 1; the running release (image tag) as a label.",
    ["release"],
    multiprocess_mode="max",
)


def release() -> str:
    return getattr(settings, "TEAMMOA_RELEASE", "") or "unknown"


# --- exposition -------------------------------------------------------------------------------


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition() -> bytes:
    """Every metric of this instance (all its processes in multiprocess mode)."""
    from teammoa_site.health import run_checks

    BUILD_INFO.labels(release()).set(1)
    run_checks()  # fresh dependency state with every scrape, whoever else probes /health/
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def mark_process_dead(pid: int) -> None:
    """A worker process exited (gunicorn's ``child_exit`` hook): drop its live gauges."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def metrics_response(request: HttpRequest) -> HttpResponse:
    """``/metrics``: 404 when switched off, 401 without the right bearer token."""
    if not getattr(settings, "TEAMMOA_METRICS_ENABLED", True):
        return HttpResponse(status=404)
    token = getattr(settings, "TEAMMOA_METRICS_TOKEN", "") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            response = HttpResponse("Metrics need a bearer token.\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


# --- HTTP -------------------------------------------------------------------------------------

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Answered by middleware before URL resolution: named here so they are not "unmatched".
FIXED_ROUTES = {"/health/": "health", "/health/live/": "health_live", METRICS_PATH: "metrics"}


def route_of(request: HttpRequest) -> str:
    """The URL pattern's name (namespaced), else its route; ``unmatched`` for a 404 without
    one. Never the raw path: that would make a time series per URL."""
    fixed = FIXED_ROUTES.get(request.path)
    if fixed:
        return fixed
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class MetricsMiddleware:
    """First in ``MIDDLEWARE``: times every request and answers ``/metrics`` (before host
    validation and HTTPS redirects: Prometheus scrapes each instance by address, in plain
    HTTP, on the internal network)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        if request.path == METRICS_PATH and request.method in ("GET", "HEAD"):
            response = metrics_response(request)
        else:
            response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        route = route_of(request)
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)
        return response


# --- WebSockets -------------------------------------------------------------------------------

# Labels stay few whatever clients send: unknown types and codes are lumped together.
KNOWN_CLIENT_TYPES = frozenset(MINDMAP_CLIENT_TYPES)
SERVER_TYPE = re.compile(r'\{"type":\s*"([a-z_]{1,30}(?:\.[a-z_]{1,30})?)"')
KNOWN_CLOSE_CODES = frozenset(
    {1000, 1001, 1005, 1006, 1008, 1009, 1011, 1012, 4401, 4403, 4404, 4429, 4500}
)
LARGEST_PARSED_FRAME = 65536


def socket_of(path: str) -> str:
    """``/ws/mindmaps/1/`` → ``mindmaps``: the kind of socket, not the instance."""
    parts = path.split("/")
    kind = parts[2] if len(parts) > 3 and parts[1] == "ws" else ""
    return kind if kind in {"mindmaps", "teams"} else "other"


def client_type(message: dict[str, Any]) -> str:
    text = message.get("text")
    if text is None:
        return "binary"
    if len(text) > LARGEST_PARSED_FRAME:
        return "too_large"
    try:
        kind = json.loads(text).get("type")
    except (ValueError, AttributeError, RecursionError):  # deep nesting is valid JSON
        return "invalid"
    return kind if isinstance(kind, str) and kind in KNOWN_CLIENT_TYPES else "unknown"


@lru_cache(maxsize=1024)
def _frames(counter: Counter, socket: str, kind: str) -> Any:
    """A frame counter's child for these labels (bounded sets), looked up once: it is
    counted for every frame, tens of thousands a second."""
    return counter.labels(socket, kind)


def server_type(message: dict[str, Any]) -> str:
    # Server frames are built with "type" first (protocol.dumps): read it without parsing.
    text = message.get("text")
    found = SERVER_TYPE.match(text) if text else None
    return found.group(1) if found else "other"


def close_code(code: Any) -> str:
    return str(code) if code in KNOWN_CLOSE_CODES else "other"


class WebSocketMetrics:
    """ASGI middleware around the socket routes: counts what crosses each socket."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        socket = socket_of(scope.get("path", ""))
        state = {"open": False, "closed": False}

        async def counted_receive() -> dict[str, Any]:
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                _frames(WS_FRAMES_IN, socket, client_type(message)).inc()
            elif kind == "websocket.disconnect" and not state["closed"]:
                state["closed"] = True
                WS_CLOSES.labels(socket, close_code(message.get("code", 1005)), "client").inc()
            return message

        async def counted_send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "websocket.send":
                _frames(WS_FRAMES_OUT, socket, server_type(message)).inc()
            elif kind == SEND_FRAMES:  # several frames at once (teammoa.core.websocket.frames)
                for label, count in collections.Counter(
                    server_type({"text": text}) for text in message["texts"]
                ).items():
                    _frames(WS_FRAMES_OUT, socket, label).inc(count)
            elif kind == "websocket.accept" and not state["open"]:
                state["open"] = True
                WS_ACCEPTED.labels(socket).inc()
                WS_OPEN.labels(socket).inc()
            elif kind == "websocket.close" and not state["closed"]:
                state["closed"] = True
                WS_CLOSES.labels(socket, close_code(message.get("code", 1000)), "server").inc()
            await send(message)

        try:
            await self.app(scope, counted_receive, counted_send)
        finally:
            if state["open"]:
                WS_OPEN.labels(socket).dec()


# --- health checks ----------------------------------------------------------------------------


def observe_check(name: str, seconds: float, ok: bool) -> None:
    HEALTH_SECONDS.labels(name).observe(seconds)
    HEALTH_UP.labels(name).set(1 if ok else 0)


# --- the mindmap's signals --------------------------------------------------------------------


@receiver(mindmap_signals.writes_queued, dispatch_uid="teammoa_site_metrics_writes_queued")
def _writes_queued(sender: Any, delta: int, **kwargs: Any) -> None:
    WRITER_QUEUE.inc(delta)


@receiver(mindmap_signals.writer_batch, dispatch_uid="teammoa_site_metrics_writer_batch")
def _writer_batch(sender: Any, size: int, seconds: float, ok: bool, **kwargs: Any) -> None:
    WRITER_BATCH_SIZE.observe(size)
    WRITER_BATCH_SECONDS.labels("ok" if ok else "failed").observe(seconds)


@receiver(mindmap_signals.bundle_received, dispatch_uid="teammoa_site_metrics_bundle_received")
def _bundle_received(sender: Any, lag: float, **kwargs: Any) -> None:
    DELIVERY_LAG.observe(max(0.0, lag))


@receiver(mindmap_signals.room_resynced, dispatch_uid="teammoa_site_metrics_room_resynced")
def _room_resynced(sender: Any, members: int, **kwargs: Any) -> None:
    RESYNCS.inc()
    RESYNCED_CLIENTS.inc(members)
