"""One hub per server process (event loop): its single subscription to the channel layer.

The hub joins the channel-layer group of every mindmap open in this process with one
channel of its own, and fans what arrives out to its rooms (``teammoa.mindmap.rooms``).
So a broadcast costs one channel-layer message per process, not one per socket, and the
process's inbox carries one message per change batch or cursor tick. Messages a process
sent itself are delivered locally at once and ignored when they come back.

The hub also keeps this process's part of the who-is-here registry alive: one heartbeat
for all its rooms' connections, and a sweep of every mindmap (open here or nowhere)
holding expired entries, whose departures it announces.

While the channel layer cannot be reached (Redis stopped), the other processes' changes
would be missed without anyone noticing: the hub's watch (core's
:class:`~teammoa.core.websocket.LayerWatch`) closes every socket here with 4500, new ones
are closed the same way right after their handshake (:class:`LayerUnavailable` from
:func:`join`), and the groups are joined again as soon as the layer answers. The editors
reconnect with backoff and resync from a snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from teammoa.core.websocket import LayerUnavailable, LayerWatch
from teammoa.mindmap import protocol, signals, writer
from teammoa.mindmap.broadcast import CONTROL_GROUP, layer, room_group
from teammoa.mindmap.conf import conf
from teammoa.mindmap.local import all_hubs, cancelled, loop_hub, set_loop_hub, spawn
from teammoa.mindmap.presence import Registry, make_registry
from teammoa.mindmap.progress import HUB
from teammoa.mindmap.rooms import Member, Room
from teammoa.mindmap.services.changes import Change

logger = logging.getLogger(__name__)

# Group memberships expire (channels-redis ``group_expiry``); re-join well before that.
GROUP_REFRESH_SECONDS = 60
# Channel-layer messages (one per mindmap) on their way at the same time.
SENDS_AT_ONCE = 16


@dataclass
class Bundle:
    """What this process has for the other processes about one mindmap, sent as one
    channel-layer message: changes in order (never dropped), the latest cursor or drag per
    user / node (older ones are superseded), presence notices in order."""

    changes: list[Any] = field(default_factory=list)
    volatile: dict[Any, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


async def join(member: Member, mindmap_id: int, team_id: int) -> Room:
    """Put a connection into its mindmap's room in this process (subscribed on return).

    Raises :class:`LayerUnavailable` while the channel layer cannot be reached (close 4500).
    """
    token = HUB.begin(f"a socket joining mindmap {int(mindmap_id)}")
    try:
        while True:
            hub = loop_hub()
            if hub is None or hub.stopped:
                hub = Hub()
                set_loop_hub(hub)
                hub.starting = spawn(hub.start())
            await asyncio.shield(hub.starting)
            if not hub.stopped:
                return await hub.join(member, mindmap_id, team_id)
    finally:
        HUB.end(token)


class Hub:
    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.layer = layer()
        self.channel: str | None = None
        self.rooms: dict[int, Room] = {}
        self.registry: Registry = make_registry()
        self.stopped = False
        self.starting: asyncio.Task[None] | None = None
        self._subscribed: set[str] = set()
        self._group_lock = asyncio.Lock()
        # Waiting for the channel layer. Whatever piles up while one group_send is on its
        # way leaves together in the next: one send per mindmap however busy it gets.
        self._bundles: dict[int, Bundle] = {}
        self._wake = asyncio.Event()
        self._sending = asyncio.Semaphore(SENDS_AT_ONCE)
        self._tasks: list[asyncio.Task[None]] = []
        self.watch = LayerWatch("mindmap hub", self._rejoin, self._layer_lost)

    async def start(self) -> None:
        interval = conf.SWITCH_INTERVAL
        if interval and sys.getswitchinterval() > interval:
            sys.setswitchinterval(interval)  # see conf.SWITCH_INTERVAL
        self._tasks = [spawn(self._keep_presence()), spawn(self._beat())]
        if self.layer is not None:
            # The layer's default prefix, shared with every other process-local channel
            # (channels-redis serves one prefix's blocking read at a time: see core's
            # socket registry).
            self.channel = await self.layer.new_channel()
            self._tasks += [spawn(self._receive()), spawn(self._send()), spawn(self._refresh())]
            await self._sync_group(CONTROL_GROUP, True)

    async def join(self, member: Member, mindmap_id: int, team_id: int) -> Room:
        self.watch.check()
        room = self.rooms.get(mindmap_id)
        if room is None:
            room = self.rooms[mindmap_id] = Room(self, mindmap_id, team_id)
            room.start()
        room.members.add(member)
        # Subscribed before the caller reads its snapshot: nothing committed after the
        # snapshot can be missed.
        await self._sync_group(room_group(mindmap_id), True, again=False)
        if self.watch.down:  # the layer went away meanwhile
            await self.leave(room, member)
            raise LayerUnavailable("mindmap hub")
        return room

    async def leave(self, room: Room, member: Member) -> None:
        room.members.discard(member)
        if room.members or self.rooms.get(room.id) is not room:
            return
        del self.rooms[room.id]
        await room.close()
        await self._sync_group(room_group(room.id), room.id in self.rooms)
        if not self.rooms:
            await self.stop()

    def presence_left(self, mindmap_id: int, people: list[dict[str, Any]]) -> None:
        """Announce departures found by a sweep or a retried leave, here and elsewhere."""
        encoded = [protocol.dumps({"type": protocol.PRESENCE_LEFT, **who}) for who in people]
        room = self.rooms.get(mindmap_id)
        if room is not None:
            room.notify(encoded)
        else:
            self.queue_notices(mindmap_id, encoded)

    async def stop(self) -> None:
        if self.stopped or self.rooms:
            return
        self.stopped = True
        self._wake.set()
        if self._bundles:  # the last changes of a room that just closed still go out
            with contextlib.suppress(Exception):
                await self._send_pending()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.watch.stop()
        if self.layer is not None and self.channel is not None:
            for group in list(self._subscribed):
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(group, self.channel)
        self._subscribed.clear()
        with contextlib.suppress(Exception):
            await self.registry.close()
        if not any(hub.rooms for hub in all_hubs() if hub is not self):
            with contextlib.suppress(Exception):
                await writer.release()

    async def _sync_group(self, group: str, wanted: bool, again: bool = True) -> None:
        """Join or leave a group; serialised, so quick leave/join pairs end up right.

        ``again=False``: nothing to do when already joined (a room's second socket).
        """
        if self.layer is None or self.channel is None:
            return
        if wanted and not again and group in self._subscribed and not self._group_lock.locked():
            return
        async with self._group_lock:
            if group.startswith("teammoa.mindmap.") and group != CONTROL_GROUP:
                wanted = int(group.rsplit(".", 1)[1]) in self.rooms
            try:
                if wanted and not again and group in self._subscribed:
                    pass
                elif wanted:
                    await self.layer.group_add(group, self.channel)
                    self._subscribed.add(group)
                elif group in self._subscribed:
                    self._subscribed.discard(group)
                    await self.layer.group_discard(group, self.channel)
            except Exception as exc:
                # An outage is the watch's (the sockets close); anything else is retried
                # by the refresh loop, and the clients resync on a gap meanwhile.
                if not self.watch.failed(exc):
                    logger.exception("channel layer group %s: could not update", group)

    async def _rejoin(self) -> None:
        """Join the control group and every open room's again (a Redis back from an
        outage has forgotten them): the end of an outage."""
        async with self._group_lock:
            for group in [CONTROL_GROUP, *(room_group(i) for i in list(self.rooms))]:
                await self.layer.group_add(group, self.channel)
                self._subscribed.add(group)

    def _layer_lost(self) -> None:
        """Changes between the servers cannot travel: every socket here closes (4500),
        to reconnect with backoff and resync once the layer answers."""
        self._bundles.clear()  # nobody left to resync them for; the snapshots will
        for room in list(self.rooms.values()):
            for member in list(room.members):
                member.close_with(protocol.CLOSE_UNAVAILABLE)

    # --- local fan-out --------------------------------------------------------------

    def deliver_changes(self, mindmap_id: int, changes: list[Change]) -> None:
        room = self.rooms.get(int(mindmap_id))
        if room is not None:
            room.offer(changes)

    def end_membership(self, team_id: int, user_id: int) -> None:
        for room in list(self.rooms.values()):
            if room.team_id == team_id:
                room.close_user(user_id)

    def _bundle(self, mindmap_id: int) -> Bundle | None:
        if self.layer is None or self.stopped:
            return None
        self._wake.set()
        return self._bundles.setdefault(mindmap_id, Bundle())

    def queue_changes(self, mindmap_id: int, changes: list[Change]) -> None:
        """Send committed changes to the other processes (in order, never dropped)."""
        bundle = self._bundle(mindmap_id)
        if bundle is not None:
            bundle.changes.extend(change.as_message() for change in changes)

    def queue_volatile(self, mindmap_id: int, items: dict[Any, Any]) -> None:
        bundle = self._bundle(mindmap_id)
        if bundle is not None:
            bundle.volatile.update(items)

    def queue_notices(self, mindmap_id: int, encoded: list[str]) -> None:
        bundle = self._bundle(mindmap_id)
        if bundle is not None:
            bundle.notices.extend(encoded)

    # --- tasks ----------------------------------------------------------------------

    async def _send(self) -> None:
        while not self.stopped and not cancelled():
            await self._wake.wait()
            self._wake.clear()
            await self._send_pending()

    async def _send_pending(self) -> None:
        bundles, self._bundles = self._bundles, {}
        # One message per mindmap, all under way together (each mindmap has one per round,
        # and rounds follow each other, so each mindmap's messages stay in order): with a
        # hundred open mindmaps, one after another made the last wait for ninety-nine.
        await asyncio.gather(
            *(self._send_bundle(mindmap_id, bundle) for mindmap_id, bundle in bundles.items())
        )

    async def _send_bundle(self, mindmap_id: int, bundle: Bundle) -> None:
        async with self._sending:
            token = HUB.begin(f"a message for mindmap {mindmap_id}")
            message = {
                "type": "mindmap.bundle",
                "origin": self.id,
                "mindmap": mindmap_id,
                "changes": bundle.changes,
                "items": list(bundle.volatile.values()),
                "notices": bundle.notices,
                "sent": time.time(),  # the receivers' delivery lag (signals.bundle_received)
            }
            try:
                await self.layer.group_send(room_group(mindmap_id), message)
            except Exception as exc:
                # An outage closes the sockets (the watch); otherwise the other processes
                # notice missing changes (a version gap, or the periodic version check).
                if not self.watch.failed(exc):
                    logger.exception("mindmap %s: could not reach the other servers", mindmap_id)
            finally:
                HUB.end(token)

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
            try:
                self._dispatch(message)
            except Exception:
                logger.exception("could not handle %s", message.get("type"))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("origin") == self.id:
            return  # delivered here already
        if isinstance(message.get("sent"), float):
            signals.bundle_received.send(sender=Hub, lag=time.time() - message["sent"])
        kind = message.get("type")
        if kind == "mindmap.membership_ended":
            self.end_membership(message["team"], message["user"])
            return
        room = self.rooms.get(message.get("mindmap"))
        if room is None:
            return
        if message.get("changes"):  # mindmap.changes (from a process without a hub) or .bundle
            room.offer([Change.from_message(value) for value in message["changes"]])
        if message.get("items"):
            room.relay([tuple(item) for item in message["items"]])
        if message.get("notices"):
            room.notify(message["notices"], remote=True)

    async def _beat(self) -> None:
        """The event loop's pulse: a loop that stops running shows as the hub stalling."""
        while not self.stopped and not cancelled():
            token = HUB.begin("the event loop")
            try:
                await asyncio.sleep(1)
            finally:
                HUB.end(token)

    async def _keep_presence(self) -> None:
        """Refresh this process's connections; sweep out the expired ones everywhere."""
        interval = min(float(conf.PRESENCE_TTL_SECONDS) / 4, 5.0)
        while not self.stopped and not cancelled():
            await asyncio.sleep(interval)
            rooms = list(self.rooms.values())
            # Not the connections on their way out: their leave may be under way.
            refreshed = await asyncio.gather(
                *(
                    self.registry.refresh(
                        room.id,
                        {m.conn: m.who for m in room.members if not getattr(m, "closed", False)},
                    )
                    for room in rooms
                ),
                return_exceptions=True,
            )
            try:
                due = await self.registry.due()
            except Exception:
                logger.warning("presence upkeep failed", exc_info=True)
                continue
            swept = await asyncio.gather(
                *(self.registry.sweep(mindmap_id) for mindmap_id in due), return_exceptions=True
            )
            failed = [r for r in (*refreshed, *swept) if isinstance(r, BaseException)]
            if failed:
                logger.warning("presence upkeep failed %d time(s): %r", len(failed), failed[0])
            for mindmap_id, gone in zip(due, swept, strict=True):
                if gone and not isinstance(gone, BaseException):
                    self.presence_left(mindmap_id, gone)

    async def _refresh(self) -> None:
        while not self.stopped and not cancelled():
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            for group in [CONTROL_GROUP, *(room_group(i) for i in list(self.rooms))]:
                await self._sync_group(group, True)
