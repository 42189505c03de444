"""Whether a piece of the socket path is getting its work done (``teammoa.mindmap.health``).

Each part (the hub, the presence registry, the writer) records the work it took on and
finishes; a part is *stalled* when a piece of its work has been waiting longer than the
limit. An idle part is never stalled: no work, nothing to wait for.
"""

from __future__ import annotations

import itertools
import threading
import time


class Progress:
    """Work taken on and not yet finished, oldest first; safe from any thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._started: dict[int, tuple[float, str]] = {}
        self._ids = itertools.count()

    def begin(self, what: str) -> int:
        token = next(self._ids)
        with self._lock:
            self._started[token] = (time.monotonic(), what)
        return token

    def end(self, token: int) -> None:
        with self._lock:
            self._started.pop(token, None)

    def oldest(self) -> tuple[float, str] | None:
        """How long the oldest unfinished piece has waited (seconds), and what it is."""
        with self._lock:
            if not self._started:
                return None
            started, what = min(self._started.values())
        return time.monotonic() - started, what

    def pending(self) -> int:
        with self._lock:
            return len(self._started)


# The parts of the socket path, by the names the health check reports.
HUB = Progress("hub")
REGISTRY = Progress("registry")
WRITER = Progress("writer")
PARTS = (HUB, REGISTRY, WRITER)
