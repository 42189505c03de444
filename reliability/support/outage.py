"""The timeline the outage scenarios share (3: Redis, 4: the database): editors edit and a
request mix runs, one service stops for a while mid-session and starts again, and each
instance's ``/health/`` is watched meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from support.clients import Editor, HttpLoad, call, edit, wait_for

OUTAGE = 10.0


def health(port: int) -> tuple[int, dict]:
    try:
        status, body = call(port, "GET", "/health/", timeout=3)
    except OSError as exc:
        return 0, {"error": str(exc)}
    return status, body if isinstance(body, dict) else {"body": body}


async def _watch_health(
    stack: Any, check: str, stopped_at: float, until: asyncio.Event, seen: dict[str, float]
) -> None:
    """Each instance's /health/ until the service is back: when it first said 503 naming
    ``check``."""
    while not until.is_set():
        for instance in stack.instances:
            status, body = await asyncio.to_thread(health, instance.port)
            failing = status == 503 and body.get("checks", {}).get(check, "ok") != "ok"
            key = f"{instance.name} 503"
            if failing and key not in seen:
                seen[key] = time.monotonic() - stopped_at
        await asyncio.sleep(0.1)


async def service_outage(
    stack: Any,
    service: Any,
    check: str,
    editors: list[Editor],
    load: HttpLoad,
    *,
    every: float,
    healthy_within: float,
    recovering: Callable[[dict[str, Any]], Awaitable[None]],
    afterwards: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> tuple[dict[str, Any], dict[str, float]]:
    """The editors start (each editing every ``every`` s) beside the running ``load``;
    2 s later ``service`` stops for ``OUTAGE`` s and starts again; once every instance is
    healthy, ``recovering(times)`` runs while the editors still edit, then they stop and
    ``afterwards(times)`` runs. The editors and the load are stopped whatever happens.

    Returns ``times`` ("stopped", "back", and what the hooks add) and ``seen``: per
    instance, seconds to its first 503 naming ``check`` and to its 200 after the return.
    """
    times: dict[str, Any] = {}
    seen: dict[str, float] = {}
    stop, health_done = asyncio.Event(), asyncio.Event()
    try:
        for editor in editors:
            editor.start()
        await wait_for(lambda: all(e.connected.is_set() for e in editors), 20, "connected")
        workers = [asyncio.create_task(edit(editor, stop, every=every)) for editor in editors]
        await asyncio.sleep(2)
        await asyncio.to_thread(service.stop)
        times["stopped"] = time.monotonic()
        watcher = asyncio.create_task(
            _watch_health(stack, check, times["stopped"], health_done, seen)
        )
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(service.start)
        times["back"] = time.monotonic()
        health_done.set()
        await watcher
        for instance in stack.instances:
            seen[f"{instance.name} 200 after back"] = await wait_for(
                lambda i=instance: health(i.port)[0] == 200,
                healthy_within,
                f"{instance.name} healthy",
            )
        await recovering(times)
        stop.set()
        await asyncio.gather(*workers)
        if afterwards is not None:
            await afterwards(times)
    finally:
        stop.set()
        await asyncio.to_thread(load.stop)
        for editor in editors:
            await editor.stop()
    return times, seen
