"""One channel-layer subscription per server process (event loop), shared by its sockets.

:class:`GroupHub` is the part of the mindmap hub's design every fan-out needs (public, for
any socket of the site): the process listens on *one* channel of a channel-layer instance
of its own (:func:`teammoa.core.websocket.loop.own_layer`), joins a group only while one
of its sockets needs it, re-joins before channels-redis's group expiry, and hands what
arrives to :meth:`GroupHub.dispatch`. A broadcast then costs one channel-layer message per
process, never one per socket. Messages carry the sending hub's ``origin``: a process
delivers its own news to its sockets at once and skips them when they come back.

While the layer cannot be reached (:mod:`teammoa.core.websocket.outage`), the hub's
:attr:`GroupHub.watch` is down: :meth:`GroupHub.lost` is called once (a subclass closes its
sockets with 4500), :meth:`GroupHub.want` raises :class:`LayerUnavailable`, and the groups
are joined again as soon as the layer answers.

Subclasses name their layer instance (``purpose``) and implement :meth:`dispatch`; a hub
is started by the first socket that needs it and stopped by the last that leaves (see
:func:`loop_instance`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections import Counter
from typing import Any, TypeVar

from teammoa.core.websocket.loop import cancelled, own_layer, spawn, stop_tasks
from teammoa.core.websocket.outage import LayerUnavailable, LayerWatch

logger = logging.getLogger(__name__)

# Group memberships expire (channels-redis ``group_expiry``, a day by default); re-join
# well before that.
GROUP_REFRESH_SECONDS = 60

H = TypeVar("H", bound="GroupHub")


class GroupHub:
    purpose = "hub"

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.layer: Any = None
        self.channel: str | None = None
        self.stopped = False
        self.starting: asyncio.Task[None] | None = None
        self._wanted: Counter[str] = Counter()
        self._subscribed: set[str] = set()
        self._group_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self.watch = LayerWatch(self.purpose, self._rejoin, self.lost)

    # --- life ---------------------------------------------------------------------

    async def start(self) -> None:
        self.layer = own_layer(self.purpose)
        if self.layer is None:
            return  # no channel layer: this process's sockets only
        try:
            self.channel = await self.layer.new_channel()
        except Exception:
            logger.exception("%s: channel layer unavailable", self.purpose)
            return
        self._tasks = [spawn(self._receive()), spawn(self._refresh())]

    async def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        await stop_tasks(self._tasks)
        await self.watch.stop()
        if self.layer is not None and self.channel is not None:
            for group in list(self._subscribed):
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(group, self.channel)
        self._subscribed.clear()

    # --- groups -------------------------------------------------------------------

    async def want(self, group: str) -> None:
        """One more local user of ``group``; subscribed on return.

        Raises :class:`LayerUnavailable` (counting nothing) while the layer cannot be
        reached: the caller closes its socket with 4500.
        """
        self.watch.check()
        self._wanted[group] += 1
        await self._sync_group(group)
        if self.watch.down:
            await self.unwant(group)
            raise LayerUnavailable(self.purpose)

    def lost(self) -> None:
        """The layer stopped answering: a subclass closes its sockets with 4500."""

    async def unwant(self, group: str) -> None:
        self._wanted[group] -= 1
        if self._wanted[group] <= 0:
            del self._wanted[group]
        await self._sync_group(group)

    @property
    def groups(self) -> list[str]:
        return list(self._wanted)

    async def _sync_group(self, group: str) -> None:
        """Join or leave as the count says; serialised, so quick leave/join pairs end right."""
        if self.layer is None or self.channel is None:
            return
        async with self._group_lock:
            wanted = self._wanted.get(group, 0) > 0
            try:
                if wanted:
                    await self.layer.group_add(group, self.channel)
                    self._subscribed.add(group)
                elif group in self._subscribed:
                    self._subscribed.discard(group)
                    await self.layer.group_discard(group, self.channel)
            except Exception as exc:
                # An outage is the watch's; anything else is retried by the refresh loop.
                if not self.watch.failed(exc):
                    logger.exception("%s: could not update group %s", self.purpose, group)

    async def _rejoin(self) -> None:
        """Join every wanted group again (a Redis back from an outage knows none)."""
        if self.layer is None or self.channel is None:
            return
        async with self._group_lock:
            for group in list(self._wanted):
                await self.layer.group_add(group, self.channel)
                self._subscribed.add(group)

    async def send(self, group: str, message: dict[str, Any]) -> None:
        """To every other process subscribed to ``group`` (marked as this hub's)."""
        layer = self.layer or own_layer(self.purpose)
        if layer is None:
            return
        try:
            await layer.group_send(group, {**message, "origin": self.id})
        except Exception as exc:
            if self.channel is not None and not self.stopped:  # a started hub
                self.watch.failed(exc)
            raise

    # --- tasks --------------------------------------------------------------------

    async def _receive(self) -> None:
        while not self.stopped:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.stopped or cancelled():
                    return
                await self.watch.receive_failed(exc)
                continue
            if message.get("origin") == self.id:
                continue  # delivered here already
            try:
                self.dispatch(message)
            except Exception:
                logger.exception("%s: could not handle %s", self.purpose, message.get("type"))

    async def _refresh(self) -> None:
        while not self.stopped and not cancelled():
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            for group in self.groups:
                await self._sync_group(group)

    def dispatch(self, message: dict[str, Any]) -> None:
        """A message from another process."""
        raise NotImplementedError


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[type, Any]] = (
    weakref.WeakKeyDictionary()
)


def current_instance(kind: type[H]) -> H | None:
    """The running loop's started hub of this kind, if any (None outside a loop)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    hub = _hubs.get(loop, {}).get(kind)
    return hub if hub is not None and not hub.stopped else None


async def loop_instance(kind: type[H]) -> H:
    """The running loop's hub of this kind, started (a new one after a stopped one)."""
    loop = asyncio.get_running_loop()
    while True:
        hubs = _hubs.setdefault(loop, {})
        hub = hubs.get(kind)
        if hub is None or hub.stopped or hub.starting is None:
            hub = hubs[kind] = kind()
            hub.starting = starting = spawn(hub.start())
        else:
            starting = hub.starting
        await asyncio.shield(starting)
        if not hub.stopped:
            return hub
