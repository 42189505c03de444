"""Proxy headers count only from trusted proxies (TRUSTED_PROXIES), for HTTP and sockets."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from teammoa_site.proxy import TrustedProxyMiddleware, forwarded_scope, parse_networks
from tests.support.processes import clean_env, run_manage

NGINX = parse_networks(("127.0.0.0/8", "::1/128", "172.28.64.10"))
SPOOF = [
    (b"x-forwarded-for", b"6.6.6.6"),
    (b"x-forwarded-proto", b"https"),
    (b"x-forwarded-host", b"evil.example"),
    (b"x-forwarded-port", b"443"),
    (b"forwarded", b"for=6.6.6.6;proto=https"),
    (b"x-real-ip", b"6.6.6.6"),
]


def scope(peer: str | None, headers: list[tuple[bytes, bytes]], kind: str = "http") -> dict:
    return {
        "type": kind,
        "scheme": "ws" if kind == "websocket" else "http",
        "client": [peer, 51234] if peer else None,
        "headers": [(b"host", b"teammoa.example.com"), *headers],
    }


@pytest.mark.parametrize("peer", ["203.0.113.7", "172.28.64.11", "::ffff:203.0.113.7", None])
@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_an_untrusted_peers_proxy_headers_are_dropped(peer, kind):
    result = forwarded_scope(scope(peer, SPOOF, kind), NGINX)

    assert result["headers"] == [(b"host", b"teammoa.example.com")]
    assert result["client"] == ([peer, 51234] if peer else None)
    assert result["scheme"] == ("ws" if kind == "websocket" else "http")


def test_header_names_are_matched_in_any_case():
    result = forwarded_scope(scope("203.0.113.7", [(b"X-Forwarded-Proto", b"https")]), NGINX)

    assert result["headers"] == [(b"host", b"teammoa.example.com")]


@pytest.mark.parametrize("peer", ["127.0.0.1", "172.28.64.10", "::1", "::ffff:127.0.0.1"])
def test_a_trusted_proxy_sets_the_client_and_the_scheme(peer):
    headers = [(b"x-forwarded-for", b"198.51.100.20"), (b"x-forwarded-proto", b"https")]

    result = forwarded_scope(scope(peer, headers), NGINX)

    assert result["client"] == ("198.51.100.20", 0)
    assert result["scheme"] == "https"
    assert (b"x-forwarded-proto", b"https") in result["headers"]  # Django reads it too


def test_behind_a_trusted_proxy_a_socket_is_wss():
    headers = [(b"x-forwarded-for", b"198.51.100.20"), (b"x-forwarded-proto", b"https")]

    assert forwarded_scope(scope("127.0.0.1", headers, "websocket"), NGINX)["scheme"] == "wss"
    plain = [(b"x-forwarded-proto", b"http")]
    assert forwarded_scope(scope("127.0.0.1", plain, "websocket"), NGINX)["scheme"] == "ws"


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        # What a client wrote is on the left; each proxy appends the peer it saw.
        ("6.6.6.6, 198.51.100.20", "198.51.100.20"),
        ("6.6.6.6, 198.51.100.20, 172.28.64.10", "198.51.100.20"),
        ("198.51.100.20, 127.0.0.1", "198.51.100.20"),
        ("not-an-address, 198.51.100.20", "198.51.100.20"),
        ("198.51.100.20, not-an-address", None),
        ("[2001:db8::5]", "2001:db8::5"),
        ("127.0.0.1", "127.0.0.1"),
        ("", None),
    ],
)
def test_the_client_is_the_right_most_address_no_trusted_proxy_added(forwarded_for, client):
    headers = [(b"x-forwarded-for", forwarded_for.encode())]

    result = forwarded_scope(scope("127.0.0.1", headers), NGINX)

    assert result["client"] == ((client, 0) if client else ["127.0.0.1", 51234])


def test_several_forwarded_for_headers_read_as_one_list():
    headers = [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"198.51.100.20")]

    assert forwarded_scope(scope("127.0.0.1", headers), NGINX)["client"] == ("198.51.100.20", 0)


def test_an_unknown_forwarded_proto_leaves_the_scheme():
    headers = [(b"x-forwarded-proto", b"gopher")]

    assert forwarded_scope(scope("127.0.0.1", headers), NGINX)["scheme"] == "http"


@pytest.mark.asyncio
async def test_the_middleware_passes_the_cleaned_scope_and_updates_the_servers_client(settings):
    settings.TEAMMOA_TRUSTED_PROXIES = ["127.0.0.0/8"]
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    received = scope("127.0.0.1", [(b"x-forwarded-for", b"198.51.100.20")])
    await TrustedProxyMiddleware(app)(received, None, None)

    assert seen[0]["client"] == ("198.51.100.20", 0)
    # Daphne logs requests from its own client list: it names the client too.
    assert received["client"] == ["198.51.100.20", 0]


@pytest.mark.asyncio
async def test_lifespan_and_other_scopes_pass_untouched(settings):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    lifespan = {"type": "lifespan"}
    await TrustedProxyMiddleware(app)(lifespan, None, None)

    assert seen == [lifespan]


@pytest.mark.parametrize("value", ["10.0.0.0/33", "nginx", "10.0.0.1/8/2"])
def test_a_bad_trusted_proxy_is_named(value):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_networks(("127.0.0.1", value))


def test_a_bad_trusted_proxies_setting_stops_the_site():
    result = run_manage("check", env=clean_env(TRUSTED_PROXIES="127.0.0.1,nginx"))

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx' is not an address" in result.stderr


# --- the WSGI entry point (gunicorn in production) -------------------------------------------


def environ(peer: str, headers: list[tuple[bytes, bytes]]) -> dict:
    result = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", "HTTP_HOST": "teammoa.example.com"}
    for name, value in headers:
        result["HTTP_" + name.decode().upper().replace("-", "_")] = value.decode()
    return result


@pytest.mark.parametrize("peer", ["203.0.113.7", "172.28.64.11"])
def test_wsgi_an_untrusted_peers_proxy_headers_are_dropped(peer):
    from teammoa_site.proxy import forwarded_environ

    env = environ(peer, SPOOF)
    forwarded_environ(env, NGINX)

    assert env == {
        "REMOTE_ADDR": peer,
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "teammoa.example.com",
    }


def test_wsgi_a_trusted_proxy_sets_the_client_and_the_scheme():
    from teammoa_site.proxy import forwarded_environ

    env = environ(
        "127.0.0.1",
        [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.20"), (b"x-forwarded-proto", b"https")],
    )
    forwarded_environ(env, NGINX)

    assert env["REMOTE_ADDR"] == "198.51.100.20"  # the right-most, as for ASGI
    assert env["wsgi.url_scheme"] == "https"
    assert env["HTTP_X_FORWARDED_PROTO"] == "https"  # Django's SECURE_PROXY_SSL_HEADER


def test_the_wsgi_application_applies_the_rules(settings):
    from teammoa_site.wsgi import application

    seen = {}

    def inner(env, start_response):
        seen.update(env)
        return []

    wrapped = type(application)(inner)
    wrapped(environ("203.0.113.7", SPOOF), lambda *args: None)

    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert not any(key.startswith("HTTP_X_") or key == "HTTP_FORWARDED" for key in seen)
