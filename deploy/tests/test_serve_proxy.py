"""deploy/serve.py believes X-Forwarded-For/-Proto only from TRUSTED_PROXIES.

A real serve.py process on SQLite (no services needed), the REST API's per-address limit
set to 5 a minute: a peer outside TRUSTED_PROXIES cannot get a fresh allowance or HTTPS by
writing the headers itself; nginx on a trusted address can name the client and scheme.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import (
    LOCALHOST,
    Server,
    django_admin,
    free_port,
    http_get,
    serve_command,
    site_env,
    wait_until,
)

ANON_LIMIT = 5
PAGE = "/api/docs/"  # open to anonymous visitors, so the per-address API limit applies


@pytest.fixture
def serve(tmp_path: Path):
    servers: list[Server] = []

    def start(**extra: str) -> Server:
        port = free_port()
        env = site_env(
            tmp_path,
            "unused",
            port,
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the page reads no table
            REDIS_URL="",  # one process: its own memory is the whole count
            SECURE_SSL_REDIRECT="0",  # HTTPS is then visible as HSTS, not as a redirect
            API_ANON_RATE=f"{ANON_LIMIT}/m",
            **extra,
        )
        if not (tmp_path / "static" / "staticfiles.json").exists():
            # The page's Swagger UI is served from the site's own static files.
            django_admin(env, "collectstatic", "--noinput", "--verbosity", "0")
        server = Server(serve_command(), env, port, tmp_path / f"serve-{port}.log")
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def get(server: Server, forwarded_for: str, proto: str = "https") -> tuple[int, dict[str, str]]:
    status, headers, _body = http_get(
        f"http://{LOCALHOST}:{server.port}{PAGE}",
        **{"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": proto},
    )
    return status, {name.lower(): value for name, value in headers.items()}


def access_log(server: Server, count: int = 1) -> list[str]:
    """The page's access-log lines, once ``count`` are there: gunicorn writes a line just
    after the response has gone out."""

    def lines() -> list[str] | None:
        found = [line for line in server.output.splitlines() if f'"GET {PAGE}' in line]
        return found if len(found) >= count else None

    return wait_until(lines, 5, f"{count} access-log lines") or []


def test_an_untrusted_peer_cannot_choose_its_address_or_its_scheme(serve):
    server = serve(TRUSTED_PROXIES="192.0.2.1")  # not us: we connect from 127.0.0.1

    answers = [get(server, f"198.51.100.{number}") for number in range(ANON_LIMIT + 1)]

    assert [status for status, _headers in answers] == [200] * ANON_LIMIT + [429]
    refused = answers[-1][1]
    assert int(refused["retry-after"]) >= 1
    # X-Forwarded-Proto: https was not believed: no HSTS on plain HTTP.
    assert not any("strict-transport-security" in headers for _status, headers in answers)
    log = access_log(server, ANON_LIMIT + 1)
    assert len(log) == ANON_LIMIT + 1, server.output
    assert all("127.0.0.1" in line and "198.51.100." not in line for line in log), log


def test_a_trusted_proxy_names_the_client_and_the_scheme(serve):
    server = serve()  # TRUSTED_PROXIES defaults to the loopback networks

    answers = [get(server, f"198.51.100.{number}") for number in range(ANON_LIMIT + 1)]

    # Each forwarded client has an allowance of its own, and came by HTTPS.
    assert [status for status, _headers in answers] == [200] * (ANON_LIMIT + 1)
    assert all("strict-transport-security" in headers for _status, headers in answers)
    log = access_log(server, ANON_LIMIT + 1)
    assert any("198.51.100.5" in line for line in log), server.output
    assert not any("127.0.0.1" in line for line in log), log

    # A client's own X-Forwarded-For is left of what the proxy appends: it changes nothing.
    spoofed = [get(server, f"6.6.6.{number}, 203.0.113.9") for number in range(ANON_LIMIT + 1)]
    assert [status for status, _headers in spoofed] == [200] * ANON_LIMIT + [429]
    assert get(server, "203.0.113.10")[0] == 200
    assert get(server, "203.0.113.9", proto="http")[1].get("strict-transport-security") is None
