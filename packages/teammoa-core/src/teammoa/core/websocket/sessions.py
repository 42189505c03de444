"""Who holds which socket: closing a session's sockets when it ends, and a cap per user.

Every socket of the site registers here once it is about to be accepted
(:func:`admit`) and leaves when it closes (:func:`release`). Two things follow:

- **Session end** (SPEC section 9, close 4401). Logout ends that session's sockets; any
  change to a user's account (a password change, a deactivation) re-checks that user's
  sockets, and one whose session is gone, whose session auth hash no longer matches
  the account's password, or whose user is inactive is closed. The news reaches every
  server process through one channel-layer group; each process listens on one channel
  while it holds sockets.
- **Sockets per user** (close 4429). A user holds at most ``TEAMMOA_MAX_SOCKETS_PER_USER``
  sockets. Each socket takes one of that many slots in the default cache (``cache.add``,
  atomic in Redis and in local memory) with an expiry, refreshed while it lives; with a
  shared cache (Redis) the cap holds across processes and a crashed process's slots
  free themselves within ``TEAMMOA_SOCKET_TTL_SECONDS``; with a local-memory cache it
  holds per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from teammoa.core.websocket.batching import loop_coalescing
from teammoa.core.websocket.loop import cancelled, own_layer, run_anywhere, spawn, stop_tasks
from teammoa.core.websocket.outage import LayerWatch

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CLOSE_TOO_MANY_SOCKETS = 4429
GROUP = "teammoa.core.sockets"
# Group memberships expire (channels-redis ``group_expiry``); re-join well before that.
GROUP_REFRESH_SECONDS = 60
SESSION_ENDED = "teammoa.session_ended"
USER_CHANGED = "teammoa.user_changed"


def max_sockets_per_user() -> int:
    return int(getattr(settings, "TEAMMOA_MAX_SOCKETS_PER_USER", 20))


def socket_ttl_seconds() -> int:
    return int(getattr(settings, "TEAMMOA_SOCKET_TTL_SECONDS", 60))


class TooManySockets(Exception):
    """The user already holds the most sockets allowed; close with 4429."""


@dataclass(eq=False)
class OpenSocket:
    """One admitted socket. ``close(code)`` is called on the event loop to end it."""

    user_id: int
    session_key: str | None
    session_hash: str
    close: Any
    slot: str | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def _slot_keys(user_id: int) -> list[str]:
    return [f"teammoa:sockets:{user_id}:{n}" for n in range(max_sockets_per_user())]


def _take_slots(requests: list[tuple[int, str]]) -> list[str | None]:
    """A free slot for each (user id, token), or None when all of that user's are taken
    (cache errors: admit). One read of every slot for all of them, then one atomic
    ``add`` per socket: the cap holds as with one socket at a time."""
    ttl = socket_ttl_seconds()
    try:
        taken = cache.get_many(
            list(dict.fromkeys(key for user_id, _token in requests for key in _slot_keys(user_id)))
        )
    except Exception:
        taken = None
    answers: list[str | None] = []
    for user_id, token in requests:
        try:
            if taken is None:
                raise ConnectionError("the cache could not be read")
            answers.append(_take_free(_slot_keys(user_id), taken, token, ttl))
        except Exception:
            # The cap protects the server, not a person's data: without the cache, admit.
            logger.warning("socket cap unavailable; admitting user %s", user_id, exc_info=True)
            answers.append("")
    return answers


def _take_free(keys: list[str], taken: dict[str, Any], token: str, ttl: int) -> str | None:
    for key in keys:
        if key in taken:
            continue
        if cache.add(key, token, ttl):
            taken[key] = token
            return key
        if cache.get(key) is None:
            # Refused, yet nobody holds it: the cache is not storing anything (a cache
            # that fails open while Redis is away drops every write). Counting that as
            # "all taken" closed everyone's reconnect with 4429 (a minute's wait).
            logger.warning("socket cap unavailable (cache not storing); admitting")
            return ""
        taken[key] = True  # another socket's since the read
    return None


async def _take_all(requests: list[tuple[int, str]]) -> list[str | None]:
    return await sync_to_async(_take_slots, thread_sensitive=False)(requests)


def _refresh_slots(slots: list[str]) -> None:
    ttl = socket_ttl_seconds()
    for key in slots:
        cache.touch(key, ttl)


def _free_slot(key: str, token: str) -> None:
    if cache.get(key) == token:
        cache.delete(key)


def _session_state(scope: dict[str, Any]) -> tuple[str | None, str]:
    from django.contrib.auth import HASH_SESSION_KEY

    session = scope.get("session")
    if session is None:
        return None, ""
    return session.session_key, str(session.get(HASH_SESSION_KEY, ""))


def _with_fresh_connections(function: Any) -> Any:
    """Database work off the request cycle: close stale connections around it (as
    channels' ``database_sync_to_async`` does), so ``CONN_MAX_AGE`` holds."""
    from django.db import close_old_connections

    def run(*args: Any) -> Any:
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return sync_to_async(run)


def _ended(user_id: int, sockets: list[OpenSocket]) -> list[OpenSocket]:
    """The sockets of ``user_id`` whose session no longer stands."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.module_loading import import_string

    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not getattr(user, "is_active", True):
        return list(sockets)
    current = user.get_session_auth_hash()
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    ended = []
    for socket in sockets:
        store: SessionBase = engine()
        if socket.session_hash != current or (
            socket.session_key and not store.exists(socket.session_key)
        ):
            ended.append(socket)
    return ended


class Registry:
    """The sockets of one event loop (server process) and its channel-layer listener."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.sockets: set[OpenSocket] = set()
        self.channel: str | None = None
        self.layer: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._starting: asyncio.Task[None] | None = None
        self.stopped = False
        # After an outage the group is joined again at once, not at the next upkeep.
        self.watch = LayerWatch("socket registry", self._rejoin)

    # --- membership -------------------------------------------------------------

    async def add(self, socket: OpenSocket) -> bool:
        """Hold ``socket``; False if this registry stopped meanwhile (use a new one)."""
        if self.stopped:
            return False
        self.sockets.add(socket)
        if self._starting is None:
            self._starting = spawn(self._start())
        await asyncio.shield(self._starting)
        return True

    async def remove(self, socket: OpenSocket) -> None:
        self.sockets.discard(socket)
        if socket.slot:
            with contextlib.suppress(Exception):
                await sync_to_async(_free_slot, thread_sensitive=False)(socket.slot, socket.token)
        if not self.sockets:
            await self._stop()

    async def _start(self) -> None:
        self.layer = _layer()
        if self.layer is not None:
            try:
                # The layer's default prefix, as every process-local channel must use: with
                # channels-redis, channels of different prefixes on one layer take turns at
                # one blocking read, and a waiting one can starve (the mindmap hub did).
                self.channel = await self.layer.new_channel()
                await self.layer.group_add(GROUP, self.channel)
            except Exception as exc:
                if not self.watch.failed(exc):
                    logger.exception("socket registry: channel layer unavailable")
        self._tasks = [spawn(self._upkeep())]
        if self.channel is not None:
            self._tasks.append(spawn(self._receive()))

    async def _stop(self) -> None:
        self.stopped = True
        if _registries.get(asyncio.get_running_loop()) is self:
            del _registries[asyncio.get_running_loop()]
        await stop_tasks(self._tasks)
        await self.watch.stop()
        if self.layer is not None and self.channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(GROUP, self.channel)

    async def _rejoin(self) -> None:
        if self.layer is not None and self.channel is not None:
            await self.layer.group_add(GROUP, self.channel)

    # --- news -------------------------------------------------------------------

    def session_ended(self, session_key: str) -> None:
        for socket in list(self.sockets):
            if socket.session_key == session_key:
                socket.close(CLOSE_SESSION_ENDED)

    async def user_changed(self, user_id: int) -> None:
        mine = [socket for socket in self.sockets if socket.user_id == user_id]
        if not mine:
            return
        ended = await _with_fresh_connections(_ended)(user_id, mine)
        for socket in ended:
            socket.close(CLOSE_SESSION_ENDED)

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("origin") == self.id:
            return  # handled here already
        kind = message.get("type")
        if kind == SESSION_ENDED:
            self.session_ended(str(message["session"]))
        elif kind == USER_CHANGED:
            await self.user_changed(int(message["user"]))

    # --- tasks ------------------------------------------------------------------

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if cancelled():
                    return
                await self.watch.receive_failed(exc)
                continue
            try:
                await self.dispatch(message)
            except Exception:
                logger.exception("socket registry: could not handle %s", message.get("type"))

    async def _upkeep(self) -> None:
        """Keep the cap's slots alive and the group membership fresh."""
        interval = max(0.2, socket_ttl_seconds() / 3)
        since_group = 0.0
        while not cancelled():
            await asyncio.sleep(interval)
            slots = [socket.slot for socket in self.sockets if socket.slot]
            try:
                await sync_to_async(_refresh_slots, thread_sensitive=False)(slots)
            except Exception:
                logger.warning("socket registry: could not refresh slots", exc_info=True)
            since_group += interval
            if self.channel is not None and since_group >= GROUP_REFRESH_SECONDS:
                since_group = 0.0
                with contextlib.suppress(Exception):
                    await self.layer.group_add(GROUP, self.channel)


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Registry] = (
    weakref.WeakKeyDictionary()
)


