"""A channel layer that cannot be reached (Redis stopped): close the sockets, refuse new
ones, and join the groups again once it answers.

While the layer is away, a process's sockets would still get their own process's news but
silently miss every other process's, and a Redis that comes back has forgotten every group
membership. So a long-lived listener (core's team hub and socket registry, the mindmap
hub) keeps a :class:`LayerWatch`:

- a layer call that fails because the layer cannot be reached (:func:`unreachable`: a
  refused or dropped connection, never an idle read's timeout) begins an outage: the
  listener's ``lost`` callback closes its sockets with 4500 (the clients reconnect with
  backoff and resync), and :attr:`LayerWatch.down` tells new sockets to close the same way
  (raise :class:`LayerUnavailable`);
- meanwhile the watch tries ``rejoin`` (join every group the listener needs) every
  0.5-2 s; the first success ends the outage, so the listener hears every other process
  again before any socket is let in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from teammoa.core.websocket.loop import cancelled, spawn, stop_tasks

logger = logging.getLogger(__name__)

RETRY_FIRST = 0.5
RETRY_MAX = 2.0


class LayerUnavailable(Exception):
    """The channel layer cannot be reached: close the socket with 4500."""


def unreachable(exc: BaseException) -> bool:
    """Whether a channel-layer error means the layer cannot be reached.

    A refused, reset or closed connection (the builtin ``ConnectionError`` family, redis-py's
    ``ConnectionError``): yes. A timeout: no; an idle blocking read may end in one (redis-py
    8's default socket timeout meets channels-redis's 5 s wait), and an outage shows up as a
    connection error on the next try anyway.
    """
    if isinstance(exc, TimeoutError):
        return False
    if isinstance(exc, OSError):
        return True
    return any(kind.__name__ == "ConnectionError" for kind in type(exc).__mro__)


class LayerWatch:
    """Whether one listener's channel layer answers (see the module's docstring).

    ``rejoin``: joins every group the listener needs, raising while the layer is away.
    ``lost``: called once as an outage begins (close the sockets with 4500).
    """

    def __init__(
        self,
        name: str,
        rejoin: Callable[[], Awaitable[None]],
        lost: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._rejoin = rejoin
        self._lost = lost
        self._up = asyncio.Event()
        self._up.set()
        self._recovering: asyncio.Task[None] | None = None
        self.outages = 0

    @property
    def down(self) -> bool:
        return not self._up.is_set()

    def check(self) -> None:
        """Raise :class:`LayerUnavailable` during an outage (a socket about to be let in)."""
        if self.down:
            raise LayerUnavailable(self.name)

    def failed(self, exc: BaseException) -> bool:
        """A layer call failed: True if it means an outage (begun now, or going on)."""
        if not unreachable(exc):
            return False
        if not self.down:
            self._up.clear()
            self.outages += 1
            logger.warning(
                "%s: channel layer unreachable (%s); closing its sockets until it answers",
                self.name,
                exc,
            )
            self._recovering = spawn(self._recover(time.monotonic()))
            if self._lost is not None:
                self._lost()
        return True

    async def wait(self) -> None:
        """Until the layer answers again (at once when it does)."""
        await self._up.wait()

    async def receive_failed(self, exc: BaseException) -> None:
        """For a receive loop: wait out an outage; after any other error, pause a second."""
        if self.failed(exc):
            await self.wait()
        else:
            logger.warning("%s: channel layer receive failed (%r); retrying", self.name, exc)
            await asyncio.sleep(1)

    async def _recover(self, began: float) -> None:
        delay = RETRY_FIRST
        while True:
            await asyncio.sleep(delay)
            try:
                await self._rejoin()
            except Exception:
                if cancelled():
                    return
                delay = min(delay * 2, RETRY_MAX)
                continue
            break
        logger.warning(
            "%s: channel layer back after %.1f s; groups joined again",
            self.name,
            time.monotonic() - began,
        )
        self._up.set()

    async def stop(self) -> None:
        if self._recovering is not None:
            await stop_tasks([self._recovering])
