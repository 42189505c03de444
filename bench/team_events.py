"""Team-event delivery benchmark: N open pages of one team, spread over Daphne processes.

The script plays the part of a gunicorn worker: it changes todos through core's services
(each change commits, and its ``todo.changed`` leaves through the channel layer), at
--rate changes per second for --seconds. Every page's socket records when each event
arrives. Printed: events delivered, p50/p95/p99/max from the commit to the arrival, and
whether every page got every event exactly once and in order.

Self-contained: a SQLite file in a temporary folder and the Redis of REDIS_URL (a prefix
of its own), two Daphne processes by default (--servers)::

    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/team_events.py --pages 40 --seconds 20

Only 127.0.0.1 is ever contacted; every run is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup(folder: Path, pages: int) -> dict:
    sys.path.insert(0, str(SITE))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from teammoa.core.testing.factories import add_member, host_of, make_team

    call_command("migrate", verbosity=0)
    team = make_team(max_members=100)
    members = [host_of(team).user, *(add_member(team).user for _ in range(min(pages, 99) - 1))]
    sessions = []
    for user in members:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return {"team": team.pk, "host": members[0], "sessions": sessions}


def start_servers(count: int, env: dict, folder: Path) -> tuple[list, list[int]]:
    processes, ports = [], []
    for number in range(count):
        port = free_port()
        log = (folder / f"daphne{number}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "teammoa_site.asgi:application",
                ],
                cwd=SITE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        ports.append(port)
    for port in ports:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"daphne on {port} did not start; see {folder}")
    return processes, ports


async def page(
    port: int, team: int, session: str, arrivals: list, ready: asyncio.Event, stop: asyncio.Event
) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{port}/ws/teams/{team}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={session}"},
    ) as client:
        while not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(client.recv(), 0.5))
            except TimeoutError:
                continue
            if message["type"] == "hello":
                ready.set()
            elif message["type"] == "todo.changed":
                arrivals.append((message["todo"], time.time()))


async def run(args: argparse.Namespace, world: dict, ports: list[int], pids: list[int]) -> None:
    from asgiref.sync import sync_to_async

    from teammoa.core import services

    stop = asyncio.Event()
    arrivals: list[list] = [[] for _ in range(args.pages)]
    readies = [asyncio.Event() for _ in range(args.pages)]
    sessions = world["sessions"]
    tasks = [
        asyncio.create_task(
            page(
                ports[n % len(ports)],
                world["team"],
                sessions[n % len(sessions)],
                arrivals[n],
                readies[n],
                stop,
            )
        )
        for n in range(args.pages)
    ]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 30)
    host, team = world["host"], world["team"]
    todo = await sync_to_async(services.create_todo)(host, team, "Benchmark")
    await asyncio.sleep(0.5)
    for found in arrivals:
        found.clear()
    committed: list[float] = []
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    interval = 1 / args.rate
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        started = time.monotonic()
        await sync_to_async(services.update_todo)(host, team, todo.pk, content=f"v{len(committed)}")
        committed.append(time.time())  # the change committed and its event left
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    await asyncio.sleep(2)
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    stop.set()
    await asyncio.gather(*tasks)

    lags, complete = [], True
    for found in arrivals:
        if len(found) != len(committed):
            complete = False
        for index, (_todo, at) in enumerate(found[: len(committed)]):
            lags.append((at - committed[index]) * 1000)
    lags.sort()

    def pct(p: float) -> float:
        return lags[min(len(lags) - 1, int(p * len(lags)))] if lags else float("nan")

    expected = len(committed) * args.pages
    print(
        f"pages {args.pages} on {len(ports)} server(s), {len(committed)} changes at "
        f"{args.rate}/s for {args.seconds} s"
    )
    print(f"delivered {len(lags)}/{expected} events ({len(lags) / args.seconds:.0f}/s)")
    print(
        f"commit -> page: p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, "
        f"p99 {pct(0.99):.1f} ms, max {lags[-1] if lags else float('nan'):.1f} ms, "
        f"mean {statistics.fmean(lags) if lags else float('nan'):.1f} ms"
    )
    if lags:
        print(
            f"servers' CPU: {cpu:.2f} s, {cpu / len(committed) * 1000:.2f} ms per change, "
            f"{cpu / len(lags) * 1e6:.0f} us per delivered frame (idle sockets included)"
        )
    print("verdict:", "OK" if complete and len(lags) == expected else "FAILED (events missing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is required (the channel layer between the servers)")
    folder = Path(tempfile.mkdtemp(prefix="teammoa-team-events-"))
    prefix = f"teammoa-bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="teammoa_site.settings.dev",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        LOG_FORMAT="plain",
    )
    world = setup(folder, args.pages)
    env = {**os.environ, "PYTHONPATH": str(SITE)}
    processes, ports = start_servers(args.servers, env, folder)
    try:
        asyncio.run(run(args, world, ports, [process.pid for process in processes]))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