def _layer() -> Any:
    """The registry's own channel-layer instance (see :func:`loop.own_layer`)."""
    return own_layer("sockets")


def _registry() -> Registry:
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    if registry is None:
        registry = _registries[loop] = Registry()
    return registry


def _current() -> Registry | None:
    try:
        return _registries.get(asyncio.get_running_loop())
    except RuntimeError:
        return None


# --- the public surface ---------------------------------------------------------------


async def admit(scope: dict[str, Any], close: Any) -> OpenSocket:
    """Register the signed-in user's socket before accepting it.

    ``close(code)`` is called on the event loop when the socket must end (4401). Raises
    :class:`TooManySockets` when the user already holds the most allowed (close 4429).
    Call :func:`release` when the socket closes, whatever happened.
    """
    user = scope["user"]
    session = scope.get("session")
    if session is not None and hasattr(session, "_session_cache"):
        # Read already (by the authentication): nothing to wait for.
        session_key, session_hash = _session_state(scope)
    else:
        session_key, session_hash = await _with_fresh_connections(_session_state)(scope)
    socket = OpenSocket(int(user.pk), session_key, session_hash, close)
    # With every socket asking meanwhile: a burst takes its slots in a few calls.
    slot = await loop_coalescing(_take_all, _take_all)((socket.user_id, socket.token))
    if slot is None:
        raise TooManySockets
    socket.slot = slot or None
    while not await _registry().add(socket):
        pass
    return socket


