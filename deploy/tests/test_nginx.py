"""nginx (deploy/nginx-site.conf) in front of two real app servers (deploy/serve.py, the
production settings, MariaDB and Redis), over TLS with a throwaway certificate."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import re
import signal
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests import nginx_config
from tests.support import (
    ATTACHMENT,
    LOCALHOST,
    Server,
    django_admin,
    first_snapshot,
    free_port,
    make_team_data,
    require,
    scratch_database,
    serve_command,
    site_env,
    wait_until,
)


@dataclass
class Stack:
    tmp: Path
    layout: nginx_config.Layout
    servers: list[Server]
    data: dict
    nginx_log: Path

    @property
    def https(self) -> str:
        return f"https://{LOCALHOST}:{self.layout.https_port}"

    def ssl_context(self, alpn: list[str] | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.layout.certs / "fullchain.pem"))
        if alpn:
            context.set_alpn_protocols(alpn)
        return context

    def request(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        tls: bool = True,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if tls:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                LOCALHOST, self.layout.https_port, context=self.ssl_context(), timeout=20
            )
        else:
            connection = http.client.HTTPConnection(LOCALHOST, self.layout.http_port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def cookie(self, who: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.data[who]}"}


def header(headers: list[tuple[str, str]], name: str) -> str:
    """The one value of ``name``; a header sent twice is a bug here."""
    values = [value for key, value in headers if key.lower() == name.lower()]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def absent(headers: list[tuple[str, str]], name: str) -> bool:
    return all(key.lower() != name.lower() for key, _ in headers)


@pytest.fixture(scope="module")
def stack(services, tmp_path_factory) -> Iterator[Stack]:
    require(nginx_config.shutil.which("nginx") is not None, "nginx is not installed")
    tmp = tmp_path_factory.mktemp("nginx-stack")
    with contextlib.ExitStack() as cleanup, scratch_database("teammoa_deploy_nginx") as db:
        env = site_env(tmp, db)
        django_admin(env, "migrate", "--noinput")
        django_admin(env, "collectstatic", "--noinput", "--verbosity", "0")
        data = make_team_data(env)

        servers = []
        for number in (1, 2):
            port = free_port()
            env_n = site_env(tmp, db, port)
            server = Server(serve_command(), env_n, port, tmp / f"web{number}.log")
            cleanup.callback(server.stop)
            servers.append(server.start())

        layout = nginx_config.Layout(
            root=tmp / "nginx",
            http_port=free_port(),
            https_port=free_port(),
            upstreams=[server.port for server in servers],
            ws_upstreams=[server.ws_port for server in servers],
            static_root=tmp / "static",
            media_root=tmp / "media",
        )
        conf = nginx_config.write_config(layout)
        nginx_log = tmp / "nginx.out"
        with nginx_log.open("wb") as out:
            nginx = subprocess.Popen(
                nginx_config.nginx_command(conf, "-g", "daemon off;"),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        def stop_nginx() -> None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()

        cleanup.callback(stop_nginx)
        result = Stack(tmp, layout, servers, data, nginx_log)

        def up() -> bool:
            assert nginx.poll() is None, nginx_log.read_text() + _error_log(layout)
            return result.request("/health/live/")[0] == 200

        wait_until(up, 20, "nginx proxying /health/live/")
        yield result


def _error_log(layout: nginx_config.Layout) -> str:
    path = layout.root / "logs" / "error.log"
    return path.read_text() if path.exists() else ""


# --- plain HTTP ---------------------------------------------------------------------------


def test_plain_http_redirects_to_https(stack):
    status, headers, _ = stack.request("/teams/?page=2", tls=False)

    assert status == 301
    assert header(headers, "Location") == f"https://{LOCALHOST}/teams/?page=2"


def test_health_answers_over_plain_http_whatever_the_host(stack):
    status, headers, body = stack.request("/health/", tls=False, headers={"Host": "10.0.0.7"})

    assert status == 200, body
    assert json.loads(body) == {
        "status": "healthy",
        "checks": {"database": "ok", "redis": "ok", "sockets": "ok"},
    }
    assert header(headers, "Cache-Control") == "no-store"


def test_acme_challenges_are_served_over_plain_http(stack):
    challenge = stack.layout.webroot / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True, exist_ok=True)
    (challenge / "token-123").write_text("token-123.thumbprint")

    status, _, body = stack.request("/.well-known/acme-challenge/token-123", tls=False)

    assert (status, body) == (200, b"token-123.thumbprint")


# --- TLS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_with_http2(stack, version):
    context = stack.ssl_context(alpn=["h2", "http/1.1"])
    context.minimum_version = context.maximum_version = version

    with (
        socket.create_connection((LOCALHOST, stack.layout.https_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() == version.name.replace("_", ".")
        assert tls.selected_alpn_protocol() == "h2"


# --- security headers and CSP -------------------------------------------------------------

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(headers):
    for name, value in SECURITY_HEADERS.items():
        assert header(headers, name) == value, name
    csp = header(headers, "Content-Security-Policy")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert header(headers, "Permissions-Policy").startswith("camera=()")


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/no-such-page/", "/health/", "/static/does-not-exist.css"]
)
def test_security_headers_exactly_once_everywhere(stack, path):
    _, headers, _ = stack.request(path)

    assert_security_headers(headers)
    assert absent(headers, "Server") or header(headers, "Server") == "nginx"


class CspAudit(HTMLParser):
    """What in a page the site's CSP would block: inline scripts and handlers, <style>
    elements, javascript: URLs, scripts, stylesheets and images from other origins."""

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin = origin
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}= on <{tag}>")
            # style="" attributes are allowed (style-src-attr 'unsafe-inline').
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            source = attributes.get("src")
            kind = (attributes.get("type") or "").lower()
            if source:
                self._check_origin(tag, source)
            elif kind not in ("application/json", "application/ld+json"):
                self._in_script = True
        if tag in ("link", "img") and attributes.get("src" if tag == "img" else "href"):
            url = attributes.get("src" if tag == "img" else "href") or ""
            if tag == "img" or "stylesheet" in (attributes.get("rel") or ""):
                self._check_origin(tag, url)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def _check_origin(self, tag: str, url: str) -> None:
        parsed = urlparse(urljoin(self.origin + "/", url))
        if parsed.scheme == "data" and tag == "img":
            return
        if f"{parsed.scheme}://{parsed.netloc}" != self.origin:
            self.problems.append(f"<{tag}> from another origin: {url}")


SKIP_CRAWL = re.compile(r"/(logout|delete|leave|remove|api/|admin/|i18n/)|/attachment/")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_pages_satisfy_the_content_security_policy(stack, who):
    """Crawl what a visitor or a member can reach (GET only) and audit every page."""
    cookie = {} if who == "anonymous" else stack.cookie("member")
    seen: set[str] = set()
    queue = ["/", "/accounts/login/", "/accounts/signup/"]
    if who == "member":
        queue += [f"/teams/{stack.data['team']}/"]
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < 40:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = stack.request(path, headers=cookie)
        if status != 200 or "text/html" not in header(headers, "Content-Type"):
            continue
        audit = CspAudit(stack.https)
        audit.feed(body.decode("utf-8", "replace"))
        if audit.problems:
            problems[path] = audit.problems
        for link in audit.links:
            parsed = urlparse(urljoin(stack.https + path, link))
            if parsed.netloc == urlparse(stack.https).netloc and not SKIP_CRAWL.search(parsed.path):
                queue.append(parsed.path)
    assert len(seen) >= 3, seen
    assert not problems, json.dumps(problems, indent=1)


def test_api_docs_live_under_the_same_policy(stack):
    """Swagger UI from the site's static files, its start-up script a file: no CDN, no
    inline code, so /api/docs/ needs no exception (and works without internet)."""
    status, headers, body = stack.request("/api/docs/")
    assert status == 200
    assert_security_headers(headers)
    audit = CspAudit(stack.https)
    audit.feed(body.decode("utf-8", "replace"))
    assert not audit.problems, audit.problems
    assert b"jsdelivr" not in body


# --- static files -------------------------------------------------------------------------


def test_hashed_static_files_are_cached_for_a_year(stack):
    manifest = json.loads((stack.tmp / "static" / "staticfiles.json").read_text())
    original, hashed = next(
        (name, hashed) for name, hashed in manifest["paths"].items() if name.endswith(".css")
    )

    status, headers, body = stack.request(f"/static/{hashed}")
    assert status == 200
    assert body == (stack.tmp / "static" / hashed).read_bytes()
    assert header(headers, "Cache-Control") == "public, max-age=31536000, immutable"
    assert header(headers, "Content-Type").startswith("text/css")

    status, headers, _ = stack.request(f"/static/{original}")
    assert status == 200
    assert header(headers, "Cache-Control") == "public, max-age=3600"


def test_static_files_are_compressed_on_request(stack):
    manifest = json.loads((stack.tmp / "static" / "staticfiles.json").read_text())
    hashed = next(h for name, h in manifest["paths"].items() if name.endswith(".js"))

    _, headers, _ = stack.request(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})

    assert header(headers, "Content-Encoding") == "gzip"


# --- attachments --------------------------------------------------------------------------


def attachment_path(stack) -> str:
    return f"/teams/{stack.data['team']}/posts/{stack.data['post']}/attachment/"


def test_a_member_downloads_the_attachment_through_x_accel_redirect(stack):
    status, headers, body = stack.request(attachment_path(stack), headers=stack.cookie("member"))

    assert status == 200
    assert body == ATTACHMENT
    assert header(headers, "Content-Disposition").startswith('attachment; filename="minutes.txt"')
    assert absent(headers, "X-Accel-Redirect")
    assert header(headers, "X-Content-Type-Options") == "nosniff"
    assert header(headers, "X-Frame-Options") == "DENY"
    assert header(headers, "Strict-Transport-Security").startswith("max-age=31536000")
    assert header(headers, "Cache-Control") == "private, no-store"
    assert "sandbox" in header(headers, "Content-Security-Policy")


@pytest.mark.parametrize("who", ["outsider", None])
def test_attachments_need_a_members_session(stack, who):
    cookie = stack.cookie(who) if who else {}

    status, headers, body = stack.request(attachment_path(stack), headers=cookie)

    assert status in (302, 404), status
    assert ATTACHMENT not in body
    if who is None:
        assert "/accounts/login/" in header(headers, "Location")


@pytest.mark.parametrize("prefix", ["/media/", "/protected/"])
def test_stored_files_are_never_reachable_directly(stack, prefix):
    status, _, body = stack.request(prefix + stack.data["stored"], headers=stack.cookie("member"))

    assert status == 404
    assert ATTACHMENT not in body


def test_uploads_over_the_limit_are_refused_by_nginx(stack):
    body = b"x" * (13 * 1024 * 1024)
    headers = {**stack.cookie("member"), "Content-Type": "application/octet-stream"}

    status, _, _ = stack.request(
        f"/api/v1/teams/{stack.data['team']}/posts/", method="POST", headers=headers, body=body
    )

    assert status == 413


# --- WebSockets ---------------------------------------------------------------------------


def _ws(stack, path: str, cookie: dict[str, str]):
    import websockets

    return websockets.connect(
        f"wss://{LOCALHOST}:{stack.layout.https_port}{path}",
        ssl=stack.ssl_context(),
        origin=stack.https,
        additional_headers=cookie,
        open_timeout=10,
    )


def test_websocket_upgrade_reaches_a_live_mindmap(stack):
    if stack.data["mindmap"] is None:
        pytest.fail("teammoa.mindmap has no Mindmap model to open a socket on")

    async def scenario():
        path = f"/ws/mindmaps/{stack.data['mindmap']}/"
        async with _ws(stack, path, stack.cookie("member")) as ws:
            return await first_snapshot(ws)

    snapshot = asyncio.run(scenario())

    assert snapshot["mindmap"]["id"] == stack.data["mindmap"]


def test_websocket_upgrade_without_a_session_is_closed_by_the_app(stack):
    import websockets

    async def scenario():
        async with _ws(stack, "/ws/mindmaps/1/", {}) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            return closed.value.rcvd.code

    # Upgraded through nginx (101), then closed by the app with an application code.
    assert 4000 <= asyncio.run(scenario()) < 5000


# --- operations: request ids and metrics --------------------------------------------------


def test_every_request_carries_nginxs_request_id_not_the_clients(stack):
    ids = set()
    for _ in range(2):
        status, headers, _ = stack.request("/accounts/login/", headers={"X-Request-ID": "forged"})
        assert status == 200
        ids.add(header(headers, "X-Request-ID"))

    assert len(ids) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids), ids


def test_metrics_are_refused_outside_the_monitoring_network(stack):
    status, _, body = stack.request("/metrics")

    assert status == 403
    assert b"teammoa_" not in body


# --- logging and failover (last: stops an app server) -------------------------------------


def test_the_app_logs_requests_with_the_client_address_but_not_health_probes(stack):
    stack.request("/accounts/login/?probe=logging", headers={"X-Forwarded-For": "6.6.6.6"})

    def logged() -> str | None:
        text = "".join(server.output for server in stack.servers)
        return text if "probe=logging" in text or "/accounts/login/" in text else None

    text = wait_until(logged, 5, "the request in an app server's access log")
    # The access-log lines (the warm-up's own line names the page too, with no client).
    lines = [line for line in text.splitlines() if '"GET /accounts/login/' in line]
    assert lines and all("127.0.0.1" in line and "6.6.6.6" not in line for line in lines)
    assert "/health/" not in text


def test_a_calendar_feeds_key_stays_out_of_every_access_log(stack):
    """A member's feed address is the key to their team's calendar: nginx's access log and
    the app servers' lines name the path with ``<token>`` instead (a wrong key here: the
    line is written all the same)."""
    key = "fEEd-k3y-0f-a-member"
    status, _, _ = stack.request(f"/teams/1/calendar/{key}.ics?probe=feed")
    access_log = stack.layout.root / "logs" / "access.log"

    def logged() -> str | None:
        text = access_log.read_text() if access_log.exists() else ""
        app = "".join(server.output for server in stack.servers)
        return text + app if "probe=feed" in text and "/calendar/<token>.ics" in app else None

    text = wait_until(logged, 5, "the feed request in nginx's and an app server's log")
    assert status == 404
    assert key not in text
    line = next(line for line in text.splitlines() if "probe=feed" in line)
    assert '"GET /teams/1/calendar/<token>.ics?probe=feed HTTP/' in line, line
    assert re.search(r" [0-9a-f]{32}$", line), line  # the request id, as the app logs it


def test_requests_fail_over_when_an_app_server_stops(stack):
    stopped = stack.servers[0]
    assert stopped.stop() == 0

    statuses = [stack.request("/health/live/")[0] for _ in range(10)]
    statuses += [stack.request("/accounts/login/")[0] for _ in range(4)]

    assert statuses == [200] * 14
