"""``/health/`` and ``/health/live/`` (SPEC section 6), in process and on a real server."""

from __future__ import annotations

import io
import logging
import threading
import time

import pytest
from django.test import override_settings

from teammoa_site.health import ExcludeHealthChecks, run_checks
from tests.support.network import SilentServer, free_port
from tests.support.processes import DaphneServer, clean_env, report_settings

# SPEC: "within 2 seconds even when a dependency hangs".
DEADLINE = 2.0
JUNK_HOSTS = ["10.0.0.7", "10.0.0.7:8080", "attacker.example", "not a host!", "[::1", ""]


def timed_get(client, path: str, **extra):
    started = time.monotonic()
    response = client.get(path, **extra)
    return response, time.monotonic() - started


# --- healthy ------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(REDIS_URL="")
def test_healthy_with_a_working_database_and_no_redis_configured(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "healthy",
        "checks": {"database": "ok", "redis": "skipped", "sockets": "ok"},
    }


def test_live_only_says_the_process_is_up(client):
    # No database access allowed here: liveness must not touch any dependency.
    response = client.get("/health/live/")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_health_reports_a_database_it_cannot_use(client):
    # Without the db fixture pytest-django refuses every connection, in every thread.
    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"].startswith("error")


# --- Redis failing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_unhealthy_naming_redis_when_nothing_listens(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response, elapsed = timed_get(client, "/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert "Connection" in body["checks"]["redis"]
    assert elapsed < DEADLINE


@pytest.mark.django_db
def test_unhealthy_within_the_deadline_when_redis_hangs(client, settings):
    with SilentServer() as server:
        settings.REDIS_URL = f"redis://127.0.0.1:{server.port}/0"

        response, elapsed = timed_get(client, "/health/")

        assert server.accepted >= 1, "the check never reached the hanging server"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert elapsed < DEADLINE


@pytest.mark.django_db
def test_a_check_hanging_under_another_configuration_is_not_this_answer(client, settings):
    from teammoa_site import health

    with SilentServer() as server:
        settings.REDIS_URL = f"redis://127.0.0.1:{server.port}/0"
        assert client.get("/health/").status_code == 503  # its check still hangs after this

        settings.REDIS_URL = ""
        health.forget()
        response = client.get("/health/")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["redis"] == "skipped"


@pytest.mark.django_db
def test_the_deadline_follows_the_setting(client, settings):
    settings.TEAMMOA_HEALTH_TIMEOUT = 0.3
    with SilentServer() as server:
        settings.REDIS_URL = f"redis://127.0.0.1:{server.port}/0"

        response, elapsed = timed_get(client, "/health/")

    assert response.status_code == 503
    assert elapsed < 1.0


def test_a_check_that_hangs_is_reported_at_the_deadline(settings):
    settings.TEAMMOA_HEALTH_TIMEOUT = 0.3
    release = threading.Event()

    def hang() -> str:
        release.wait(10)
        return "ok"

    started = time.monotonic()
    try:
        results = run_checks({"hung": hang, "fine": lambda: "ok"})
    finally:
        release.set()

    assert results == {"hung": "error: no answer within 0.3 s", "fine": "ok"}
    assert time.monotonic() - started < 1.0


def test_checks_run_concurrently():
    # Each check only completes if the other is running at the same time.
    barrier = threading.Barrier(2, timeout=1.0)

    def meet() -> str:
        barrier.wait()
        return "ok"

    assert run_checks({"one": meet, "two": meet}) == {"one": "ok", "two": "ok"}


def test_a_check_that_raises_is_reported_with_the_error():
    def broken() -> str:
        raise ConnectionError("refused")

    assert run_checks({"broken": broken}) == {"broken": "error: ConnectionError: refused"}


# --- database failing: the real server ----------------------------------------------------


