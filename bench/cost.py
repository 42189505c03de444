"""CPU and queries per request of each endpoint of the HTTP mix, in one process.

The load test (``bench/run_http.py``) measures the whole system, which on a shared
machine swings with everything else running there. This measures only what one request
costs the application: each endpoint of ``bench/http_mix.py`` is requested ``--repeat``
times through Django's full request path (every middleware, the session, the view, the
template; Django's test client, so no server and no sockets), and the process CPU time
and the database queries per request are reported. Run it against a database seeded by
``bench/run_http.py --keep DIR`` (its manifest and environment)::

    python bench/cost.py --manifest DIR/manifest.json --repeat 200

It needs the same environment as the server (``DATABASE_URL``, ``REDIS_URL``, ...);
``DJANGO_SETTINGS_MODULE`` defaults to the production settings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def endpoints(team: int, week: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, path, headers) in the mix's order; the weights are in bench/http_mix.py."""
    api = {"HTTP_ACCEPT": "application/json"}
    return [
        ("home", "/", {}),
        ("api team list", "/api/v1/teams/", api),
        ("api team detail", f"/api/v1/teams/{team}/", api),
        ("api todo list", f"/api/v1/teams/{team}/todos/", api),
        ("api availability", f"/api/v1/teams/{team}/schedule/availability/?week={week}", api),
        ("board page", f"/teams/{team}/posts/", {}),
        ("health", "/health/", {}),
    ]


WEIGHTS = {
    "home": 25,
    "api team list": 20,
    "api team detail": 15,
    "api todo list": 15,
    "api availability": 10,
    "board page": 10,
    "health": 5,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--users",
        type=int,
        default=150,
        help="signed-in users taking turns (the load test's largest level: 150)",
    )
    parser.add_argument("--only", action="append", help="just this endpoint (repeatable)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    manifest = json.loads(args.manifest.read_text())
    users = manifest["users"][: max(1, args.users)]
    results = {}
    # Every user signs in once first, as in the load test's warm-up: what is cached per
    # user (the session, the user's row) is warm when the measuring starts. One client
    # per user, kept: a test client builds Django's middleware chain on its first
    # request, which a server does once per process, not per request.
    clients = []
    for entry in users:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        client.cookies[manifest["cookie"]] = entry["session"]
        client.get("/")
        clients.append(client)
    for name, path, headers in endpoints(users[0]["team"], manifest["week"]):
        if args.only and name not in args.only:
            continue
        cpu, wall, queries = [], [], []
        for i in range(args.repeat + 10):
            entry = users[i % len(users)]
            client = clients[i % len(users)]
            path_i = path.replace(f"/{users[0]['team']}/", f"/{entry['team']}/")
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started_cpu, started = time.process_time(), time.perf_counter()
                response = client.get(path_i, **headers)
                spent_cpu, spent = time.process_time() - started_cpu, time.perf_counter() - started
            if response.status_code != 200:
                print(f"{name}: {path_i} answered {response.status_code}", file=sys.stderr)
                return 1
            if i >= 10:  # the first requests warm caches and imports
                cpu.append(spent_cpu * 1000)
                wall.append(spent * 1000)
                queries.append(len(captured.captured_queries))
        results[name] = {
            "cpu_ms": statistics.median(cpu),
            "cpu_ms_mean": statistics.fmean(cpu),
            "wall_ms": statistics.median(wall),
            "queries": max(queries),
        }
    weights = {name: weight for name, weight in WEIGHTS.items() if name in results}
    total = sum(weights.values())
    mix = sum(results[name]["cpu_ms_mean"] * weight for name, weight in weights.items()) / total
    print(f"{'endpoint':18} {'CPU ms (median)':>16} {'CPU ms (mean)':>14} {'queries':>8}")
    for name, row in results.items():
        print(f"{name:18} {row['cpu_ms']:16.2f} {row['cpu_ms_mean']:14.2f} {row['queries']:8d}")
    print(f"{'mix (weighted)':18} {'':16} {mix:14.2f}")
    if args.json:
        args.json.write_text(json.dumps({"endpoints": results, "mix_cpu_ms": mix}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
