"""A burst of mindmap sockets (issue 17): S sockets opened within one second, one server.

Starts the socket server as production does (``deploy/serve.py ws``), creates P people
over M mindmaps (``ws_fanout.setup_world``: each mindmap a team of its own), opens every
person's share of the S sockets to that person's mindmap within ``--within`` seconds, and
prints the time from each socket's open to its snapshot (p50/p99/max) and what the
server spent per connect: the CPU time (user + system, from /proc) of the server process
from the first open until the last snapshot, divided by S. Then all close together and
it prints the CPU per close. ``--profile FILE`` records the server with py-spy meanwhile
(speedscope format).

Needs the site's database and Redis (DATABASE_URL, REDIS_URL, as ws_fanout.py)::

    .venv/bin/python bench/ws_burst.py --sockets 1000 --people 100 --maps 100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ws_fanout import cpu_seconds, setup_world, spawn_servers, stop_servers


async def open_one(url: str, spec: dict, delay: float, batch: bool) -> tuple[float | None, Any]:
    from websockets.asyncio.client import connect

    await asyncio.sleep(delay)
    started = time.monotonic()
    query = "?batch=1" if batch else ""
    try:
        ws = await connect(
            f"{url}/ws/mindmaps/{spec['mindmap']}/{query}",
            origin=url.replace("ws://", "http://"),
            additional_headers={"Cookie": f"sessionid={spec['session']}"},
            open_timeout=60,
            close_timeout=5,
            max_size=2**24,
        )
        async with asyncio.timeout(60):
            while True:
                data = json.loads(await ws.recv())
                messages = data["messages"] if data.get("type") == "batch" else [data]
                if any(message["type"] == "snapshot" for message in messages):
                    return time.monotonic() - started, ws
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]


async def drain(ws) -> None:
    with contextlib.suppress(Exception):
        async for _frame in ws:
            pass


def quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, int(len(values) * q) - 1))]


async def burst(url: str, specs: list[dict], args, server) -> bool:
    pairs = [specs[n % len(specs)] for n in range(args.sockets)]
    random.Random(17).shuffle(pairs)
    cpu_before = cpu_seconds([server])
    opening = time.monotonic()
    results = await asyncio.gather(
        *(
            open_one(url, spec, args.within * n / len(pairs), args.batch)
            for n, spec in enumerate(pairs)
        )
    )
    wall = time.monotonic() - opening
    cpu = cpu_seconds([server]) - cpu_before
    waits = sorted(seconds for seconds, _ws in results if seconds is not None)
    failed = [error for seconds, error in results if seconds is None]
    sockets = [ws for seconds, ws in results if seconds is not None]
    drains = [asyncio.get_running_loop().create_task(drain(ws)) for ws in sockets]
    print(f"{len(pairs)} sockets opened within {args.within:g} s: {len(failed)} without a snapshot")
    if failed:
        print("  e.g.", failed[:3])
    if waits:
        print(
            f"open to snapshot: p50 {statistics.median(waits):.2f} s  "
            f"p99 {quantile(waits, 0.99):.2f} s  max {waits[-1]:.2f} s"
        )
    print(
        f"server CPU: {cpu:.2f} s over the {wall:.1f} s of the burst, "
        f"{cpu / len(pairs) * 1000:.2f} ms per connect"
    )
    await asyncio.sleep(1)
    cpu_before = cpu_seconds([server])
    closing = time.monotonic()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in drains:
        task.cancel()
    await asyncio.sleep(args.settle)
    cpu = cpu_seconds([server]) - cpu_before
    print(
        f"closing them: {time.monotonic() - closing - args.settle:.1f} s, server CPU {cpu:.2f} s "
        f"(with {args.settle:g} s after), {cpu / max(1, len(sockets)) * 1000:.2f} ms per close"
    )
    return not failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--maps", type=int, default=100)
    parser.add_argument("--within", type=float, default=1.0, help="seconds to open them in")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--no-batch", dest="batch", action="store_false")
    parser.add_argument("--profile", help="record the server with py-spy into this file")
    args = parser.parse_args()
    if not 1 <= args.sockets <= 2000 or not 1 <= args.maps <= args.people <= args.sockets:
        raise SystemExit("--sockets 1..2000, 1 <= --maps <= --people <= --sockets")
    world = setup_world(args.people, args.maps)
    from django.db import connections

    connections.close_all()
    processes, urls = spawn_servers(1, serve=True)
    spy = None
    try:
        time.sleep(2)  # the server's warm-up
        if args.profile:
            spy = subprocess.Popen(
                ["py-spy", "record", "-p", str(processes[0].pid), "-o", args.profile,
                 "--format", "speedscope", "--rate", "200", "--nonblocking"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1)
        ok = asyncio.run(burst(urls[0], world["clients"], args, processes[0]))
    finally:
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
        stop_servers(processes)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
