"""The soak: WebSocket connect/disconnect churn with edits and cursors, steady editors and
an HTTP request mix, for a given time; then what leaked, if anything. Used by
``test_6_soak.py`` (5 minutes in the test command) and ``bench/soak.py`` (30 minutes).

Measured after a warm-up (a quarter of the run, at most 60 s) and then every 10 s while
the load runs: the servers' resident memory (both instances, every process; under 10 %
growth from the first sample to the last), the database's open connections and the
number of Redis keys (pools may fill up to their bounds, but the second half's highest
count must not exceed the first half's by more than 10 % and a little). At the end, once
everyone has left: a newcomer sees only itself present, and no channel-layer group holds
more members than there are server processes (members from before the soak not counted:
a process an earlier scenario killed stays in its groups until they expire).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from typing import Any

from support.clients import Editor, HttpLoad, edit, summarise, wait_for
from support.probes import redis_keys, rss_bytes

SAMPLE_EVERY = 10.0


async def _churn(person: Any, mindmaps: list[int], port: int, stop: asyncio.Event, out: dict):
    """Connect to a mindmap, edit and move the cursor a few seconds, leave; again."""
    rng = random.Random(person.id)
    while not stop.is_set():
        editor = Editor(person, rng.choice(mindmaps), port, name=f"churn-{person.id}")
        editor.start()
        out["sessions"] += 1
        stay = asyncio.Event()
        try:
            await asyncio.wait_for(editor.connected.wait(), 15)
            worker = asyncio.create_task(edit(editor, stay, every=0.4))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), 2 + rng.random() * 4)
            stay.set()
            await worker
            out["edits"] += editor.acknowledged
        except TimeoutError:
            out["connect timeouts"] += 1
        finally:
            out["closes"] += len(editor.closes)
            await editor.stop()
        await asyncio.sleep(rng.random() * 0.5)


def sample(stack: Any, db: Any, redis: Any) -> dict[str, int]:
    pids = [pid for instance in stack.instances for pid in instance.pids()]
    return {
        "rss": rss_bytes(pids),
        "db connections": db.connections(),
        "redis keys": redis_keys(redis)["all"],
    }


async def soak(
    stack: Any, world: Any, db: Any, redis: Any, seconds: float, mindmaps: list[int]
) -> dict[str, Any]:
    people = world.people
    steady = [
        Editor(p, mindmaps[0], stack.https_port, name=f"S{n}") for n, p in enumerate(people[30:34])
    ]
    churners = people[4:16]
    load = HttpLoad(stack.https_port, world.team, people[:12], rate=20, workers=8).start()
    stop = asyncio.Event()
    out: dict[str, Any] = {"sessions": 0, "edits": 0, "closes": 0, "connect timeouts": 0}
    # Members already there (a process killed by an earlier scenario stays in its groups
    # until the layer's group expiry): only what the soak adds is judged.
    before = await asyncio.to_thread(group_members, redis)
    warm_at = min(60.0, seconds / 4)
    began = time.monotonic()
    try:
        for editor in steady:
            editor.start()
        await wait_for(lambda: all(e.connected.is_set() for e in steady), 20, "steady editors")
        workers = [asyncio.create_task(edit(e, stop, every=0.5)) for e in steady]
        workers += [
            asyncio.create_task(_churn(p, mindmaps, stack.https_port, stop, out)) for p in churners
        ]
        await asyncio.sleep(warm_at)
        out["samples"] = [await asyncio.to_thread(sample, stack, db, redis)]
        while time.monotonic() - began < seconds:
            await asyncio.sleep(min(SAMPLE_EVERY, max(0.0, seconds - (time.monotonic() - began))))
            out["samples"].append(await asyncio.to_thread(sample, stack, db, redis))
        out["warm"], out["end"] = out["samples"][0], out["samples"][-1]
        stop.set()
        await asyncio.gather(*workers)
        out["steady edits"] = sum(e.acknowledged for e in steady)
        out["steady closes"] = sum(len(e.closes) for e in steady)
    finally:
        stop.set()
        results = await asyncio.to_thread(load.stop)
        for editor in steady:
            await editor.stop()
    out["http"] = summarise(results)
    # Everyone has left: a newcomer must see nobody else, in every soaked mindmap.
    await asyncio.sleep(1)
    stale = {}
    for mindmap in mindmaps:
        newcomer = Editor(people[35], mindmap, stack.https_port, name="newcomer").start()
        try:
            await wait_for(newcomer.connected.is_set, 15, "the newcomer connected")
            others = newcomer.presence - {people[35].id}
            if others:
                stale[mindmap] = sorted(others)
        finally:
            await newcomer.stop()
    out["stale presence"] = stale
    out["largest group"] = await asyncio.to_thread(largest_group, redis, before)
    out["seconds"] = round(time.monotonic() - began)
    return out


def group_members(redis: Any) -> dict[Any, set[Any]]:
    """Every channel-layer group and its members (each is one server process's channel)."""
    return {
        key: set(redis.zrange(key, 0, -1)) for key in redis.scan_iter(match="*group*", count=1000)
    }


def largest_group(redis: Any, before: dict[Any, set[Any]] | None = None) -> int:
    """Members of the fullest channel-layer group, not counting those of ``before``."""
    before = before or {}
    sizes = [len(members - before.get(key, set())) for key, members in group_members(redis).items()]
    return max(sizes, default=0)


def figures(out: dict[str, Any]) -> dict[str, Any]:
    warm, end = out["warm"], out["end"]
    growth = (end["rss"] - warm["rss"]) / warm["rss"] * 100
    return {
        "seconds": out["seconds"],
        "socket sessions (connect, edit, leave)": out["sessions"],
        "edits acknowledged (churning / steady)": f"{out['edits']} / {out['steady edits']}",
        "steady editors' closes": out["steady closes"],
        "HTTP requests, failed": f"{out['http']['requests']}, {out['http']['failed']}",
        "server memory after warm-up / at the end, MiB": (
            f"{warm['rss'] / 2**20:.0f} / {end['rss'] / 2**20:.0f} ({growth:+.1f} %)"
        ),
        "database connections, every 10 s after warm-up": [
            s["db connections"] for s in out["samples"]
        ],
        "Redis keys, every 10 s after warm-up": [s["redis keys"] for s in out["samples"]],
        "stale presence after everyone left": out["stale presence"] or "none",
        "largest channel-layer group": out["largest group"],
    }


def problems(out: dict[str, Any], processes: int = 2) -> list[str]:
    """What the soak must not show (the issue's targets)."""
    warm, end = out["warm"], out["end"]
    found = []
    if end["rss"] > warm["rss"] * 1.10:
        found.append(f"server memory grew {warm['rss']} -> {end['rss']} bytes (> 10 %)")
    # Connections are kept per thread: each instance's gunicorn threads (8), the mindmap's
    # writers (4) and readers (2) may all come to hold one under load, and a few more are
    # opened and closed on the way (Daphne's handshakes, this suite's own). A leak grows
    # with the sessions (hundreds here), past both the warm-up count and those pools.
    pools = processes * (8 + 4 + 2) + 4
    if end["db connections"] > max(warm["db connections"] + 2, pools):
        found.append(
            f"database connections grew {warm['db connections']} -> {end['db connections']}"
            f" (the servers' pools hold {pools} at most)"
        )
    if end["redis keys"] > warm["redis keys"] * 1.10 + 10:
        found.append(f"Redis keys grew {warm['redis keys']} -> {end['redis keys']}")
    if out["stale presence"]:
        found.append(f"stale presence: {out['stale presence']}")
    if out["largest group"] > processes:
        found.append(f"a channel-layer group holds {out['largest group']} members")
    if out["http"]["failed"]:
        found.append(f"HTTP failures: {out['http']['failures']}")
    if out["steady closes"]:
        found.append(f"steady editors were closed {out['steady closes']} times")
    return found
