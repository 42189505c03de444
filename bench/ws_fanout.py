"""WebSocket fan-out benchmark for the mindmap: N clients over M mindmaps (default 1).

Each client sends cursor frames at --cursor-hz and moves its own node at --move-hz for
--seconds; the script prints the messages per second delivered, p50/p95/p99 delivery
latency (cursors and moves), and checks that every client received every persisted
change of its mindmap in version order and that every client's final state equals the
database. With --maps M the clients are spread evenly over M mindmaps of M teams (many
teams with a few editors each, as a real deployment has).

Send times travel inside the positions (x + 5400·y = milliseconds modulo 5.4 h), so
latency needs no shared table and clients may run in several processes (--procs).

It needs the site's database (DATABASE_URL, the same as the server's) to create the
users, team and mindmap. Either point it at a running server (--url), or let it start
Daphne itself (--spawn N, N processes; clients are spread over them)::

    export DATABASE_URL=mysql://root@127.0.0.1:3306/teammoa_bench REDIS_URL=redis://127.0.0.1:6379/5
    .venv/bin/python site/manage.py migrate
    .venv/bin/python bench/ws_fanout.py --spawn 1 --clients 20 --seconds 20

Only 127.0.0.1 is ever contacted; every run is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
MODULO = 5400 * 3600  # milliseconds encoded in a position


def encode(ms: int) -> tuple[int, int]:
    ms %= MODULO
    return ms % 5400, ms // 5400


def age(x: int, y: int) -> float:
    """Milliseconds since the position was sent (all processes share this clock)."""
    return ((int(time.time() * 1000) % MODULO) - (y * 5400 + x)) % MODULO


# --- set-up (Django, in the main process) --------------------------------------------------


def setup_world(clients: int, maps: int = 1) -> dict:
    sys.path.insert(0, str(SITE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.dev")
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    # The site's own engine (cached_db in production): sessions sit in the cache as after
    # a real sign-in, so a handshake reads them from Redis, not from the database.
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    from teammoa.core.models import Membership, Role, Team
    from teammoa.mindmap.models import Mindmap, Node

    run = uuid.uuid4().hex[:6]
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{run}u{i}", nickname=f"Bench {i}") for i in range(clients)
    )
    if users[0].pk is None:  # a backend that does not return ids from bulk_create
        users = list(get_user_model().objects.filter(username__startswith=f"bench{run}u"))
        users.sort(key=lambda user: int(user.username.rsplit("u", 1)[1]))
    mindmaps = []
    for number in range(maps):
        team = Team.objects.create(
            title=f"Bench {run} {number}",
            max_members=100,
            join_password="!",  # noqa: S106 - an unusable hash
        )
        members = users[number::maps]
        Membership.objects.bulk_create(
            Membership(team=team, user=user, role=Role.HOST if i == 0 else Role.MEMBER)
            for i, user in enumerate(members)
        )
        mindmaps.append(Mindmap.objects.create(team=team, title="Bench"))
    nodes = [
        Node.objects.create(
            mindmap=mindmaps[i % maps], title=f"N{i}", x=10 + i % 5000, y=10, created_by=user
        )
        for i, user in enumerate(users)
    ]
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return {
        "maps": [mindmap.pk for mindmap in mindmaps],
        "clients": [
            {"user": u.pk, "session": s, "node": n.pk, "mindmap": n.mindmap_id}
            for u, s, n in zip(users, sessions, nodes, strict=True)
        ],
    }


def database_state(mindmap_id: int) -> dict:
    from teammoa.mindmap.models import Mindmap, Node

    return {
        "version": Mindmap.objects.get(pk=mindmap_id).version,
        "nodes": {n.pk: (n.x, n.y) for n in Node.objects.filter(mindmap_id=mindmap_id)},
    }


def database_states(mindmap_ids: list[int]) -> dict[int, dict]:
    return {mindmap_id: database_state(mindmap_id) for mindmap_id in mindmap_ids}


# --- one client --------------------------------------------------------------------------


class Client:
    def __init__(self, spec: dict, url: str, args: argparse.Namespace) -> None:
        self.spec, self.url, self.mindmap, self.args = spec, url, spec["mindmap"], args
        self.version = -1
        self.nodes: dict[int, tuple[int, int]] = {}
        self.cursor_ms: list[float] = []
        self.move_ms: list[float] = []
        self.received = self.frames = self.gaps = self.resyncs = 0
        self.snapshots = 0
        self.reconnects = 0
        self.snapshot_seconds = 0.0
        self.sent_cursors = self.sent_moves = self.acked = self.limited = self.errors = 0
        self.last_acked: tuple[int, int] | None = None
        self.final: dict | None = None
        self.final_state: tuple[int, dict] | None = None
        self.ready = asyncio.Event()
        self.finished = asyncio.Event()
        self.measuring = False

    async def run(self, start: float, stop: float) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidHandshake

        query = "?batch=1" if self.args.batch else ""
        opened = time.monotonic()
        for attempt in range(3):  # as the editor does: reconnect after a failed handshake
            try:
                self.ws = await connect(
                    f"{self.url}/ws/mindmaps/{self.mindmap}/{query}",
                    # The server's own origin (SPEC section 9: scheme, host and port match).
                    origin=self.url.replace("wss://", "https://", 1).replace("ws://", "http://", 1),
                    additional_headers={"Cookie": f"sessionid={self.spec['session']}"},
                    max_size=None,
                    open_timeout=30,
                )
                break
            except (OSError, InvalidHandshake):
                if attempt == 2:
                    raise
                self.reconnects += 1
                await asyncio.sleep(0.5 * (attempt + 1))
        receiver = asyncio.create_task(self.receive())
        await asyncio.wait_for(self.ready.wait(), 30)
        self.snapshot_seconds = time.monotonic() - opened
        await self.send_until(start, stop)
        await asyncio.sleep(self.args.settle)
        self.final_state = (self.version, dict(self.nodes))
        await self.ws.send(json.dumps({"type": "resync", "req": "final"}))
        try:
            await asyncio.wait_for(self.finished.wait(), 30)
        finally:
            receiver.cancel()
            await self.ws.close()

    async def send_until(self, start: float, stop: float) -> None:
        loop = asyncio.get_running_loop()
        cursor_every, move_every = 1 / self.args.cursor_hz, 1 / self.args.move_hz
        next_cursor = start + random.uniform(0, cursor_every)
        next_move = start + random.uniform(0, move_every)
        await asyncio.sleep(max(0, start - loop.time()))
        self.measuring = True
        sequence = 0
        while (now := loop.time()) < stop:
            if now >= next_cursor:
                x, y = encode(int(time.time() * 1000))
                await self.ws.send(json.dumps({"type": "cursor", "x": x, "y": y}))
                self.sent_cursors += 1
                next_cursor += cursor_every
            if now >= next_move:
                sequence += 1
                x, y = encode(int(time.time() * 1000))
                message = {"type": "node.move", "node": self.spec["node"], "x": x, "y": y}
                await self.ws.send(json.dumps({**message, "req": sequence}))
                self.sent_moves += 1
                next_move += move_every
            await asyncio.sleep(max(0, min(next_cursor, next_move) - loop.time()))
        self.measuring = False

    async def receive(self) -> None:
        async for frame in self.ws:
            self.frames += 1
            data = json.loads(frame)
            for message in data["messages"] if data.get("type") == "batch" else [data]:
                self.handle(message)

    def handle(self, message: dict) -> None:
        self.received += 1
        kind = message["type"]
        if kind == "snapshot":
            self.snapshots += 1
            if self.snapshots > 1 and message.get("req") != "final":
                self.resyncs += 1  # the server resynchronised us (a change came too late)
            self.version = message["version"]
            self.nodes = {n["id"]: (n["x"], n["y"]) for n in message["nodes"]}
            if message.get("req") == "final":
                self.final = message
                self.finished.set()
            self.ready.set()
        elif kind == "cursor":
            if self.measuring:
                self.cursor_ms.append(age(message["x"], message["y"]))
        elif kind == "error":
            if message["code"] == "rate_limited":
                self.limited += 1
            else:
                self.errors += 1
        elif "version" in message:
            if message.get("req") is not None and kind == "node.moved":
                self.acked += 1
                self.last_acked = (message["x"], message["y"])
            version = message["version"]
            if version <= self.version:
                return  # the answer to our own change, already in a snapshot
            if version != self.version + 1:
                self.gaps += 1
                asyncio.get_running_loop().create_task(self.ws.send(json.dumps({"type": "resync"})))
                return
            self.version = version
            if kind == "node.moved":
                self.nodes[message["node"]] = (message["x"], message["y"])
                self.move_ms.append(age(message["x"], message["y"]))

    def result(self) -> dict:
        final = self.final or {"version": None, "nodes": []}
        snapshot_nodes = {n["id"]: (n["x"], n["y"]) for n in final["nodes"]}
        state_version, state_nodes = self.final_state or (None, {})
        return {
            "node": self.spec["node"],
            "mindmap": self.mindmap,
            "cursor_ms": self.cursor_ms,
            "move_ms": self.move_ms,
            "received": self.received,
            "frames": self.frames,
            "gaps": self.gaps,
            "reconnects": self.reconnects,
            "snapshot_seconds": self.snapshot_seconds,
            "resyncs": self.resyncs,
            "sent_cursors": self.sent_cursors,
            "sent_moves": self.sent_moves,
            "acked": self.acked,
            "limited": self.limited,
            "errors": self.errors,
            "last_acked": self.last_acked,
            "snapshot": {"version": final["version"], "nodes": snapshot_nodes},
            "matches_snapshot": state_version == final["version"] and state_nodes == snapshot_nodes,
        }


async def run_clients(specs: list[tuple[dict, str]], args, start_at: float) -> list:
    loop = asyncio.get_running_loop()
    # start_at is wall-clock (shared by processes); convert to this loop's clock.
    start = loop.time() + (start_at - time.time())
    stop = start + args.seconds
    clients = [Client(spec, url, args) for spec, url in specs]
    await asyncio.gather(*(client.run(start, stop) for client in clients))
    return [client.result() for client in clients]


def worker(specs, args, start_at, out) -> None:
    out.send(asyncio.run(run_clients(specs, args, start_at)))
    out.close()


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn_servers(count: int, serve: bool = False) -> tuple[list[subprocess.Popen], list[str]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(SITE), os.environ.get("BENCH_EXTRA_PATH")])
        ),
    }
    if serve and not env.get("STATIC_ROOT"):
        # serve.py warms each process up on the site's pages, which name hashed static
        # files: collect them once, as the image does, or the warm-up answers 500.
        import tempfile

        env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="teammoa-bench-static-")
        env.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")  # as serve.py
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=SITE,
            env=env,
            check=True,
        )
    processes, urls = [], []
    for _ in range(count):
        port = free_port()
        daphne = [
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "teammoa_site.asgi:application",
        ]
        # --serve: the socket server as production runs it (deploy/serve.py's ws role).
        command = [str(ROOT / "deploy" / "serve.py"), "ws"] if serve else daphne
        processes.append(
            subprocess.Popen(
                [sys.executable, *command],
                cwd=SITE,
                env={
                    **env,
                    "PORT": str(port),
                    "TEAMMOA_BIND": "127.0.0.1",
                    "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
                },
                stdout=subprocess.DEVNULL,
                stderr=None if serve else subprocess.DEVNULL,
            )
        )
        urls.append(f"ws://127.0.0.1:{port}")
    for url, process in zip(urls, processes, strict=True):
        port = int(url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"daphne on {port} did not start") from None
                time.sleep(0.2)
    return processes, urls


def stop_servers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.kill()
        process.wait()


def cpu_seconds(processes: list[subprocess.Popen]) -> float:
    """CPU time (user + system) the server processes used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- report ----------------------------------------------------------------------------------


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    return f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {max(values):.0f} ms"


