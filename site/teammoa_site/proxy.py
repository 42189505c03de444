"""Proxy headers only from trusted proxies: the client address and scheme behind nginx.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` say who the client is and whether it used
HTTPS, but anyone can send them. This ASGI middleware believes them only when the TCP
peer is in ``TEAMMOA_TRUSTED_PROXIES`` (networks in CIDR notation, env
``TRUSTED_PROXIES``); from any other peer it removes them, so nothing further in (Django's
``SECURE_PROXY_SSL_HEADER``, allauth's and DRF's per-address limits, the WebSocket origin
check) can be fooled by a client that reaches the app port directly.

From a trusted peer, the client address becomes the right-most ``X-Forwarded-For``
address that is not itself a trusted proxy (as nginx's ``real_ip_recursive`` does), and
``X-Forwarded-Proto`` (``http``/``https``) sets the scope's scheme (``ws``/``wss`` for
WebSockets). The server must not apply proxy headers itself (``deploy/serve.py`` does not).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Any]

DEFAULT_TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")
# Headers that describe the client as a proxy saw it; only a trusted proxy may set them.
_PROXY_HEADERS = frozenset({b"forwarded", b"x-real-ip"})
_PROXY_HEADER_PREFIX = b"x-forwarded-"
_SCHEMES = {
    "http": {"http": "http", "https": "https"},
    "websocket": {"http": "ws", "https": "wss"},
}


@lru_cache(maxsize=8)
def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.0/8", "::1")`` as networks; ImproperlyConfigured names a bad entry."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an address or a network like 10.0.0.0/8"
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return parse_networks(
        tuple(getattr(settings, "TEAMMOA_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES))
    )


@lru_cache(maxsize=4096)  # every request and handshake parses its peer's address again
def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket ("::ffff:10.0.0.5").
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Any, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def _header_values(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> list[str]:
    values = []
    for key, value in headers:
        if key.lower() == name:
            values.extend(part.strip() for part in value.decode("latin-1").split(","))
    return [value for value in values if value]


def forwarded_scope(scope: Scope, networks: Iterable[Network]) -> Scope:
    """The scope as the application should see it: see the module docstring."""
    networks = tuple(networks)
    headers = list(scope.get("headers") or [])
    client = scope.get("client")
    peer = _address(str(client[0])) if client else None
    if not _is_trusted(peer, networks):
        kept = [
            (key, value)
            for key, value in headers
            if not (key.lower().startswith(_PROXY_HEADER_PREFIX) or key.lower() in _PROXY_HEADERS)
        ]
        return scope if len(kept) == len(headers) else {**scope, "headers": kept}

    scope = dict(scope)
    forwarded_for = _header_values(headers, b"x-forwarded-for")
    address = None
    for value in reversed(forwarded_for):
        hop = _address(value)
        if hop is None:  # garbage: believe nothing further left
            break
        address = hop
        if not _is_trusted(hop, networks):
            break
    if address is not None:
        scope["client"] = (str(address), 0)
    proto = _header_values(headers, b"x-forwarded-proto")
    scheme = _SCHEMES.get(scope.get("type", ""), {}).get(proto[0].lower() if proto else "")
    if scheme:
        scope["scheme"] = scheme
    return scope


class TrustedProxyMiddleware:
    """Wraps the site's ASGI application; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        trusted_networks()  # a bad TRUSTED_PROXIES stops the server at start, not per request

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        if scope.get("type") in _SCHEMES:
            received = scope.get("client")
            scope = forwarded_scope(scope, trusted_networks())
            if isinstance(received, list) and scope.get("client") is not received:
                # Daphne hands over its own [host, port] list and logs requests from it:
                # updated in place, serve.py's access log names the client, not nginx.
                received[:] = scope["client"]
        return await self.app(scope, receive, send)


def forwarded_environ(environ: dict[str, Any], networks: Iterable[Network]) -> None:
    """The same rules for a WSGI request, applied to ``environ`` in place.

    The headers go through ``forwarded_scope`` (the rules live there once): from an
    untrusted peer the proxy headers are removed, from a trusted one ``REMOTE_ADDR`` and
    ``wsgi.url_scheme`` take the client's values.
    """
    names = {
        key: key[5:].lower().replace("_", "-").encode("latin-1")
        for key in environ
        if key.startswith("HTTP_")
    }
    headers = [(name, str(environ[key]).encode("latin-1")) for key, name in names.items()]
    peer = environ.get("REMOTE_ADDR") or ""
    scope = forwarded_scope(
        {"type": "http", "scheme": environ.get("wsgi.url_scheme", "http"),
         "client": (peer, 0) if peer else None, "headers": headers},
        networks,
    )  # fmt: skip
    kept = {name for name, _ in scope["headers"]}
    for key, name in names.items():
        if name not in kept:
            del environ[key]
    if scope.get("client") and scope["client"][0] != peer:
        environ["REMOTE_ADDR"] = scope["client"][0]
    environ["wsgi.url_scheme"] = scope.get("scheme", environ.get("wsgi.url_scheme", "http"))


class TrustedProxyWSGIMiddleware:
    """Wraps the site's WSGI application (gunicorn, deploy/serve.py); see above."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        trusted_networks()  # a bad TRUSTED_PROXIES stops the server at start, not per request

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        forwarded_environ(environ, trusted_networks())
        return self.app(environ, start_response)