def test_real_server_answers_503_naming_the_database_when_it_hangs(tmp_path):
    with SilentServer() as database:
        env = clean_env(
            DJANGO_SETTINGS_MODULE="teammoa_site.settings.dev",
            DATABASE_URL=f"mysql://root@127.0.0.1:{database.port}/x",
        )
        with DaphneServer(env, tmp_path) as server:
            health = server.request("/health/")
            live = server.request("/health/live/")
            head = server.request("/health/live/", method="HEAD")
            # Load balancers probe by IP: the Host header must not matter.
            by_ip = server.request("/health/live/", host="10.0.0.7")
            page_by_ip = server.request("/", host="10.0.0.7")

        assert database.accepted >= 1, "the check never reached the hanging database"
    assert health.status == 503
    assert health.elapsed < DEADLINE
    body = health.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["redis"] == "skipped"
    assert live.status == 200
    assert live.json() == {"status": "alive"}
    assert head.status == 200
    assert by_ip.status == 200
    assert page_by_ip.status == 400


# --- any Host, HEAD, POST, HTTPS redirects -------------------------------------------------


@pytest.mark.django_db
@override_settings(REDIS_URL="")
@pytest.mark.parametrize("host", JUNK_HOSTS)
def test_any_host_header_gets_the_health_answer(client, host):
    assert client.get("/", HTTP_HOST=host).status_code == 400  # the host really is refused

    health = client.get("/health/", HTTP_HOST=host)
    live = client.get("/health/live/", HTTP_HOST=host)

    assert health.status_code == 200
    assert health.json()["status"] == "healthy"
    assert live.status_code == 200


@pytest.mark.django_db
@override_settings(REDIS_URL="")
def test_head_is_answered(client):
    health = client.head("/health/", HTTP_HOST="10.0.0.7")
    live = client.head("/health/live/", HTTP_HOST="10.0.0.7")

    assert health.status_code == 200
    assert health["Content-Type"] == "application/json"
    assert live.status_code == 200


@pytest.mark.parametrize("path", ["/health/", "/health/live/"])
def test_post_is_not_handled_by_health(client, path):
    response = client.post(path, HTTP_HOST="10.0.0.7")

    # Past the health middleware the normal stack refuses the unknown host.
    assert response.status_code == 400
    assert b"healthy" not in response.content
    assert b"alive" not in response.content


@pytest.mark.django_db
@override_settings(REDIS_URL="", SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[])
def test_health_is_not_redirected_to_https_when_other_paths_are(client):
    page = client.get("/", HTTP_HOST="localhost")
    health = client.get("/health/", HTTP_HOST="10.0.0.7")
    live = client.get("/health/live/", HTTP_HOST="10.0.0.7")

    assert page.status_code == 301
    assert page["Location"] == "https://localhost/"
    assert health.status_code == 200
    assert live.status_code == 200


def test_prod_settings_do_not_redirect_health(tmp_path):
    """The production settings themselves, in a child process (no override_settings)."""
    env = clean_env(
        DJANGO_SETTINGS_MODULE="teammoa_site.settings.prod",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="teammoa.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    report = report_settings(
        "from django.test import Client\n"
        "client = Client()\n"
        "page = client.get('/', HTTP_HOST='teammoa.example')\n"
        "health = client.get('/health/', HTTP_HOST='10.0.0.7')\n"
        "live = client.get('/health/live/', HTTP_HOST='10.0.0.7')\n"
        "report = {'page': [page.status_code, page.get('Location')],\n"
        "          'health': [health.status_code, health.json()],\n"
        "          'live': live.status_code}\n",
        env,
    )

    assert report["page"] == [301, "https://teammoa.example/"]
    assert report["health"] == [
        200,
        {"status": "healthy", "checks": {"database": "ok", "redis": "skipped", "sockets": "ok"}},
    ]
    assert report["live"] == 200


# --- logging ------------------------------------------------------------------------------


def make_record(level: int, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("django.server", level, __file__, 1, message, args, None)


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ('"GET /health/ HTTP/1.1" 200 63', ()),
        ('"HEAD /health/live/ HTTP/1.1" 200 0', ()),
        # daphne's runserver: the path only appears once the arguments are applied
        (
            "HTTP %(method)s %(path)s %(status)s",
            ({"method": "GET", "path": "/health/", "status": 200},),
        ),
    ],
)
def test_filter_drops_health_access_records_below_warning(message, args):
    health_filter = ExcludeHealthChecks()

    assert not health_filter.filter(make_record(logging.INFO, message, *args))
    assert not health_filter.filter(make_record(logging.DEBUG, message, *args))
    assert health_filter.filter(make_record(logging.WARNING, message, *args))
    assert health_filter.filter(make_record(logging.ERROR, message, *args))


