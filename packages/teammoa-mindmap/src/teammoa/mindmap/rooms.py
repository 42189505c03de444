"""A room: one open mindmap in one server process, and the connections editing it here.

The room keeps persisted changes in version order (holding an early arrival until the
change before it comes, and resynchronising its clients if it never does), coalesces
cursors and drags into one fan-out per tick, queues edits for the writer, and announces
arrivals and departures (the hub keeps the who-is-here registry alive for all rooms).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from typing import Any, Protocol

from teammoa.core.errors import DomainError
from teammoa.mindmap import protocol, services, signals, writer
from teammoa.mindmap.broadcast import apublish
from teammoa.mindmap.conf import conf
from teammoa.mindmap.local import call_later, cancelled, spawn
from teammoa.mindmap.presence import Registry
from teammoa.mindmap.services.changes import Change


class RoomHub(Protocol):
    """What a room asks of the process's hub (``teammoa.mindmap.hub.Hub``, which imports
    this module: a room never imports its hub back)."""

    registry: Registry

    def queue_volatile(self, mindmap_id: int, items: dict[Any, Any]) -> None: ...

    def queue_notices(self, mindmap_id: int, encoded: list[str]) -> None: ...

    async def leave(self, room: Room, member: Member) -> None: ...


logger = logging.getLogger(__name__)

AUDIT_SECONDS = 10
RESYNC_INTERVAL = 3.0
# Arrivals within this long of a full snapshot read share its nodes and connections if
# the mindmap is still at that version (what changes without a version, such as comments
# of an account being deleted, shows at most this late, as for one who arrived then).
REUSE_SNAPSHOT_SECONDS = 2.0
# (user, connection, kind "c" cursor | "d" drag, encoded message)
Item = tuple[int, str, str, str]


class Member(Protocol):
    """What a room needs of a connection (``MindmapConsumer``)."""

    conn: str
    user_id: int
    who: dict[str, Any]

    def deliver(self, version: int, encoded: str, conn: str | None, req: Any) -> None: ...
    def relay(self, items: list[Item]) -> None: ...
    def push(self, encoded: str) -> None: ...
    def notice(self, encoded: str) -> None: ...
    def resync(self) -> None: ...
    def take_snapshot(self, data: dict[str, Any], people: list[dict[str, Any]]) -> None: ...
    def close_with(self, code: int) -> None: ...


class Room:
    def __init__(self, hub: RoomHub, mindmap_id: int, team_id: int) -> None:
        self.hub = hub
        self.id = mindmap_id
        self.team_id = team_id
        self.members: set[Member] = set()
        self.loop = asyncio.get_running_loop()
        # Persisted changes: the last version handed to members, and early arrivals.
        self.version: int | None = None
        self.node_ids: set[int] | None = None
        self.pending: dict[int, Change] = {}
        self._gap: asyncio.TimerHandle | None = None
        self._resyncing = False
        self._resync_later: asyncio.TimerHandle | None = None
        self._last_resync = -RESYNC_INTERVAL
        # Cursors and drags waiting for the next tick, latest per user / node.
        self._volatile: dict[tuple[str, int], Item] = {}
        self._tick: asyncio.TimerHandle | None = None
        self._last_tick = 0.0
        # Edits waiting for the writer.
        self._ops: list[tuple[Member, protocol.Request]] = []
        self._writer: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._audit_target: int | None = None
        # Connections waiting for their first snapshot, and the read that serves them.
        self._arrivals: list[tuple[Member, asyncio.Future[None]]] = []
        self._welcoming: asyncio.Task[None] | None = None
        # The last full snapshot read for arrivals (when it came back, what it read).
        self._last_read: tuple[float, dict[str, Any]] | None = None

    def start(self) -> None:
        self._tasks = [spawn(self._audit())]

    async def close(self) -> None:
        for handle in (self._gap, self._tick, self._resync_later):
            if handle is not None:
                handle.cancel()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._writer is not None:  # edits already sent are saved, even if all left
            with contextlib.suppress(Exception):
                await self._writer

    # --- persisted changes, in version order ----------------------------------------

    def baseline(self, version: int, node_ids: set[int]) -> None:
        """The first snapshot read in this process sets where the room starts."""
        if self.version is None:
            self.version, self.node_ids = version, node_ids
            self._drain()

    def offer(self, changes: list[Change]) -> None:
        for change in changes:
            version = change.version
            if self.version is None or version > self.version:
                self.pending.setdefault(version, change)
            elif change.conn and change.req is not None:
                self._hand_out(change)  # stale, but its sender is waiting for the answer
        self._drain()

    def _drain(self) -> None:
        if self.version is None:
            return
        while self.version + 1 in self.pending:
            change = self.pending.pop(self.version + 1)
            self.version += 1
            self._apply(change)
            self._hand_out(change)
        for version in [v for v in self.pending if v <= self.version]:
            stale = self.pending.pop(version)  # covered by a resync's snapshots
            if stale.conn and stale.req is not None:
                self._hand_out(stale)  # its sender still waits for the answer
        if self.pending and self._gap is None:
            self._gap = call_later(conf.GAP_TIMEOUT_SECONDS, self._gap_expired)
        elif not self.pending and self._gap is not None:
            self._gap.cancel()
            self._gap = None

    def _apply(self, change: Change) -> None:
        payload = change.payload
        if self.node_ids is None:
            return
        if payload["type"] == "node.created":
            self.node_ids.add(payload["node"]["id"])
        elif payload["type"] == "node.deleted":
            self.node_ids.discard(payload["node"])

    def _hand_out(self, change: Change) -> None:
        encoded = protocol.dumps(change.payload)
        for member in list(self.members):
            member.deliver(change.version, encoded, change.conn, change.req)
        if change.payload["type"] == "mindmap.deleted":
            for member in list(self.members):
                member.close_with(protocol.CLOSE_NOT_FOUND)

    def _resync_due(self) -> None:
        self._resync_later = None
        spawn(self.resync())

    def _gap_expired(self) -> None:
        self._gap = None
        if self.pending:
            logger.info("mindmap %s: a change never arrived; resynchronising", self.id)
            spawn(self.resync())

    async def resync(self) -> None:
        """Catch up from the database: a new baseline, and every member gets a snapshot
        (one read for all of them; at most one resync every few seconds, so a server that
        falls behind under load does not bury itself in snapshots)."""
        if self._resyncing:
            return
        wait = self._last_resync + RESYNC_INTERVAL - self.loop.time()
        if wait > 0:
            if self._resync_later is None:
                self._resync_later = call_later(wait, self._resync_due)
            return
        self._resyncing = True
        self._last_resync = self.loop.time()
        try:
            members = list(self.members)
            data = await writer.read(
                self.id, services.shared_snapshot, self.id, {member.user_id for member in members}
            )
            if data is None:
                for member in list(self.members):
                    member.close_with(protocol.CLOSE_NOT_FOUND)
                return
            version = data["version"]
            if self.version is None or version > self.version:
                self.version = version
                self.node_ids = {node["id"] for node in data["nodes"]}
            people = await self.people()
            for member in members:
                if member in self.members:
                    member.take_snapshot(data, people)
            signals.room_resynced.send(sender=Room, mindmap=self.id, members=len(members))
            for member in self.members - set(members):  # arrived meanwhile
                member.resync()
            self._drain()
        except Exception:
            logger.exception("mindmap %s: resync failed", self.id)
        finally:
            self._resyncing = False

    async def _audit(self) -> None:
        """A change lost on its way here (and nothing after it) shows up as the database
        being ahead of the room for longer than one audit period: resync then."""
        while not cancelled():
            await asyncio.sleep(AUDIT_SECONDS * random.uniform(0.8, 1.2))  # noqa: S311
            try:
                version = await writer.read(self.id, services.current_version, self.id)
            except Exception:
                logger.warning("mindmap %s: version check failed", self.id, exc_info=True)
                continue
            if version is None or (
                self._audit_target is not None
                and self.version is not None
                and self.version < self._audit_target
            ):
                await self.resync()
            self._audit_target = version

    # --- cursors and drags: coalesced per tick --------------------------------------

    def cursor(self, member: Member, x: int, y: int) -> None:
        encoded = protocol.dumps(protocol.cursor(member.user_id, x, y))
        self._volatile[("c", member.user_id)] = (member.user_id, member.conn, "c", encoded)
        self._schedule_tick()

    def drag(self, member: Member, node: int, x: int, y: int) -> bool:
        """Relay a drag; False when the node is not in this mindmap."""
        if self.node_ids is not None and node not in self.node_ids:
            return False
        encoded = protocol.dumps(protocol.dragging(member.user_id, node, x, y))
        self._volatile[("d", node)] = (member.user_id, member.conn, "d", encoded)
        self._schedule_tick()
        return True

    def _schedule_tick(self) -> None:
        if self._tick is None:
            delay = max(0.0, self._last_tick + conf.TICK_SECONDS - self.loop.time())
            self._tick = call_later(delay, self._flush_volatile)

    def _flush_volatile(self) -> None:
        self._tick = None
        self._last_tick = self.loop.time()
        pending, self._volatile = self._volatile, {}
        if not pending:
            return
        self.relay(list(pending.values()))
        self.hub.queue_volatile(self.id, pending)

    def relay(self, items: list[Item]) -> None:
        for member in list(self.members):
            member.relay(items)

    # --- presence -----------------------------------------------------------------

    def notify(self, encoded: list[str], remote: bool = False, skip: Member | None = None) -> None:
        """Hand non-persisted notices (presence) to every member here (and elsewhere)."""
        for member in list(self.members):
            if member is skip:  # a newcomer finds itself in its snapshot
                continue
            for message in encoded:
                member.notice(message)
        if not remote:
            self.hub.queue_notices(self.id, encoded)

    async def arrive(self, member: Member) -> None:
        try:
            first = await self.hub.registry.join(self.id, member.conn, member.who)
        except Exception:  # presence is worth less than editing: carry on without it
            logger.warning("mindmap %s: presence unavailable", self.id, exc_info=True)
            return
        if first:
            joined = protocol.dumps({"type": protocol.PRESENCE_JOINED, **member.who})
            self.notify([joined], skip=member)

    async def depart(self, member: Member) -> None:
        gone = await self.hub.registry.leave(self.id, member.conn)
        if gone:
            self.notify([protocol.dumps({"type": protocol.PRESENCE_LEFT, **gone})])

    async def welcome(self, member: Member) -> None:
        """The first snapshot of a connection that just joined (and was checked).

        Everyone arriving while a read is on its way shares the next one: a burst of a
        thousand sockets over a hundred mindmaps costs a few hundred reads, not a thousand.
        """
        waiting = self.loop.create_future()
        self._arrivals.append((member, waiting))
        if self._welcoming is None or self._welcoming.done():
            self._welcoming = spawn(self._welcome())
        await waiting

    async def _welcome(self) -> None:
        while self._arrivals:
            arrivals, self._arrivals = self._arrivals, []
            users = {member.user_id for member, _waiting in arrivals}
            code = None
            known = None
            if self._last_read is not None and (
                self.loop.time() - self._last_read[0] <= REUSE_SNAPSHOT_SECONDS
            ):
                known = self._last_read[1]
            try:
                data = await writer.read(self.id, services.shared_snapshot, self.id, users, known)
                if data is not None and (known is None or data["nodes"] is not known["nodes"]):
                    self._last_read = (self.loop.time(), data)  # a full read: reusable now
                people = await self.people() if data is not None else []
            except Exception:  # the database is unreachable: reconnect with backoff
                logger.exception("mindmap %s: snapshot failed", self.id)
                data, code = None, protocol.CLOSE_UNAVAILABLE
            if data is None:
                for member, waiting in arrivals:
                    member.close_with(code or protocol.CLOSE_NOT_FOUND)
                    if not waiting.done():
                        waiting.set_result(None)
                continue
            self.baseline(data["version"], {node["id"] for node in data["nodes"]})
            for member, waiting in arrivals:
                if member in self.members:
                    member.take_snapshot(data, people)
                if not waiting.done():
                    waiting.set_result(None)

    async def people(self) -> list[dict[str, Any]]:
        try:
            return await self.hub.registry.people(self.id)
        except Exception:
            logger.warning("mindmap %s: presence unavailable", self.id, exc_info=True)
            return list({member.user_id: member.who for member in self.members}.values())

    # --- edits: queued, then written in batches ----------------------------------

    def submit(self, member: Member, request: protocol.Request) -> None:
        if request.type == "node.move":  # the drop supersedes any drag still queued
            self._volatile.pop(("d", request.fields["node"]), None)
        self._ops.append((member, request))
        signals.writes_queued.send(sender=Room, delta=1)
        if self._writer is None or self._writer.done():
            self._writer = spawn(self._write())

    async def _write(self) -> None:
        while self._ops:
            batch, self._ops = self._ops[: conf.WRITE_BATCH], self._ops[conf.WRITE_BATCH :]
            ops = [(m.user_id, r.type, r.fields, {"conn": m.conn, "req": r.req}) for m, r in batch]
            signals.writes_queued.send(sender=Room, delta=-len(batch))
            started = time.perf_counter()
            try:
                results, committed = await writer.write(self.id, ops)
            except Exception:  # a bug: the writer answers database failures itself
                logger.exception("mindmap %s: %d edits could not be written", self.id, len(ops))
                results, committed = [writer.WriteFailed(outage=True) for _op in ops], []
            signals.writer_batch.send(
                sender=Room,
                size=len(ops),
                seconds=time.perf_counter() - started,
                ok=not any(isinstance(r, writer.WriteFailed) and r.outage for r in results),
            )
            for mindmap_id, changes in committed:  # what the commit hook would publish
                await apublish(mindmap_id, changes)
            stranded: list[Member] = []
            for (member, request), result in zip(batch, results, strict=True):
                if isinstance(result, DomainError):
                    member.push(protocol.dumps(protocol.domain_error(result, request.req)))
                elif isinstance(result, writer.WriteFailed):
                    message = protocol.error(protocol.UNAVAILABLE, str(result.message), request.req)
                    member.push(protocol.dumps(message))
                    if result.outage:
                        stranded.append(member)
            # Every answer first, then the close: a sender's view may hold what was never
            # saved, so it reconnects (with backoff) and resyncs.
            for member in stranded:
                member.close_with(protocol.CLOSE_UNAVAILABLE)
            if stranded:  # a commit whose outcome is unknown may have been written after all
                spawn(self.resync())

    def close_user(self, user_id: int) -> None:
        for member in list(self.members):
            if member.user_id == user_id:
                member.close_with(protocol.CLOSE_FORBIDDEN)
