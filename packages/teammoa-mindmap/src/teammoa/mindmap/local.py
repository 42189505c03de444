"""What belongs to this server process's event loop: its tasks, timers and its hub.

The realtime modules share these without importing each other: ``hub`` registers the
loop's hub here, ``broadcast`` finds it here, ``rooms`` starts its tasks from here.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Protocol

# Shared with core's sockets; re-exported for the modules that import them from here.
from teammoa.core.websocket import call_later, cancelled, spawn

__all__ = [
    "LocalHub",
    "all_hubs",
    "call_later",
    "cancelled",
    "current_hub",
    "loop_hub",
    "set_loop_hub",
    "spawn",
]


class LocalHub(Protocol):
    """What the rest of the process asks of the loop's hub (``teammoa.mindmap.hub.Hub``)."""

    id: str
    stopped: bool

    def deliver_changes(self, mindmap_id: int, changes: list[Any]) -> None: ...

    def queue_changes(self, mindmap_id: int, changes: list[Any]) -> None: ...

    def end_membership(self, team_id: int, user_id: int) -> None: ...


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


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