def test_filter_lets_a_malformed_record_through_to_the_handler():
    record = make_record(logging.INFO, "%s and %s", "only one argument")

    assert ExcludeHealthChecks().filter(record)


def test_filter_keeps_other_requests():
    assert ExcludeHealthChecks().filter(make_record(logging.INFO, '"GET /teams/ HTTP/1.1" 200 9'))


@pytest.fixture
def console_output():
    """What the configured LOGGING's console handler writes, for the duration of a test."""
    handler = next(
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(f, ExcludeHealthChecks) for f in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.parametrize("logger_name", ["django.server", "django.channels.server"])
def test_configured_logging_does_not_write_health_probes_at_info(console_output, logger_name):
    logger = logging.getLogger(logger_name)

    logger.info('"GET /health/ HTTP/1.1" 200 63')
    logger.info('"GET /health/live/ HTTP/1.1" 200 19')
    assert console_output.getvalue() == ""

    logger.info('"GET /teams/ HTTP/1.1" 200 9')
    logger.warning('"GET /health/ HTTP/1.1" 503 120')
    written = console_output.getvalue()
    assert "/teams/" in written
    assert "503" in written


@pytest.mark.django_db
@override_settings(REDIS_URL="")
def test_a_healthy_probe_logs_nothing(client, caplog):
    caplog.set_level(logging.DEBUG)

    assert client.get("/health/").status_code == 200
    assert client.get("/health/live/").status_code == 200

    assert [r for r in caplog.records if r.name.startswith(("django", "teammoa"))] == []


@pytest.mark.django_db
def test_a_failing_probe_logs_one_warning_naming_the_check(client, settings, caplog):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    caplog.set_level(logging.DEBUG)

    assert client.get("/health/").status_code == 503

    records = [r for r in caplog.records if r.name.startswith(("django", "teammoa"))]
    # Not also django.request's "Service Unavailable: /health/" for every probe.
    assert [(r.name, r.levelno) for r in records] == [("teammoa_site.health", logging.WARNING)]
    assert "redis" in records[0].getMessage()
    assert "database" not in records[0].getMessage()


# --- cheap probes: kept connections, one answer a second ------------------------------------


@pytest.mark.django_db
@override_settings(REDIS_URL="")
def test_an_answer_is_reused_for_a_second(client, settings, monkeypatch):
    from teammoa_site import health

    calls = []
    monkeypatch.setitem(health.CHECKS, "counted", lambda: calls.append(1) or "ok")
    settings.TEAMMOA_HEALTH_CACHE_SECONDS = 0.5

    first = [client.get("/health/").status_code for _ in range(5)]
    time.sleep(0.6)
    again = client.get("/health/").status_code

    assert first == [200] * 5 and again == 200
    assert len(calls) == 2


def test_a_hung_check_is_not_started_again_by_each_probe(settings):
    # One stuck thread per dependency, however often the balancers ask.
    settings.TEAMMOA_HEALTH_TIMEOUT = 0.2
    release = threading.Event()
    started = []

    def hang() -> str:
        started.append(1)
        release.wait(10)
        return "ok"

    try:
        results = [run_checks({"hung": hang}) for _ in range(3)]
        before = time.monotonic()
        late = run_checks({"hung": hang})
        waited = time.monotonic() - before
    finally:
        release.set()

    assert results == [{"hung": "error: no answer within 0.2 s"}] * 3
    assert late == {"hung": "error: no answer within 0.2 s"}
    assert waited < 0.1  # already past its deadline: reported at once
    assert started == [1]


@pytest.mark.django_db(transaction=True)
def test_the_database_check_keeps_its_connection(settings):
    from teammoa_site import health

    settings.REDIS_URL = ""
    connections_seen = []

    def check() -> str:
        from django.db import connections

        outcome = health.check_database()
        connections_seen.append(id(connections["default"].connection))
        return outcome

    assert [run_checks({"db": check}) for _ in range(3)] == [{"db": "ok"}] * 3
    assert len(set(connections_seen)) == 1
