"""The mindmap WebSocket endpoint (protocol v1, SPEC section 4): frames in, services and
rooms behind, frames out.

A plain ASGI application rather than a channels consumer class: it has no channel-layer
channel of its own (its process's hub subscribes once for all sockets) and no per-frame
thread hop, which is what keeps 20 Hz cursors from fifty people cheap.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from teammoa.core.errors import Forbidden, NotFound
from teammoa.core.websocket import (
    ClosesAfterQueuedFrames,
    LayerUnavailable,
    OpenSocket,
    TooManySockets,
    admit,
    frames_offered,
    loop_coalescing,
    release,
    send_frames_message,
)
from teammoa.mindmap import hub, protocol, services, writer
from teammoa.mindmap.conf import conf
from teammoa.mindmap.limits import TokenBucket
from teammoa.mindmap.local import spawn
from teammoa.mindmap.presence import person
from teammoa.mindmap.protocol import ProtocolError
from teammoa.mindmap.rooms import Item, Room

if TYPE_CHECKING:
    from teammoa.core.users import Actor

logger = logging.getLogger(__name__)


def _read_snapshot(user: Actor, mindmap_id: int) -> dict[str, Any]:
    services.open_mindmap(user, mindmap_id)  # still a member? (4403 / 4404 otherwise)
    return services.snapshot(user, mindmap_id)


async def _open_all(requests: list[tuple[Actor, int]]) -> list[Any]:
    """``services.open_mindmap`` for sockets connecting at the same time, in one read."""
    return await writer.read(requests[0][1], services.open_mindmaps, requests)


class MindmapConsumer(ClosesAfterQueuedFrames):
    """One editor connection to ``/ws/mindmaps/<mindmap_id>/``."""

    @classmethod
    def as_asgi(cls) -> Any:
        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            await cls(scope, send).run(receive)

        app.consumer_class = cls  # type: ignore[attr-defined]
        return app

    def __init__(self, scope: dict[str, Any], send: Any) -> None:
        self.scope = scope
        self.base_send = send
        self.loop = asyncio.get_running_loop()
        self.conn = uuid.uuid4().hex
        self.user: Actor = None
        self.user_id = 0
        self.who: dict[str, Any] = {}
        self.room: Room | None = None
        self.accepted = False
        self.ticket: OpenSocket | None = None
        self.closed = False
        # Changes are held until the snapshot is out; then only newer ones go out.
        self.ready = False
        self.version = 0
        self.held: list[tuple[int, str, str | None, Any]] = []
        self.held_notices: list[str] = []
        self._snapshot_task: asyncio.Task[None] | None = None
        self._snapshot_again = False
        self._snapshot_req: Any = None
        # Frames waiting to go out, sent together (one ``batch`` frame if asked for).
        self.out: list[str] = []
        self._flusher: asyncio.Task[None] | None = None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        self.batch = query.get("batch", ["0"])[-1] == "1"
        self.prebuilt = frames_offered(scope)
        rate = conf.rate
        self.bucket = TokenBucket(rate.count, rate.seconds)
        self.volatile_bucket = TokenBucket(conf.VOLATILE_PER_SECOND, 1)

    async def run(self, receive: Any) -> None:
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.connect":
                    try:
                        await self.connect()
                    except Exception:  # never Daphne's 1011: a code the client acts on
                        logger.exception("mindmap socket: connecting failed")
                        await self.fail()
                elif kind == "websocket.receive":
                    try:
                        self.receive(message.get("text"), message.get("bytes"))
                    except Exception:  # a bug must not end everyone's session
                        logger.exception("mindmap frame failed")
                elif kind == "websocket.disconnect":
                    break
        finally:
            # Every way out (a close, a crash, a cancelled task) leaves the room.
            await asyncio.shield(self.cleanup())

    # --- connecting -------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(protocol.CLOSE_UNAUTHENTICATED)
            return
        try:
            mindmap_id = int(self.scope["url_route"]["kwargs"]["mindmap_id"])
            # On a reader thread with a kept connection, together with every other socket
            # asking meanwhile: a burst of sockets makes a few reads, not one each.
            mindmap, _membership = await loop_coalescing(_open_all, _open_all)((user, mindmap_id))
        except (NotFound, KeyError, ValueError):
            await self.refuse(protocol.CLOSE_NOT_FOUND)
            return
        except Forbidden:
            await self.refuse(protocol.CLOSE_FORBIDDEN)
            return
        except Exception:  # the database is unreachable: the client retries with backoff
            logger.exception("mindmap socket: could not open the mindmap")
            await self.refuse(protocol.CLOSE_UNAVAILABLE)
            return
        try:
            # Registered before accepting: closed with 4401 when its session ends.
            self.ticket = await admit(self.scope, self.close_with)
        except TooManySockets:
            await self.refuse(protocol.CLOSE_TOO_MANY)
            return
        self.user, self.user_id, self.who = user, int(user.pk), person(user)
        self.accepted = True
        await self.base_send({"type": "websocket.accept"})
        try:
            self.room = await hub.join(self, mindmap.pk, mindmap.team_id)
        except LayerUnavailable:  # changes between servers cannot travel: retry later
            self.close_with(protocol.CLOSE_UNAVAILABLE)
            return
        await self.room.arrive(self)
        await asyncio.shield(self.room.welcome(self))

    async def refuse(self, code: int) -> None:
        # Accept first: a close before the handshake reaches browsers as a bare 403,
        # without the code that tells them why.
        self.closed = True
        if not self.accepted:
            self.accepted = True
            await self.base_send({"type": "websocket.accept"})
        await self.base_send({"type": "websocket.close", "code": code})

    async def fail(self) -> None:
        """Something broke on the server: close with 4500 (reconnect with backoff)."""
        if self.closed:
            return
        if not self.accepted:
            await self.refuse(protocol.CLOSE_UNAVAILABLE)
        else:
            self.close_with(protocol.CLOSE_UNAVAILABLE)

    def resync(self, req: Any = None) -> None:
        """Send a fresh snapshot (on connect, on ``resync``, or when the room lost track)."""
        if self.closed:
            return
        self.ready = False
        if req is not None:
            self._snapshot_req = req
        if self._snapshot_task is not None and not self._snapshot_task.done():
            self._snapshot_again = True  # the one being read may predate what we need
            return
        self._snapshot_task = spawn(self._send_snapshot())

    async def _send_snapshot(self) -> None:
        room = self.room
        if room is None:
            return
        self._snapshot_again = True
        while self._snapshot_again and not self.closed:
            self._snapshot_again = False
            try:
                data = await writer.read(room.id, _read_snapshot, self.user, room.id)
                people = await room.people()
            except Forbidden:
                self.close_with(protocol.CLOSE_FORBIDDEN)
                return
            except NotFound:
                self.close_with(protocol.CLOSE_NOT_FOUND)
                return
            except Exception:  # the database is unreachable: reconnect with backoff
                logger.exception("mindmap %s: snapshot failed", room.id)
                self.close_with(protocol.CLOSE_UNAVAILABLE)
                return
            if self.ready and data["version"] < self.version:
                return  # a newer one (the room's) went out meanwhile
        if self.closed:
            return
        room.baseline(data["version"], {node["id"] for node in data["nodes"]})
        self._send_frame(data, people)

    def take_snapshot(self, data: dict[str, Any], people: list[dict[str, Any]]) -> None:
        """The room's shared snapshot (its resync), personalised for this user."""
        if self.closed or (self.ready and data["version"] < self.version):
            return
        mine = data["recommended"].get(self.user_id, set())
        nodes = [{**node, "recommended_by_me": node["id"] in mine} for node in data["nodes"]]
        own = {key: value for key, value in data.items() if key != "recommended"}
        self._send_frame({**own, "nodes": nodes}, people)

    def _send_frame(self, data: dict[str, Any], people: list[dict[str, Any]]) -> None:
        frame = {"type": protocol.SNAPSHOT, **data, "presence": people, "me": self.user_id}
        if self._snapshot_req is not None:
            frame["req"], self._snapshot_req = self._snapshot_req, None
        self.version = data["version"]
        self.ready = True
        self.push(protocol.dumps(frame))
        held, self.held = self.held, []
        for args in held:
            self.deliver(*args)
        notices, self.held_notices = self.held_notices, []
        for notice in notices:
            self.push(notice)

    # --- frames from the client -------------------------------------------------------

    def receive(self, text: str | None, data: bytes | None) -> None:
        if self.closed or self.room is None:
            return
        try:
            request = self._parse(text, data)
        except ProtocolError as exc:
            self.push(protocol.dumps(protocol.error(exc.code, exc.message, exc.req, exc.errors)))
            return
        if request is None:
            return  # a cursor or drag past the per-second limit: dropped
        fields = request.fields
        if request.type == "cursor":
            self.room.cursor(self, fields["x"], fields["y"])
        elif request.type == "node.drag":
            if not self.room.drag(self, fields["node"], fields["x"], fields["y"]):
                message = protocol.error(protocol.NOT_FOUND, "No such node.", request.req)
                self.push(protocol.dumps(message))
        elif request.type == "resync":
            self.resync(request.req if request.req is not None else None)
        elif request.type == "ping":
            self.push(
                protocol.dumps({"type": protocol.PONG, "req": request.req, "version": self.version})
            )
        else:
            self.room.submit(self, request)

    def _parse(self, text: str | None, data: bytes | None) -> protocol.Request | None:
        raw = text if text is not None else data
        if raw is not None and protocol.frame_too_large(raw, conf.MAX_FRAME_BYTES):
            self._spend(None)
            limit = conf.MAX_FRAME_BYTES
            raise ProtocolError(protocol.TOO_LARGE, f"Frames are limited to {limit} bytes.")
        try:
            message = protocol.decode(text)
        except ProtocolError:
            self._spend(None)
            raise
        kind = message.get("type")
        # A type may be any JSON value; a list or an object is unhashable.
        if isinstance(kind, str) and kind in protocol.VOLATILE:
            if not self.volatile_bucket.allow():
                return None
        else:
            self._spend(protocol.request_id(message))
        return protocol.validate(message)

    def _spend(self, req: Any) -> None:
        if not self.bucket.allow():
            raise ProtocolError(protocol.RATE_LIMITED, "Too many messages; slow down.", req)

    # --- frames to the client ---------------------------------------------------------

    def deliver(self, version: int, encoded: str, conn: str | None, req: Any) -> None:
        """A persisted change, in version order (from the room)."""
        if self.closed:
            return
        if not self.ready:
            self.held.append((version, encoded, conn, req))
            return
        mine = conn == self.conn and req is not None
        if version <= self.version:
            if mine:  # already in the snapshot, but the sender waits for its answer
                self.push(protocol.with_req(encoded, req))
            return
        self.version = version
        self.push(protocol.with_req(encoded, req) if mine else encoded)

    def relay(self, items: list[Item]) -> None:
        """Cursors and drags of one tick; not one's own."""
        if self.closed or not self.ready:
            return
        for user, conn, kind, encoded in items:
            if (kind == "c" and user == self.user_id) or (kind == "d" and conn == self.conn):
                continue
            self.out.append(encoded)
        self._schedule_flush()

    def notice(self, encoded: str) -> None:
        """Presence news: after the snapshot, never before it."""
        if not self.ready:
            self.held_notices.append(encoded)
        else:
            self.push(encoded)

    def push(self, encoded: str) -> None:
        if self.closed:
            return
        self.out.append(encoded)
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        # A task runs on the next loop iteration, so whatever else is queued in this one
        # goes out with it.
        if self.out and self._flusher is None:
            self._flusher = self.loop.create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self.out:
                frames, self.out = self.out, []
                if self.batch and len(frames) > 1:
                    frames = [protocol.batch(frames)]
                if self.prebuilt and len(frames) > 1:
                    # Each message framed once for every socket of the room, one write.
                    await self.base_send(send_frames_message(frames))
                    continue
                for frame in frames:
                    await self.base_send({"type": "websocket.send", "text": frame})
        except Exception:  # the socket is gone; the disconnect cleans up
            self.out.clear()
        finally:
            self._flusher = None

    async def cleanup(self) -> None:
        room, self.room = self.room, None
        self.closed = True
        ticket, self.ticket = self.ticket, None
        if ticket is not None:
            try:
                await release(ticket)
            except Exception:
                logger.warning("mindmap socket: could not release its slot", exc_info=True)
        if room is None:
            return
        try:
            await room.depart(self)
        except Exception:
            logger.warning("mindmap %s: presence cleanup failed", room.id, exc_info=True)
        try:
            await room.hub.leave(room, self)
        except Exception:
            logger.exception("mindmap %s: leaving the room failed", room.id)
