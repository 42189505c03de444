"""``/metrics`` (SPEC section 9): what it counts, who may read it, several processes."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from teammoa.mindmap import signals as mindmap_signals
from teammoa_site.health import run_checks
from tests.support.processes import clean_env, report_settings


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: Client, **headers: str) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            found.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return found


# --- HTTP -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_method_and_status(client):
    before = sample("teammoa_http_requests_total", route="home", method="GET", status="200")
    timed = sample("teammoa_http_request_duration_seconds_count", route="home", method="GET")

    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404

    assert sample("teammoa_http_requests_total", route="home", method="GET", status="200") == (
        before + 1
    )
    assert sample("teammoa_http_request_duration_seconds_count", route="home", method="GET") == (
        timed + 1
    )
    # A URL no pattern matches is one series, not one per path.
    assert sample("teammoa_http_requests_total", route="unmatched", method="GET", status="404")


@pytest.mark.django_db
def test_the_exposition_is_prometheus_text_with_the_request_metrics(client):
    client.get("/")

    found = scrape(client)

    assert (("method", "GET"), ("route", "home"), ("status", "200")) in found[
        "teammoa_http_requests_total"
    ]
    assert "teammoa_http_request_duration_seconds_bucket" in found
    assert found["teammoa_health_check_up"][(("check", "database"),)] == 1
    assert "teammoa_build_info" in found


def test_metrics_answer_whatever_the_host_header_like_health(client):
    # Prometheus scrapes each instance by address; ALLOWED_HOSTS names the public host.
    response = client.get("/metrics", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


@override_settings(TEAMMOA_METRICS_TOKEN="s3cret-token")
def test_with_a_token_only_the_right_bearer_gets_an_answer(client):
    for headers in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": "s3cret-token"},
        {"HTTP_AUTHORIZATION": "Basic s3cret-token"},
    ):
        response = client.get("/metrics", **headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"teammoa_" not in response.content

    assert scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-token")


@override_settings(TEAMMOA_METRICS_ENABLED=False)
def test_switched_off_metrics_are_not_found(client):
    assert client.get("/metrics").status_code == 404


# --- health checks ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_checks_report_their_latency_and_state():
    count = sample("teammoa_health_check_duration_seconds_count", check="database")

    def broken() -> str:
        raise ConnectionError("refused")

    run_checks({"database": lambda: "ok", "redis": broken})

    assert sample("teammoa_health_check_duration_seconds_count", check="database") == count + 1
    assert sample("teammoa_health_check_up", check="database") == 1
    assert sample("teammoa_health_check_up", check="redis") == 0


@override_settings(TEAMMOA_HEALTH_TIMEOUT=0.2)
def test_a_hanging_check_counts_as_down_at_the_deadline():
    import threading

    release = threading.Event()
    count = sample("teammoa_health_check_duration_seconds_count", check="hanging")
    try:
        run_checks({"hanging": lambda: release.wait(5) and "ok"})
    finally:
        release.set()

    assert sample("teammoa_health_check_up", check="hanging") == 0
    assert sample("teammoa_health_check_duration_seconds_count", check="hanging") == count + 1


# --- the mindmap's signals ----------------------------------------------------------------------


def test_the_mindmap_signals_become_metrics():
    queue = sample("teammoa_mindmap_writer_queue")
    batches = sample("teammoa_mindmap_writer_batch_seconds_count", outcome="ok")
    failed = sample("teammoa_mindmap_writer_batch_seconds_count", outcome="failed")
    sizes = sample("teammoa_mindmap_writer_batch_size_sum")
    lags = sample("teammoa_mindmap_delivery_lag_seconds_count")
    resyncs = sample("teammoa_mindmap_resyncs_total")
    clients = sample("teammoa_mindmap_resynced_clients_total")

    mindmap_signals.writes_queued.send(sender=object, delta=3)
    assert sample("teammoa_mindmap_writer_queue") == queue + 3
    mindmap_signals.writes_queued.send(sender=object, delta=-3)
    mindmap_signals.writer_batch.send(sender=object, size=3, seconds=0.02, ok=True)
    mindmap_signals.writer_batch.send(sender=object, size=2, seconds=1.5, ok=False)
    mindmap_signals.bundle_received.send(sender=object, lag=0.004)
    mindmap_signals.room_resynced.send(sender=object, mindmap=1, members=4)

    assert sample("teammoa_mindmap_writer_queue") == queue
    assert sample("teammoa_mindmap_writer_batch_seconds_count", outcome="ok") == batches + 1
    assert sample("teammoa_mindmap_writer_batch_seconds_count", outcome="failed") == failed + 1
    assert sample("teammoa_mindmap_writer_batch_size_sum") == sizes + 5
    assert sample("teammoa_mindmap_delivery_lag_seconds_count") == lags + 1
    assert sample("teammoa_mindmap_resyncs_total") == resyncs + 1
    assert sample("teammoa_mindmap_resynced_clients_total") == clients + 4


# --- WebSockets -------------------------------------------------------------------------------


@database_sync_to_async
def member_with_mindmap():
    from teammoa.core.testing.factories import host_of, make_team
    from teammoa.mindmap.models import Mindmap

    team = make_team()
    user = host_of(team).user
    mindmap = Mindmap.objects.create(team=team, title="Ideas")
    client = Client()
    client.force_login(user)
    return mindmap.pk, client.cookies["sessionid"].value


def socket_to(path: str, cookie: str | None = None) -> WebsocketCommunicator:
    from teammoa_site.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_connections_frames_and_closes_are_counted():
    mindmap_id, cookie = await member_with_mindmap()
    socket = "mindmaps"
    before = {
        "open": sample("teammoa_websocket_connections", socket=socket),
        "accepted": sample("teammoa_websocket_connections_accepted_total", socket=socket),
        "cursor": sample("teammoa_websocket_frames_received_total", socket=socket, type="cursor"),
        "invalid": sample("teammoa_websocket_frames_received_total", socket=socket, type="invalid"),
        "unknown": sample("teammoa_websocket_frames_received_total", socket=socket, type="unknown"),
        "snapshot": sample("teammoa_websocket_frames_sent_total", socket=socket, type="snapshot"),
        "error": sample("teammoa_websocket_frames_sent_total", socket=socket, type="error"),
        "client_close": sample(
            "teammoa_websocket_closes_total", socket=socket, code="1000", by="client"
        ),
        "refused": sample(
            "teammoa_websocket_closes_total", socket=socket, code="4401", by="server"
        ),
    }

    communicator = socket_to(f"/ws/mindmaps/{mindmap_id}/", cookie)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "snapshot"
    assert sample("teammoa_websocket_connections", socket=socket) == before["open"] + 1
    await communicator.send_to(text_data='{"type": "cursor", "x": 1, "y": 2}')
    await communicator.send_to(text_data="{not json")
    await communicator.send_to(text_data='{"type": "made.up.type.1234"}')
    assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    assert (await communicator.receive_json_from(timeout=5))["type"] == "error"
    await communicator.disconnect(code=1000)

    anonymous = socket_to(f"/ws/mindmaps/{mindmap_id}/")
    await anonymous.connect(timeout=5)
    assert (await anonymous.receive_output(timeout=5))["code"] == 4401
    await anonymous.wait(timeout=5)

    def delta(key, name, **labels):
        return sample(name, **labels) - before[key]

    assert sample("teammoa_websocket_connections", socket=socket) == before["open"]
    assert delta("accepted", "teammoa_websocket_connections_accepted_total", socket=socket) == 2
    received = "teammoa_websocket_frames_received_total"
    assert delta("cursor", received, socket=socket, type="cursor") == 1
    assert delta("invalid", received, socket=socket, type="invalid") == 1
    # Whatever a client calls its frames, the label stays one of few.
    assert delta("unknown", received, socket=socket, type="unknown") == 1
    sent = "teammoa_websocket_frames_sent_total"
    assert delta("snapshot", sent, socket=socket, type="snapshot") == 1
    assert delta("error", sent, socket=socket, type="error") == 2
    closes = "teammoa_websocket_closes_total"
    assert delta("client_close", closes, socket=socket, code="1000", by="client") == 1
    assert delta("refused", closes, socket=socket, code="4401", by="server") == 1


# --- several processes ----------------------------------------------------------------------

ONE_REQUEST = """
from django.test import Client
response = Client().get("/health/live/")
report = {"status": response.status_code}
"""
SCRAPE = """
from django.test import Client
response = Client().get("/metrics")
report = {"status": response.status_code, "text": response.content.decode()}
"""


def test_in_multiprocess_mode_a_scrape_reports_every_process(tmp_path):
    env = clean_env(
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
    )
    for _ in range(2):
        assert report_settings(ONE_REQUEST, env)["status"] == 200

    report = report_settings(SCRAPE, env)

    assert report["status"] == 200
    counts = {
        s.labels["status"]: s.value
        for family in text_string_to_metric_families(report["text"])
        for s in family.samples
        if s.name == "teammoa_http_requests_total" and s.labels["route"] == "health_live"
    }
    assert counts == {"200": 2.0}  # one from each earlier process, none lost


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("[" * 30_000 + "]" * 30_000, "invalid"),  # RecursionError: it closed the socket
        ("[1, 2]", "invalid"),
        ('{"type": {"a": 1}}', "unknown"),
        ('{"type": "cursor", "x": 1, "y": 2}', "cursor"),
    ],
)
def test_any_client_frame_gets_a_label(text, label):
    # Found by the fuzz session: a frame of 30,000 nested brackets (valid JSON, too deep
    # for Python's parser) raised out of the metrics middleware and ended the socket.
    from teammoa_site.metrics import client_type

    assert client_type({"type": "websocket.receive", "text": text}) == label
