"""The WebSocket Origin rule (SPEC section 9): the rule of Django's CSRF origin check.

A socket's ``Origin`` must equal the request's own origin — scheme (``wss`` counts as
``https``; behind the trusted proxy, the forwarded scheme), host and port from the
``Host`` header, which must itself be allowed by ``ALLOWED_HOSTS`` — or be listed in
``CSRF_TRUSTED_ORIGINS`` (exactly, or by a ``https://*.example.com`` wildcard). Anything
else is refused before the handshake is accepted, so a foreign page learns nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.http import is_same_domain

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class _HandshakeRequest(HttpRequest):
    """Just enough of a request for Django's own ``get_host()`` and ``scheme``."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self._scope_scheme = scope.get("scheme") or "ws"
        server = scope.get("server") or (None, None)
        self.META = {"SERVER_NAME": server[0] or "", "SERVER_PORT": str(server[1] or "")}
        for name, value in scope.get("headers") or ():
            key = name.decode("latin-1").upper().replace("-", "_")
            # The last of repeated headers wins, as in Django's ASGI request.
            self.META[f"HTTP_{key}"] = value.decode("latin-1")

    def _get_scheme(self) -> str:
        # Only used when no SECURE_PROXY_SSL_HEADER is configured (no trusted proxy).
        return "https" if self._scope_scheme in ("wss", "https") else "http"


def _trusted_origin(origin: str) -> bool:
    trusted = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or [])
    if origin in trusted:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, urlsplit(entry).netloc[len("*") :])
        for entry in trusted
        if "://*." in entry and urlsplit(entry).scheme == parsed.scheme
    )


def origin_allowed(scope: Scope) -> bool:
    """Whether a WebSocket handshake's ``Origin`` passes the site's origin rule."""
    origin = None
    for name, value in scope.get("headers") or ():
        if name.lower() == b"origin":
            origin = value.decode("latin-1").strip()
    if not origin or origin == "null":
        return False
    request = _HandshakeRequest(scope)
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        own = None
    if own is not None and origin.lower() == own.lower():
        return True
    return _trusted_origin(origin)


class OriginValidator:
    """ASGI middleware: refuse a WebSocket whose ``Origin`` fails :func:`origin_allowed`.

    The refusal is a close before accept, which Daphne answers with HTTP 403. Other
    connection types pass through untouched.
    """

    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") == "websocket" and not origin_allowed(scope):
            logger.info("websocket %s refused: origin not allowed", scope.get("path"))
            message = await receive()
            if message.get("type") == "websocket.connect":
                await send({"type": "websocket.close"})
            return
        await self.application(scope, receive, send)