async def release(socket: OpenSocket) -> None:
    """The socket closed: free its slot and forget it."""
    registry = _current()
    if registry is not None and socket in registry.sockets:
        await registry.remove(socket)
    elif socket.slot:
        with contextlib.suppress(Exception):
            await sync_to_async(_free_slot, thread_sensitive=False)(socket.slot, socket.token)


async def _announce(message: dict[str, Any]) -> None:
    registry = _current()
    if registry is not None:  # this process at once; the others through the layer
        await registry.dispatch(message)
        message = {**message, "origin": registry.id}  # and skipped when it comes back
    layer = _layer()
    if layer is None:
        return
    try:
        await layer.group_send(GROUP, message)
    except Exception:
        logger.exception("could not tell the other servers about %s", message["type"])


def _run(message: dict[str, Any]) -> None:
    """Announce from sync code (a view, a signal receiver) or from the event loop."""
    run_anywhere(_announce, message)


def end_session(session_key: str) -> None:
    """Close every socket opened by this session, in every server process (4401)."""
    if session_key:
        _run({"type": SESSION_ENDED, "session": session_key})


def recheck_user(user_id: int) -> None:
    """Close the user's sockets whose session no longer stands, in every process (4401)."""
    _run({"type": USER_CHANGED, "user": int(user_id)})
