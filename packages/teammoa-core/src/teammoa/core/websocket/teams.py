"""The team socket, ``/ws/teams/<team_id>/``: team events for every open page of a team.

Server → client only (besides ``ping``); see docs/team-events.md. Each server process
holds one :class:`TeamHub` (one channel-layer subscription; a group per team with open
sockets here). Events are published by :func:`teammoa.core.events.publish_team_event`
after their commit; this module delivers them (:func:`deliver`).

A plain ASGI application (no channel of its own per socket, no thread hop per frame),
behind the site's ``OriginValidator``, ``CloseOnError`` and session authentication.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from teammoa.core.websocket.closing import ClosesAfterQueuedFrames
from teammoa.core.websocket.errors import CLOSE_UNAVAILABLE
from teammoa.core.websocket.hub import GroupHub, current_instance, loop_instance
from teammoa.core.websocket.loop import run_anywhere, spawn
from teammoa.core.websocket.outage import LayerUnavailable
from teammoa.core.websocket.sessions import (
    OpenSocket,
    TooManySockets,
    _with_fresh_connections,
    admit,
    release,
)

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429

EVENT = "teammoa.team.event"
MEMBERSHIP_ENDED = "teammoa.team.membership_ended"
# A socket that lets this many frames pile up (a stalled client) is closed with 4500; its
# page reconnects and refetches.
MAX_PENDING_FRAMES = 256
MAX_FRAME_BYTES = 1024
# Frames a client may send per second (it only needs pings); the rest are dropped.
FRAMES_PER_SECOND = 5


def team_group(team_id: int) -> str:
    return f"teammoa.core.team.{int(team_id)}"


class TeamHub(GroupHub):
    """This process's team sockets, by team."""

    purpose = "teams"

    def __init__(self) -> None:
        super().__init__()
        self.sockets: dict[int, set[TeamSocket]] = {}

    async def join(self, socket: TeamSocket, team_id: int) -> bool:
        """Add the socket (subscribed on return); False if this hub stopped meanwhile.

        Raises :class:`LayerUnavailable` while the channel layer cannot be reached.
        """
        if self.stopped:
            return False
        self.watch.check()
        self.sockets.setdefault(team_id, set()).add(socket)
        try:
            await self.want(team_group(team_id))
        except LayerUnavailable:
            self._forget(socket, team_id)
            if not self.sockets:
                await self.stop()
            raise
        return True

    def _forget(self, socket: TeamSocket, team_id: int) -> bool:
        members = self.sockets.get(team_id)
        if members is None or socket not in members:
            return False
        members.discard(socket)
        if not members:
            del self.sockets[team_id]
        return True

    async def leave(self, socket: TeamSocket, team_id: int) -> None:
        if not self._forget(socket, team_id):
            return
        await self.unwant(team_group(team_id))
        if not self.sockets:
            await self.stop()

    def lost(self) -> None:
        """The channel layer is away: news from other servers would be missed silently,
        so every socket closes with 4500 (the page reconnects with backoff and refetches)."""
        for sockets in list(self.sockets.values()):
            for socket in list(sockets):
                socket.close_with(CLOSE_UNAVAILABLE)

    def local(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == EVENT:
            event = message["event"]
            encoded = json.dumps(event, separators=(",", ":"))
            for socket in list(self.sockets.get(int(event["team"]), ())):
                socket.push(encoded)
        elif kind == MEMBERSHIP_ENDED:
            user_id = int(message["user"])
            code = CLOSE_NOT_FOUND if message.get("team_deleted") else CLOSE_FORBIDDEN
            for socket in list(self.sockets.get(int(message["team"]), ())):
                if socket.user_id == user_id:
                    socket.close_with(code)

    def dispatch(self, message: dict[str, Any]) -> None:
        self.local(message)


async def _announce(team_id: int, message: dict[str, Any]) -> None:
    """To this process's sockets at once, and through the channel layer to the others."""
    hub = current_instance(TeamHub)
    if hub is not None:
        hub.local(message)
        sender: Any = hub
    else:
        sender = TeamHub()  # not started: only sends, through the same layer instance
    try:
        await sender.send(team_group(team_id), message)
    except Exception:
        logger.exception("team %s: could not reach the other servers", team_id)


def deliver(event: dict[str, Any]) -> None:
    """Send a committed team event to the team's sockets in every process."""
    run_anywhere(_announce, int(event["team"]), {"type": EVENT, "event": event})


def end_membership(team_id: int, user_id: int, *, team_deleted: bool = False) -> None:
    """Close the user's sockets of this team in every process: 4403, or 4404 when the team
    itself is gone (disbanded), so the page can say which."""
    message = {
        "type": MEMBERSHIP_ENDED,
        "team": int(team_id),
        "user": int(user_id),
        "team_deleted": bool(team_deleted),
    }
    run_anywhere(_announce, team_id, message)


def _access_and_news(user: Any, team_id: int) -> tuple[int, float | None]:
    """``_access``, and when the team last had news from someone else (for ``hello``), in
    one thread hop."""
    from teammoa.core.events import last_event_at

    code = _access(user, team_id)
    return code, (None if code else last_event_at(team_id, reader=int(user.pk)))


def _access(user: Any, team_id: int) -> int:
    """The close code that refuses this user, or 0 when they are a member."""
    from teammoa.core.models import Membership, Team

    if not Team.objects.filter(pk=team_id).exists():
        return CLOSE_NOT_FOUND
    if not Membership.objects.filter(team_id=team_id, user_id=user.pk).exists():
        return CLOSE_FORBIDDEN
    return 0


class TeamSocket(ClosesAfterQueuedFrames):
    """One page's connection to ``/ws/teams/<team_id>/``."""

    @classmethod
    def as_asgi(cls) -> Any:
        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            await cls(scope, send).run(receive)

        app.consumer_class = cls  # type: ignore[attr-defined]
        return app

    def __init__(self, scope: dict[str, Any], send: Any) -> None:
        self.scope = scope
        self.base_send = send
        self.user_id = 0
        self.team_id = 0
        self.hub: TeamHub | None = None
        self.ticket: OpenSocket | None = None
        self.accepted = False
        self.closed = False
        self.out: list[str] = []
        self._flusher: asyncio.Task[None] | None = None
        self._window = (0.0, 0)

    async def run(self, receive: Any) -> None:
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.connect":
                    try:
                        await self.connect()
                    except Exception:  # never Daphne's 1011: a code the client acts on
                        logger.exception("team socket: connecting failed")
                        await self.refuse(CLOSE_UNAVAILABLE)
                elif kind == "websocket.receive":
                    self.receive(message.get("text"), message.get("bytes"))
                elif kind == "websocket.disconnect":
                    break
        finally:
            await asyncio.shield(self.cleanup())

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        try:
            team_id = int(self.scope["url_route"]["kwargs"]["team_id"])
        except (KeyError, TypeError, ValueError):
            await self.refuse(CLOSE_NOT_FOUND)
            return
        try:
            code = await _with_fresh_connections(_access)(user, team_id)
        except Exception:  # the database is unreachable: the page retries with backoff
            logger.exception("team socket: could not check the membership")
            await self.refuse(CLOSE_UNAVAILABLE)
            return
        if code:
            await self.refuse(code)
            return
        try:
            # Registered before accepting: closed with 4401 when its session ends.
            self.ticket = await admit(self.scope, self.close_with)
        except TooManySockets:
            await self.refuse(CLOSE_TOO_MANY)
            return
        self.user_id, self.team_id = int(user.pk), team_id
        self.accepted = True
        await self.base_send({"type": "websocket.accept"})
        while True:
            hub = await loop_instance(TeamHub)
            try:
                joined = await hub.join(self, team_id)
            except LayerUnavailable:  # the page tries again with backoff
                self.close_with(CLOSE_UNAVAILABLE)
                return
            if joined:
                self.hub = hub
                break
        # Subscribed now: a removal committed before this is seen here, one after it
        # arrives as news.
        code, news = await _with_fresh_connections(_access_and_news)(user, team_id)
        if code:
            self.close_with(code)  # 4403, or 4404 for a team disbanded meanwhile
            return
        # When the team's latest news left: a page rendered before that reads again.
        hello = {"type": "hello", "team": team_id, "me": self.user_id, "last_event_at": news}
        self.push(json.dumps(hello))

    async def refuse(self, code: int) -> None:
        # Accept first: a close before the handshake reaches browsers as a bare 403.
        self.closed = True
        if not self.accepted:
            self.accepted = True
            await self.base_send({"type": "websocket.accept"})
        await self.base_send({"type": "websocket.close", "code": code})

    # --- frames from the client -------------------------------------------------------

    def _allowed(self) -> bool:
        start, count = self._window
        now = time.monotonic()
        if now - start >= 1:
            start, count = now, 0
        self._window = (start, count + 1)
        return count < FRAMES_PER_SECOND

    def receive(self, text: str | None, data: bytes | None) -> None:
        if self.closed or self.hub is None or not self._allowed():
            return
        raw = text if text is not None else data
        if raw is None or len(raw) > MAX_FRAME_BYTES:
            self._error("too_large", f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
            return
        try:
            message = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            self._error("bad_json", "Frames are JSON objects.")
            return
        req = message.get("req") if isinstance(message, dict) else None
        if not isinstance(req, str | int) or isinstance(req, bool):
            req = None
        if isinstance(message, dict) and message.get("type") == "ping":
            self.push(json.dumps({"type": "pong", "req": req}))
        else:
            self._error("unknown_type", "The only message a client sends is ping.", req)

    def _error(self, code: str, text: str, req: Any = None) -> None:
        self.push(json.dumps({"type": "error", "req": req, "code": code, "message": text}))

    # --- frames to the client ---------------------------------------------------------

    def push(self, encoded: str) -> None:
        if self.closed:
            return
        if len(self.out) >= MAX_PENDING_FRAMES:
            self.close_with(CLOSE_UNAVAILABLE)
            return
        self.out.append(encoded)
        if self._flusher is None:
            self._flusher = spawn(self._flush())

    async def _flush(self) -> None:
        try:
            while self.out:
                frame = self.out.pop(0)
                await self.base_send({"type": "websocket.send", "text": frame})
        except Exception:  # the socket is gone; the disconnect cleans up
            self.out.clear()
        finally:
            self._flusher = None

    async def cleanup(self) -> None:
        self.closed = True
        ticket, self.ticket = self.ticket, None
        if ticket is not None:
            try:
                await release(ticket)
            except Exception:
                logger.warning("team socket: could not release its slot", exc_info=True)
        hub, self.hub = self.hub, None
        if hub is not None:
            try:
                await hub.leave(self, self.team_id)
            except Exception:
                logger.exception("team %s: leaving the hub failed", self.team_id)