def report(results: list[dict], args, databases: dict[int, dict]) -> bool:
    n = len(results)
    per_map: dict[int, int] = {}
    acked_per_map: dict[int, int] = {}
    for r in results:
        per_map[r["mindmap"]] = per_map.get(r["mindmap"], 0) + 1
        acked_per_map[r["mindmap"]] = acked_per_map.get(r["mindmap"], 0) + r["acked"]
    cursor = [v for r in results for v in r["cursor_ms"]]
    moves = [v for r in results for v in r["move_ms"]]
    received = sum(r["received"] for r in results)
    sent_cursors = sum(r["sent_cursors"] for r in results)
    sent_moves = sum(r["sent_moves"] for r in results)
    acked = sum(r["acked"] for r in results)
    gaps = sum(r["gaps"] for r in results)
    resyncs = sum(r["resyncs"] for r in results)
    peer_positions = sum(r["sent_cursors"] * (per_map[r["mindmap"]] - 1) for r in results)
    expected_move_deliveries = sum(acked_per_map[m] * per_map[m] for m in per_map)
    lost_moves = sum(
        1
        for r in results
        if r["last_acked"] is not None
        and databases[r["mindmap"]]["nodes"].get(r["node"]) != tuple(r["last_acked"])
    )
    matches = sum(r["matches_snapshot"] for r in results)
    snapshot_is_db = all(
        r["snapshot"]["version"] == databases[r["mindmap"]]["version"]
        and r["snapshot"]["nodes"] == databases[r["mindmap"]]["nodes"]
        for r in results
    )
    versions_match = all(databases[m]["version"] == acked_per_map[m] for m in per_map)
    print(
        f"clients {n} over {len(per_map)} mindmap(s), {args.seconds:g} s, "
        f"cursors {args.cursor_hz:g} Hz, "
        f"moves {args.move_hz:g} Hz, servers {args.spawn or 'external'}, "
        f"client processes {args.procs}, batch {args.batch}"
    )
    print(
        f"sent: {sent_cursors} cursor frames ({sent_cursors / args.seconds:.0f}/s), "
        f"{sent_moves} moves ({sent_moves / args.seconds:.0f}/s)"
    )
    print(
        f"delivered: {received / args.seconds:.0f} messages/s in "
        f"{sum(r['frames'] for r in results) / args.seconds:.0f} frames/s"
    )
    print(
        f"cursor latency ({len(cursor)}; {len(cursor) / max(1, peer_positions):.0%} of "
        f"all positions, the rest coalesced): {percentiles(cursor)}"
    )
    deliveries = f"{len(moves)} of {expected_move_deliveries} deliveries"
    print(f"move latency ({deliveries}): {percentiles(moves)}")
    print(f"all latency: {percentiles(cursor + moves)}")
    waits = [r["snapshot_seconds"] * 1000 for r in results]
    print(f"from opening a socket to its snapshot: {percentiles(waits)}")
    print(
        f"moves acked {acked}/{sent_moves}, rate-limited {sum(r['limited'] for r in results)}, "
        f"other errors {sum(r['errors'] for r in results)}, version gaps seen {gaps}, "
        f"server resyncs {resyncs} (changes delivered in a snapshot instead), "
        f"handshakes retried {sum(r['reconnects'] for r in results)}"
    )
    print(
        f"database versions = moves acked in every mindmap: {versions_match}; "
        f"last acked position missing from the database: {lost_moves}"
    )
    print(
        f"clients whose final state equals the database snapshot: {matches}/{n} "
        f"(snapshots equal the database: {snapshot_is_db})"
    )
    ok = (
        gaps == 0
        and lost_moves == 0
        and matches == n
        and snapshot_is_db
        and (len(moves) == expected_move_deliveries or resyncs > 0)
        and versions_match
    )
    print("OK" if ok else "FAILED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--maps", type=int, default=1, help="mindmaps the clients share")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cursor-hz", type=float, default=20)
    parser.add_argument("--move-hz", type=float, default=2)
    parser.add_argument("--url", default="ws://127.0.0.1:8765", help="a running server")
    parser.add_argument("--spawn", type=int, default=0, help="start N Daphne processes")
    parser.add_argument(
        "--serve", action="store_true", help="spawn deploy/serve.py's socket server, not daphne"
    )
    parser.add_argument("--procs", type=int, default=1, help="client processes")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--no-batch", dest="batch", action="store_false")
    args = parser.parse_args()
    if not 1 <= args.clients <= 2000 or not 0 < args.seconds <= 600:
        raise SystemExit("--clients 1..2000 and --seconds up to 600")
    if not 1 <= args.maps <= args.clients:
        raise SystemExit("--maps from 1 to --clients")

    world = setup_world(args.clients, args.maps)
    from django.db import connections

    connections.close_all()
    processes, urls = spawn_servers(args.spawn, args.serve) if args.spawn else ([], [args.url])
    try:
        specs = [(spec, urls[i % len(urls)]) for i, spec in enumerate(world["clients"])]
        start_at = time.time() + 3 + args.clients * 0.05
        context = multiprocessing.get_context("spawn")
        pipes, children = [], []
        for share in range(args.procs):
            mine = specs[share :: args.procs]
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(target=worker, args=(mine, args, start_at, sender))
            child.start()
            pipes.append(receiver)
            children.append(child)
        cpu_before, wall_before = cpu_seconds(processes), time.monotonic()
        results = [item for pipe in pipes for item in pipe.recv()]
        for child in children:
            child.join()
        ok = report(results, args, database_states(world["maps"]))
        if processes:
            # Machine-independent enough to compare runs on a busy machine: what the
            # servers spent per message they delivered (connects and the final resync in).
            cpu, wall = cpu_seconds(processes) - cpu_before, time.monotonic() - wall_before
            delivered = sum(r["received"] for r in results)
            print(
                f"server CPU: {cpu:.1f} s in {wall:.0f} s ({cpu / wall:.0%} of a core), "
                f"{cpu / max(1, delivered) * 1e6:.0f} us per delivered message"
            )
    finally:
        stop_servers(processes)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
