"""The WebSocket Origin rule (SPEC section 9), checked through the ASGI middleware."""

from __future__ import annotations

import asyncio

import pytest
from django.test import override_settings

from teammoa.core.websocket import OriginValidator, origin_allowed


def scope(origin: str | None, host: str = "localhost:8000", scheme: str = "ws", **headers):
    raw = [(b"host", host.encode())]
    if origin is not None:
        raw.append((b"origin", origin.encode()))
    raw += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "websocket", "path": "/ws/x/", "scheme": scheme, "headers": raw}


HOSTS = override_settings(ALLOWED_HOSTS=["localhost", "example.com"], CSRF_TRUSTED_ORIGINS=[])


@HOSTS
def test_the_requests_own_origin_is_allowed():
    assert origin_allowed(scope("http://localhost:8000"))
    assert origin_allowed(scope("https://localhost:8000", scheme="wss"))
    assert origin_allowed(scope("https://example.com", host="example.com", scheme="wss"))


@HOSTS
@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",  # another port
        "http://localhost",  # the default port is another port
        "https://localhost:8000",  # another scheme than ws's http
        "http://attacker.example",
        "http://localhost:8000.attacker.example",
        "null",
        "",
    ],
)
def test_any_other_origin_is_refused(origin):
    assert not origin_allowed(scope(origin))


@HOSTS
def test_a_missing_origin_is_refused():
    assert not origin_allowed(scope(None))


@HOSTS
def test_wss_counts_as_https_only():
    assert not origin_allowed(scope("http://localhost:8000", scheme="wss"))


@override_settings(ALLOWED_HOSTS=["localhost"])
def test_the_host_header_must_be_allowed_even_when_the_origin_matches_it():
    # DNS rebinding: evil.example resolves to this server and sends its own Host.
    assert not origin_allowed(scope("http://evil.example", host="evil.example"))


@override_settings(
    ALLOWED_HOSTS=["localhost"],
    CSRF_TRUSTED_ORIGINS=["https://app.example.com", "https://*.teammoa.example"],
)
def test_csrf_trusted_origins_are_allowed_exactly_or_by_wildcard():
    assert origin_allowed(scope("https://app.example.com"))
    assert origin_allowed(scope("https://team.teammoa.example"))
    assert origin_allowed(scope("https://teammoa.example"))
    assert not origin_allowed(scope("http://app.example.com"))  # scheme is part of it
    assert not origin_allowed(scope("http://team.teammoa.example"))
    assert not origin_allowed(scope("https://app.example.com:8443"))
    assert not origin_allowed(scope("https://teammoa.example.evil.example"))


@override_settings(ALLOWED_HOSTS=["example.com"], CSRF_TRUSTED_ORIGINS=[])
def test_the_forwarded_scheme_counts_only_behind_the_trusted_proxy():
    forwarded = {"x_forwarded_proto": "https"}
    # No trusted proxy configured: the header is anyone's word, and ignored.
    behind_nothing = scope("https://example.com", host="example.com", **forwarded)
    assert not origin_allowed(behind_nothing)
    assert origin_allowed(scope("http://example.com", host="example.com", **forwarded))
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert origin_allowed(behind_nothing)
        assert not origin_allowed(scope("http://example.com", host="example.com", **forwarded))
        # The proxy said plain http: an https origin does not match.
        plain = scope("https://example.com", host="example.com", x_forwarded_proto="http")
        assert not origin_allowed(plain)


async def handshake(scope_):
    """Drive one handshake; return what the application sent and whether the inner app ran."""
    sent, reached = [], []

    async def inner(scope_, receive, send):
        reached.append(True)
        await receive()
        await send({"type": "websocket.accept"})

    messages = asyncio.Queue()
    await messages.put({"type": "websocket.connect"})

    async def send(message):
        sent.append(message)

    await OriginValidator(inner)(scope_, messages.get, send)
    return sent, bool(reached)


@HOSTS
@pytest.mark.asyncio
async def test_the_middleware_refuses_before_accept_and_passes_the_rest():
    sent, reached = await handshake(scope("http://localhost:9999"))
    assert (sent, reached) == ([{"type": "websocket.close"}], False)

    sent, reached = await handshake(scope("http://localhost:8000"))
    assert (sent, reached) == ([{"type": "websocket.accept"}], True)
