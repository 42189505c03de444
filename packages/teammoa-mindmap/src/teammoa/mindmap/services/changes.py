"""A persisted change as it is broadcast, and its publication once the transaction commits."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction


@dataclass
class Change:
    """One persisted change: the broadcast ``payload`` (with ``type``, ``version``, ``by``)
    and, when it came from a WebSocket, that connection and its ``req`` (echoed to it only).
    """

    payload: dict[str, Any]
    conn: str | None = None
    req: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return int(self.payload["version"])

    def as_message(self) -> list[Any]:
        """The form carried over the channel layer (msgpack-friendly)."""
        return [self.payload, self.conn, self.req]

    @classmethod
    def from_message(cls, value: list[Any]) -> Change:
        payload, conn, req = value
        return cls(payload=payload, conn=conn, req=req)


_collector = threading.local()
# Who hears of committed changes: the realtime layer (``broadcast``) subscribes; the
# services never import it (it imports them).
_subscribers: list[Callable[[int, list[Change]], None]] = []


def subscribe(callback: Callable[[int, list[Change]], None]) -> None:
    """Call ``callback(mindmap_id, changes)`` after each commit that persisted changes."""
    if callback not in _subscribers:
        _subscribers.append(callback)


@contextmanager
def collecting() -> Iterator[list[tuple[int, list[Change]]]]:
    """Collect what commits in this thread instead of publishing it from here.

    The WebSocket writer runs the services in a worker thread and publishes the collected
    changes from the event loop itself (``broadcast.apublish``, the same function the
    commit hook calls), sparing the worker a round trip to the loop per batch.
    """
    collected: list[tuple[int, list[Change]]] = []
    _collector.changes = collected
    try:
        yield collected
    finally:
        _collector.changes = None


def publish_on_commit(mindmap_id: int, changes: list[Change]) -> None:
    """Broadcast ``changes`` to every open client of the mindmap after the commit.

    The same path serves the REST views and the WebSocket consumer, so a change made
    either way reaches the clients the same way.
    """
    if not changes:
        return
    collected = getattr(_collector, "changes", None)
    if collected is not None:
        transaction.on_commit(lambda: collected.append((mindmap_id, changes)))
        return
    for callback in list(_subscribers):
        transaction.on_commit(functools.partial(callback, mindmap_id, changes))
