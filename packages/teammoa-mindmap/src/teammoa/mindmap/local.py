"""What belongs to this server process's event loop: its tasks, timers and its hub.

The realtime modules share these without importing each other: ``hub`` registers the
loop's hub here, ``broadcast`` finds it here, ``rooms`` starts its tasks from here.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from typing import Any, Protocol


class LocalHub(Protocol):
    """What the rest of the process asks of the loop's hub (``teammoa.mindmap.hub.Hub``)."""

    id: str
    stopped: bool

    def deliver_changes(self, mindmap_id: int, changes: list[Any]) -> None: ...

    def queue_changes(self, mindmap_id: int, changes: list[Any]) -> None: ...

    def end_membership(self, team_id: int, user_id: int) -> None: ...


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


def spawn(coroutine: Any) -> asyncio.Task[Any]:
    """A task with a context of its own.

    Tasks and timers started while a change is being published may run inside the
    context of an ``async_to_sync`` call (a REST view's commit hook); inheriting it, a
    later ``sync_to_async`` would try that call's long-finished executor.
    """
    return asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())


def call_later(delay: float, callback: Any) -> asyncio.TimerHandle:
    return asyncio.get_running_loop().call_later(delay, callback, context=contextvars.Context())


def cancelled() -> bool:
    """Whether this task has been asked to stop.

    Checked after catching errors in the long-running loops: a cancellation that lands
    inside a client library's own timeout can come out as a ``TimeoutError``, and a loop
    that carries on after it would never end.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def loop_hub() -> Any:
    """The hub registered for the running loop (running or stopped), or None."""
    return _hubs.get(asyncio.get_running_loop())


def set_loop_hub(hub: Any) -> None:
    _hubs[asyncio.get_running_loop()] = hub


def all_hubs() -> list[Any]:
    """Every loop's hub in this process (a test run or a dev server may run several)."""
    return list(_hubs.values())


def current_hub() -> LocalHub | None:
    """This event loop's running hub, if any."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    hub = _hubs.get(loop)
    return hub if hub is not None and not hub.stopped else None
