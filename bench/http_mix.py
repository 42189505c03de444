"""Locust user for the HTTP benchmark: one fixed request mix of a real team session.

Every simulated user is one seeded member, signed in (the session cookie comes from the
manifest ``bench/seed.py signin`` wrote), and requests, with no think time:

====================================  ======
home page ``/``                        25 %
team list API ``/api/v1/teams/``       20 %
team detail API                        15 %
todo list API                          15 %
schedule availability API              10 %
board page ``/teams/<id>/posts/``      10 %
health ``/health/``                     5 %
====================================  ======

``BENCH_MANIFEST`` names the manifest; ``BENCH_RATE`` (requests per second per user) turns
"no think time" into a fixed offered load (``constant_throughput``). A response other than
200, or a page that does not show the signed-in user's team, counts as a failure::

    BENCH_MANIFEST=/tmp/manifest.json locust -f bench/http_mix.py --headless \\
        -H https://127.0.0.1:18643 -u 150 -r 150 -t 60s

``bench/run_http.py`` (the ``bench`` nox session) runs the whole ladder.
"""

from __future__ import annotations

import itertools
import json
import os
import ssl
import threading

import gevent.ssl
from locust import between, constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

_manifest: dict | None = None
_next = itertools.count()
_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def manifest() -> dict:
    global _manifest
    if _manifest is None:
        with open(os.environ["BENCH_MANIFEST"]) as handle:
            _manifest = json.load(handle)
    return _manifest


def _shared_ssl_context(**_: object) -> ssl.SSLContext:
    """One TLS context for every simulated user.

    geventhttpclient otherwise builds a context per user and loads the whole CA bundle
    into it (~30 ms of CPU each): with 150 users spawned at once the load generator spent
    its first 15-20 s on that while the servers idled.
    """
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = gevent.ssl._create_unverified_context()
    return _ssl_context


def _wait_time():
    rate = float(os.environ.get("BENCH_RATE", "0") or 0)
    if rate > 0:
        return constant_throughput(rate)
    if os.environ.get("BENCH_THINK"):
        low, high = (float(v) for v in os.environ["BENCH_THINK"].split(","))
        return between(low, high)
    return constant(0)


class TeamMember(FastHttpUser):
    """One signed-in member going through the mix with no think time."""

    wait_time = _wait_time()
    # Self-signed certificate of the local nginx; only 127.0.0.1 is ever contacted.
    insecure = True
    ssl_context_factory = staticmethod(_shared_ssl_context)
    network_timeout = 30.0
    connection_timeout = 10.0
    concurrency = 1

    def on_start(self) -> None:
        data = manifest()
        with _lock:
            entry = data["users"][next(_next) % len(data["users"])]
        self.team = entry["team"]
        self.week = data["week"]
        self.cookie = f"{data['cookie']}={entry['session']}"
        self.headers = {"Cookie": self.cookie}
        self.api_headers = {"Cookie": self.cookie, "Accept": "application/json"}

    def _get(self, path: str, name: str, headers: dict, expect: bytes | None = None) -> None:
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect is not None and expect not in (response.content or b""):
                response.failure(f"{expect!r} missing")
            else:
                response.success()

    @task(25)
    def home(self) -> None:
        self._get("/", "home", self.headers)

    @task(20)
    def team_list(self) -> None:
        self._get("/api/v1/teams/", "api team list", self.api_headers, b'"results"')

    @task(15)
    def team_detail(self) -> None:
        self._get(f"/api/v1/teams/{self.team}/", "api team detail", self.api_headers, b'"id"')

    @task(15)
    def todo_list(self) -> None:
        self._get(f"/api/v1/teams/{self.team}/todos/", "api todo list", self.api_headers)

    @task(10)
    def availability(self) -> None:
        self._get(
            f"/api/v1/teams/{self.team}/schedule/availability/?week={self.week}",
            "api availability",
            self.api_headers,
        )

    @task(10)
    def board(self) -> None:
        self._get(f"/teams/{self.team}/posts/", "board page", self.headers, b"Meeting notes")

    @task(5)
    def health(self) -> None:
        self._get("/health/", "health", {}, b'"healthy"')
