"""A real Prometheus (Debian's ``prometheus``) scrapes two live instances under a short load.

Two servers (deploy/serve.py) share MariaDB and Redis and require a metrics token; the
load is HTTP requests of several kinds and two WebSocket clients editing one mindmap from
different instances. Then the test asks Prometheus, through its HTTP API, for what an
operator's dashboard and alerts use: per-instance request counts and latencies, sockets
and frames, the mindmap writer, cross-instance delivery lag, resyncs, dependency checks;
and checks that the alert rules and every dashboard expression evaluate.

``TEAMMOA_PROMETHEUS_SCREENSHOT=<file.png>`` also saves a picture of Prometheus' graph page
(headless Chromium) with the request rates: the one in docs/production.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    DEPLOY_DIR,
    LOCALHOST,
    Server,
    django_admin,
    first_snapshot,
    free_port,
    http_get,
    make_team_data,
    reachable,
    require,
    scratch_database,
    serve_command,
    site_env,
    wait_until,
)

MONITORING = DEPLOY_DIR / "monitoring"
TOKEN = "prometheus-test-token-0123456789abcdef"
SCRAPE_SECONDS = 1


@dataclass
class Monitored:
    prometheus: str  # base URL
    servers: list[Server]
    data: dict[str, Any]
    tmp: Path

    def targets(self) -> list[str]:
        return [f"{LOCALHOST}:{server.port}" for server in self.servers]

    def query(self, expr: str) -> list[dict[str, Any]]:
        url = f"{self.prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        status, _, body = http_get(url)
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "success", (expr, answer)
        return answer["data"]["result"]

    def by_instance(self, expr: str) -> dict[str, float]:
        return {r["metric"].get("instance", ""): float(r["value"][1]) for r in self.query(expr)}


def prometheus_config(tmp: Path, targets: list[str]) -> Path:
    """The production rules, and a scrape config like deploy/monitoring/prometheus.yml's
    (same job name and token file) pointed at the local servers, plus a job without the
    token that must be refused."""
    shutil.copy(MONITORING / "alerts.yml", tmp / "alerts.yml")
    (tmp / "metrics-token").write_text(TOKEN)
    config = {
        "global": {
            "scrape_interval": f"{SCRAPE_SECONDS}s",
            "scrape_timeout": f"{SCRAPE_SECONDS}s",
            "evaluation_interval": f"{SCRAPE_SECONDS}s",
        },
        "rule_files": ["alerts.yml"],
        "scrape_configs": [
            {
                "job_name": "teammoa",
                "authorization": {"type": "Bearer", "credentials_file": "metrics-token"},
                "static_configs": [{"targets": targets}],
            },
            {"job_name": "without-token", "static_configs": [{"targets": targets}]},
        ],
    }
    path = tmp / "prometheus.yml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


@pytest.fixture(scope="module")
def monitored(services, tmp_path_factory) -> Iterator[Monitored]:
    binary = shutil.which("prometheus")
    require(binary is not None, "prometheus is not installed (apt-get install prometheus)")
    tmp = tmp_path_factory.mktemp("prometheus")
    with contextlib.ExitStack() as cleanup, scratch_database("teammoa_deploy_prometheus") as db:
        env = site_env(tmp, db)
        django_admin(env, "migrate", "--noinput")
        django_admin(env, "collectstatic", "--noinput", "--verbosity", "0")
        data = make_team_data(env)
        servers = []
        for number in (1, 2):
            port = free_port()
            server_env = site_env(
                tmp,
                db,
                port,
                TEAMMOA_METRICS_TOKEN=TOKEN,
                TEAMMOA_RELEASE="release-under-test",
                # Plain HTTP straight to the servers (nginx, which ends TLS, is not here).
                SECURE_SSL_REDIRECT="0",
            )
            server = Server(serve_command(), server_env, port, tmp / f"web{number}.log")
            cleanup.callback(server.stop)
            servers.append(server.start())

        port = free_port()
        config = prometheus_config(tmp, [f"{LOCALHOST}:{server.port}" for server in servers])
        log = (tmp / "prometheus.log").open("wb")
        cleanup.callback(log.close)
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp / 'tsdb'}",
                f"--web.listen-address={LOCALHOST}:{port}",
                "--web.enable-lifecycle",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def stop_prometheus() -> None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

        cleanup.callback(stop_prometheus)
        result = Monitored(f"http://{LOCALHOST}:{port}", servers, data, tmp)

        def ready() -> bool:
            assert process.poll() is None, (tmp / "prometheus.log").read_text()
            return http_get(f"{result.prometheus}/-/ready", timeout=2)[0] == 200

        wait_until(ready, 30, "Prometheus ready")
        apply_load(result)
        # Every metric of the load has been scraped from both instances.
        wait_until(
            lambda: (
                len(result.query("teammoa_mindmap_delivery_lag_seconds_count > 0")) >= 1
                and len(result.query('up{job="teammoa"} == 1')) == 2
                and len(result.query('up{job="without-token"}')) == 2
                and len(result.query("teammoa_mindmap_writer_batch_size_count > 0")) >= 1
                and len(result.query("teammoa_websocket_closes_total")) >= 2
            ),
            30,
            "the load's metrics in Prometheus",
        )
        yield result


def apply_load(monitored: Monitored) -> None:
    """A few seconds of traffic on both instances: pages, API, errors, two editors."""
    cookie = {"Cookie": f"sessionid={monitored.data['member']}"}
    team = monitored.data["team"]
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        for server in monitored.servers:
            base = f"http://{LOCALHOST}:{server.port}"
            assert http_get(f"{base}/accounts/login/")[0] == 200
            assert http_get(f"{base}/api/v1/teams/{team}/", **cookie)[0] == 200
            assert http_get(f"{base}/no-such-page/")[0] == 404
            assert http_get(f"{base}/health/")[0] == 200
    for server in monitored.servers:
        wait_until(
            lambda server=server: reachable(f"ws://{LOCALHOST}:{server.ws_port}", 0),
            30,
            "Daphne listening",
        )
    asyncio.run(edit_from_both_instances(monitored))


async def edit_from_both_instances(monitored: Monitored) -> None:
    import websockets

    mindmap = monitored.data["mindmap"]
    cookie = {"Cookie": f"sessionid={monitored.data['member']}"}
    first, second = monitored.servers

    def connect(server: Server):
        # Daphne's port beside gunicorn's (deploy/serve.py); both report through /metrics.
        origin = f"http://{LOCALHOST}:{server.ws_port}"
        return websockets.connect(
            f"ws://{LOCALHOST}:{server.ws_port}/ws/mindmaps/{mindmap}/",
            origin=origin,
            additional_headers=cookie,
            open_timeout=15,
        )

    async with connect(first) as here, connect(second) as there:
        await first_snapshot(here)
        await first_snapshot(there)
        await here.send(json.dumps({"type": "node.create", "title": "Idea", "x": 10, "y": 10}))
        for step in range(5):
            await here.send(json.dumps({"type": "cursor", "x": step, "y": step}))

        async def until(ws, kind: str) -> None:
            seen: list[str] = []
            try:
                async with asyncio.timeout(15):
                    while True:
                        frame = json.loads(await ws.recv())
                        batch = frame.get("type") == "batch"
                        frames = frame.get("messages", [frame]) if batch else [frame]
                        seen += [item.get("type") for item in frames]
                        if kind in seen:
                            return
            except TimeoutError:
                raise AssertionError(f"no {kind} within 15 s; got {seen}") from None

        # The change reached the other instance through Redis (delivery lag measured there).
        await until(there, "node.created")
        await until(here, "node.created")
        await there.send(json.dumps({"type": "resync"}))
        await until(there, "snapshot")
        await there.send("{not json")
        await until(there, "error")


# --- what the operator gets ---------------------------------------------------------------


def test_both_instances_are_scraped_with_the_token_and_refused_without(monitored):
    up = monitored.by_instance('up{job="teammoa"}')
    assert up == dict.fromkeys(monitored.targets(), 1.0)
    assert monitored.by_instance('up{job="without-token"}') == dict.fromkeys(
        monitored.targets(), 0.0
    )
    release = monitored.query('teammoa_build_info{job="teammoa"}')
    assert {r["metric"]["release"] for r in release} == {"release-under-test"}


def test_requests_by_route_method_and_status_with_latency(monitored):
    rows = monitored.query(
        'sum by (instance, route, status) (teammoa_http_requests_total{job="teammoa"})'
    )
    seen = {(r["metric"]["instance"], r["metric"]["route"], r["metric"]["status"]) for r in rows}
    for target in monitored.targets():
        assert (target, "account_login", "200") in seen
        assert (target, "teammoa_core_api:team-detail", "200") in seen
        assert (target, "unmatched", "404") in seen
        assert (target, "health", "200") in seen
    p95 = monitored.by_instance(
        "histogram_quantile(0.95, sum by (instance, le) "
        '(teammoa_http_request_duration_seconds_bucket{job="teammoa", route="account_login"}))'
    )
    assert set(p95) == set(monitored.targets())
    assert all(0 < value < 10 for value in p95.values()), p95


def test_websockets_frames_and_closes_per_instance(monitored):
    accepted = monitored.by_instance(
        'teammoa_websocket_connections_accepted_total{socket="mindmaps"}'
    )
    assert accepted == dict.fromkeys(monitored.targets(), 1.0)
    # Closed again (a socket leaves its room before the gauge goes down: allow a moment).
    wait_until(
        lambda: (
            monitored.by_instance('teammoa_websocket_connections{socket="mindmaps"}')
            == dict.fromkeys(monitored.targets(), 0.0)
        ),
        15,
        "no socket open on either instance",
    )
    frames_in = monitored.query('teammoa_websocket_frames_received_total{socket="mindmaps"}')
    types = {(r["metric"]["instance"], r["metric"]["type"]) for r in frames_in}
    first, second = monitored.targets()
    assert {
        (first, "node.create"),
        (first, "cursor"),
        (second, "resync"),
        (second, "invalid"),
    } <= types
    sent = {r["metric"]["type"] for r in monitored.query("teammoa_websocket_frames_sent_total")}
    assert {"snapshot", "node.created", "error"} <= sent
    closes = monitored.query(
        'sum by (code, by) (teammoa_websocket_closes_total{socket="mindmaps"})'
    )
    assert {(r["metric"]["code"], r["metric"]["by"]) for r in closes} == {("1000", "client")}


def test_the_mindmap_writer_delivery_lag_and_resyncs(monitored):
    first, second = monitored.targets()
    batches = monitored.by_instance("teammoa_mindmap_writer_batch_size_count")
    assert batches[first] >= 1
    assert monitored.by_instance("teammoa_mindmap_writer_queue")[first] == 0
    ok = monitored.by_instance('teammoa_mindmap_writer_batch_seconds_count{outcome="ok"}')
    assert ok[first] >= 1
    lag = monitored.by_instance("teammoa_mindmap_delivery_lag_seconds_count")
    assert lag.get(second, 0) >= 1, lag  # the edit made on the first arrived on the second
    mean = monitored.by_instance(
        "teammoa_mindmap_delivery_lag_seconds_sum / teammoa_mindmap_delivery_lag_seconds_count"
    )
    assert 0 <= mean[second] < 5, mean
    resyncs = monitored.query("teammoa_mindmap_resyncs_total")
    assert {r["metric"]["instance"] for r in resyncs} == set(monitored.targets())


def test_database_redis_and_socket_checks(monitored):
    rows = monitored.query('teammoa_health_check_up{job="teammoa"}')
    assert {(r["metric"]["instance"], r["metric"]["check"], r["value"][1]) for r in rows} == {
        (target, check, "1")
        for target in monitored.targets()
        for check in ("database", "redis", "sockets")
    }
    latency = monitored.query(
        'teammoa_health_check_duration_seconds_sum{job="teammoa"} '
        '/ teammoa_health_check_duration_seconds_count{job="teammoa"}'
    )
    assert len(latency) == 6 and all(0 < float(r["value"][1]) < 2 for r in latency)


def test_the_alert_rules_evaluate_against_the_real_metrics(monitored):
    def rules() -> list[dict]:
        status, _, body = http_get(f"{monitored.prometheus}/api/v1/rules")
        assert status == 200, body
        return json.loads(body)["data"]["groups"]

    def evaluated() -> list[dict] | None:
        groups = rules()
        done = all(rule.get("health") != "unknown" for g in groups for rule in g["rules"])
        return groups if done else None

    groups = wait_until(evaluated, 15, "every rule evaluated")
    assert {group["name"] for group in groups} == {
        "teammoa.instances",
        "teammoa.http",
        "teammoa.realtime",
        "teammoa.backups",
    }
    for group in groups:
        for rule in group["rules"]:
            assert rule["health"] == "ok", rule
    # The recorded request rate covers both instances (the alerts' input).
    wait_until(
        lambda: (
            set(monitored.by_instance("teammoa:http_requests:rate5m")) == set(monitored.targets())
        ),
        15,
        "the recorded request rate of both instances",
    )


def test_every_dashboard_expression_evaluates(monitored):
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "teammoa.json").read_text())
    expressions = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    assert len(expressions) > 20
    answered = 0
    for expr in expressions:
        concrete = expr.replace("$__rate_interval", "1m").replace("$instance", ".*")
        answered += bool(monitored.query(concrete))  # raises on a PromQL error
    # Most panels have data after a few seconds of load (backups and errors may not).
    assert answered >= len(expressions) - 6


def test_screenshot_of_prometheus_graphing_the_load(monitored):
    target = os.environ.get("TEAMMOA_PROMETHEUS_SCREENSHOT")
    if not target:
        pytest.skip("set TEAMMOA_PROMETHEUS_SCREENSHOT=<file.png> to take the picture")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "chromium is not installed")
    expr = 'sum by (instance) (rate(teammoa_http_requests_total{job="teammoa"}[3s]))'
    query = urllib.parse.urlencode(
        {"g0.expr": expr, "g0.tab": "0", "g0.range_input": "30s", "g0.stacked": "0"}
    )
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--virtual-time-budget=8000",
            f"--screenshot={Path(target).resolve()}",
            f"{monitored.prometheus}/graph?{query}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert Path(target).stat().st_size > 10_000
    assert re.search(rb"PNG", Path(target).read_bytes()[:8])
