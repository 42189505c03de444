"""Who is here: the people with an open editor on each mindmap.

A person is present while at least one of their connections is. Connections are kept in
a registry with an expiry that every server process refreshes for its own connections,
so the users of a process that dies vanish once their entries expire (TTL plus one sweep)
— no goodbye is needed. With Redis the registry is shared by every process; without it,
it lives in this process's memory (one server process, e.g. development).

Each decision ("first connection of this user", "last one gone") is taken atomically in
the registry, so exactly one process announces each ``presence.joined`` / ``presence.left``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import math
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol

from teammoa.core.models import display_name
from teammoa.mindmap.conf import conf
from teammoa.mindmap.progress import REGISTRY

if TYPE_CHECKING:
    from teammoa.core.users import Actor

logger = logging.getLogger(__name__)

# Distinct on light and dark backgrounds; a user keeps one colour everywhere.
PALETTE = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#0f9d9a",
    "#d6336c",
    "#6f8f00",
    "#9a6324",
    "#1f77b4",
    "#c2185b",
    "#2e7d32",
)


def person(user: Actor) -> dict[str, Any]:
    """How a user appears in ``presence`` lists and events."""
    return {
        "user": user.pk,
        "name": display_name(user),
        "color": PALETTE[int(user.pk) % len(PALETTE)],
    }


class Registry(Protocol):
    async def join(self, mindmap_id: int, conn: str, who: dict[str, Any]) -> bool:
        """Register a connection; True when it is the user's first one here."""

    async def leave(self, mindmap_id: int, conn: str) -> dict[str, Any] | None:
        """Drop a connection; the person when it was their last one here."""

    async def refresh(self, mindmap_id: int, conns: dict[str, dict[str, Any]]) -> None:
        """Keep this process's connections (connection → person) alive for another TTL,
        registering again any the registry lost (a Redis that restarted empty, a join
        that failed while it was away)."""

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        """Drop expired connections; the people who are gone with them."""

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        """Everyone present, once each."""

    async def due(self) -> list[int]:
        """Mindmaps (open in any process, or in none) holding expired connections."""

    async def close(self) -> None:
        """Finish what is queued and let go of connections (the registry stays usable)."""


def _unique(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for entry in entries:
        seen.setdefault(entry["user"], entry)
    return sorted(seen.values(), key=lambda p: (p["name"].lower(), p["user"]))


class MemoryRegistry:
    """The registry in this process's memory (no Redis configured)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.rooms: dict[int, dict[str, tuple[dict[str, Any], float]]] = {}

    def _live(self, mindmap_id: int) -> dict[str, tuple[dict[str, Any], float]]:
        return self.rooms.setdefault(mindmap_id, {})

    def _has_user(self, room: dict, user: int, now: float, but: str | None = None) -> bool:
        return any(
            who["user"] == user and expires > now and conn != but
            for conn, (who, expires) in room.items()
        )

    async def join(self, mindmap_id: int, conn: str, who: dict[str, Any]) -> bool:
        room, now = self._live(mindmap_id), time.monotonic()
        first = not self._has_user(room, who["user"], now, but=conn)
        room[conn] = (who, now + self.ttl)
        return first

    async def leave(self, mindmap_id: int, conn: str) -> dict[str, Any] | None:
        room = self._live(mindmap_id)
        entry = room.pop(conn, None)
        if not room:
            self.rooms.pop(mindmap_id, None)
        if entry is None or self._has_user(room, entry[0]["user"], time.monotonic()):
            return None
        return entry[0]

    async def refresh(self, mindmap_id: int, conns: dict[str, dict[str, Any]]) -> None:
        room, expires = self._live(mindmap_id), time.monotonic() + self.ttl
        for conn, who in conns.items():
            room[conn] = (room[conn][0] if conn in room else who, expires)

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        room, now = self._live(mindmap_id), time.monotonic()
        gone = [conn for conn, (_who, expires) in room.items() if expires <= now]
        people = [room.pop(conn)[0] for conn in gone]
        return _unique([p for p in people if not self._has_user(room, p["user"], now)])

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        now = time.monotonic()
        return _unique([who for who, expires in self._live(mindmap_id).values() if expires > now])

    async def due(self) -> list[int]:
        now = time.monotonic()
        return [
            mindmap_id
            for mindmap_id, room in self.rooms.items()
            if any(expires <= now for _who, expires in room.values())
        ]

    async def close(self) -> None:
        return None


# Redis: per mindmap a sorted set (connection → expiry, in Redis server time) and a hash
# (connection → person as JSON); one index of every mindmap holding connections (mindmap
# → its earliest expiry), so expired entries are found even where no process has the
# mindmap open. Scripts run atomically, so concurrent processes agree. Every key expires
# a little after the last refresh of any of its connections, so a registry no process
# keeps alive any longer empties itself.
_COMMON = """
local function live_other(zkey, hkey, conn, user, now)
  for _, c in ipairs(redis.call('ZRANGEBYSCORE', zkey, '(' .. now, '+inf')) do
    if c ~= conn then
      local info = redis.call('HGET', hkey, c)
      if info and cjson.decode(info)['user'] == user then return true end
    end
  end
  return false
end
local function now_seconds()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function reindex(keys, id, keep)
  local first = redis.call('ZRANGE', keys[1], 0, 0, 'WITHSCORES')
  if #first == 0 then
    redis.call('ZREM', keys[3], id)
    redis.call('DEL', keys[2])
    return
  end
  redis.call('ZADD', keys[3], first[2], id)
  redis.call('EXPIRE', keys[1], keep)
  redis.call('EXPIRE', keys[2], keep)
  redis.call('EXPIRE', keys[3], keep)
end
"""
# ARGV: mindmap id, key lifetime, then the script's own arguments.
_JOIN = (
    _COMMON
    + """
local now = now_seconds()
local ttl = tonumber(ARGV[5])
local user = cjson.decode(ARGV[4])['user']
local first = not live_other(KEYS[1], KEYS[2], ARGV[3], user, now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
reindex(KEYS, ARGV[1], ARGV[2])
if first then return 1 else return 0 end
"""
)
_LEAVE = (
    _COMMON
    + """
local info = redis.call('HGET', KEYS[2], ARGV[3])
local removed = redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('HDEL', KEYS[2], ARGV[3])
reindex(KEYS, ARGV[1], ARGV[2])
if removed == 0 or not info then return false end
if live_other(KEYS[1], KEYS[2], ARGV[3], cjson.decode(info)['user'], now_seconds()) then
  return false
end
return info
"""
)
_REFRESH = (
    _COMMON
    + """
local expires = now_seconds() + tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], expires, ARGV[i])
  redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
end
reindex(KEYS, ARGV[1], ARGV[2])
return 1
"""
)
_SWEEP = (
    _COMMON
    + """
local now = now_seconds()
local gone, seen = {}, {}
for _, c in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  local info = redis.call('HGET', KEYS[2], c)
  redis.call('ZREM', KEYS[1], c)
  redis.call('HDEL', KEYS[2], c)
  if info then
    local user = cjson.decode(info)['user']
    if not seen[user] and not live_other(KEYS[1], KEYS[2], c, user, now) then
      seen[user] = true
      table.insert(gone, info)
    end
  end
end
reindex(KEYS, ARGV[1], ARGV[2])
return gone
"""
)
_PEOPLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local conns = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
if #conns == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(conns))
"""
_DUE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[1])
"""
_SCRIPTS = {
    "join": _JOIN,
    "leave": _LEAVE,
    "refresh": _REFRESH,
    "sweep": _SWEEP,
    "people": _PEOPLE,
    "due": _DUE,
}
# Commands per pipeline; a burst larger than this goes out in several, one after another.
PIPELINE_LIMIT = 500
# A failed leave is tried again after these pauses (seconds); after the last, the sweep
# removes the entry once it expires (within the TTL).
LEAVE_RETRIES = (0.2, 1.0, 3.0)
# Mindmaps swept per upkeep round.
DUE_LIMIT = 200


class _Op:
    __slots__ = ("args", "future", "keys", "name", "token")

    def __init__(self, name: str, keys: list[str], args: list[Any], future: Any) -> None:
        self.name, self.keys, self.args, self.future = name, keys, args, future
        self.token = 0


class RedisRegistry:
    """The registry shared by every server process through Redis.

    One client per event loop (server process) with a small bounded pool, and one task
    that sends whatever was asked for meanwhile as one pipeline: a thousand sockets
    arriving or leaving together cost a few round trips, not a thousand, and a burst
    waits its turn in the queue instead of failing for want of a connection.
    """

    def __init__(self, url: str, ttl: float, prefix: str, max_connections: int = 2) -> None:
        import redis.asyncio as aioredis  # the site's dependency, through channels-redis

        self.ttl = ttl
        self.prefix = prefix
        # Keys outlive the last refresh of their connections by a quarter of the TTL.
        self.keep = max(1, math.ceil(ttl * 1.25))
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=10,
            socket_connect_timeout=2,
            socket_timeout=5,
        )
        self.client = aioredis.Redis(connection_pool=pool)
        self.scripts = {name: self.client.register_script(src) for name, src in _SCRIPTS.items()}
        self._queue: list[_Op] = []
        self._sender: asyncio.Task[None] | None = None

    def _keys(self, mindmap_id: int) -> list[str]:
        return [
            f"{self.prefix}:{mindmap_id}:conns",
            f"{self.prefix}:{mindmap_id}:info",
            f"{self.prefix}:maps",
        ]

    def _call(self, name: str, mindmap_id: int | None, args: list[Any]) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        if mindmap_id is None:
            keys, args = [f"{self.prefix}:maps"], args
        else:
            keys, args = self._keys(mindmap_id), [int(mindmap_id), self.keep, *args]
        op = _Op(name, keys, args, future)
        op.token = REGISTRY.begin(f"a presence {name}")
        self._queue.append(op)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(
                self._send(), context=contextvars.Context()
            )
        return future

    async def _send(self) -> None:
        while self._queue:
            await asyncio.sleep(0)  # whatever this loop iteration asks for goes along
            batch, self._queue = self._queue[:PIPELINE_LIMIT], self._queue[PIPELINE_LIMIT:]
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for op in batch:
                        await self.scripts[op.name](keys=op.keys, args=op.args, client=pipe)
                    results = await pipe.execute(raise_on_error=False)
            except asyncio.CancelledError:
                self._settle(batch, [ConnectionError("presence registry closed")] * len(batch))
                raise
            except Exception as exc:
                results = [exc] * len(batch)
            self._settle(batch, results)

    def _settle(self, batch: list[_Op], results: list[Any]) -> None:
        for op, result in zip(batch, results, strict=True):
            REGISTRY.end(op.token)
            if op.future.done():
                continue
            if isinstance(result, BaseException):
                op.future.set_exception(result)
            else:
                op.future.set_result(result)

    async def join(self, mindmap_id: int, conn: str, who: dict[str, Any]) -> bool:
        args = [conn, json.dumps(who, ensure_ascii=False), self.ttl]
        return bool(await self._call("join", mindmap_id, args))

    async def leave(self, mindmap_id: int, conn: str) -> dict[str, Any] | None:
        for pause in (*LEAVE_RETRIES, None):
            try:
                info = await self._call("leave", mindmap_id, [conn])
            except Exception:
                if pause is None:
                    raise
                logger.info("mindmap %s: presence cleanup failed; retrying", mindmap_id)
                await asyncio.sleep(pause)
                continue
            return json.loads(info) if info else None
        return None

    async def refresh(self, mindmap_id: int, conns: dict[str, dict[str, Any]]) -> None:
        if conns:
            pairs = [
                value
                for conn, who in conns.items()
                for value in (conn, json.dumps(who, ensure_ascii=False))
            ]
            await self._call("refresh", mindmap_id, [self.ttl, *pairs])

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        gone = await self._call("sweep", mindmap_id, [])
        return [json.loads(info) for info in gone or []]

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        infos = await self._call("people", mindmap_id, [])
        return _unique([json.loads(info) for info in infos or [] if info])

    async def due(self) -> list[int]:
        return [int(value) for value in await self._call("due", None, [DUE_LIMIT]) or []]

    async def close(self) -> None:
        sender = self._sender
        if sender is not None and not sender.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(sender), 5)
        await self.client.connection_pool.disconnect(inuse_connections=False)


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, Registry]] = (
    weakref.WeakKeyDictionary()
)
_MEMORY: dict[float, MemoryRegistry] = {}


def make_registry() -> Registry:
    """This process's registry: Redis when one is configured
    (``TEAMMOA_MINDMAP_PRESENCE_REDIS_URL`` or the default channel layer's Redis), else
    this process's memory. One per event loop and configuration, shared by every hub."""
    url = conf.presence_redis_url
    ttl = float(conf.PRESENCE_TTL_SECONDS)
    if not url:
        # One per process (and TTL), shared by every event loop: in-process presence must
        # agree across the loops a test run or a dev server creates.
        if ttl not in _MEMORY:
            _MEMORY[ttl] = MemoryRegistry(ttl)
        return _MEMORY[ttl]
    mine = _registries.setdefault(asyncio.get_running_loop(), {})
    key = (url, ttl, conf.PRESENCE_PREFIX, conf.PRESENCE_MAX_CONNECTIONS)
    if key not in mine:
        mine[key] = RedisRegistry(url, ttl, conf.PRESENCE_PREFIX, conf.PRESENCE_MAX_CONNECTIONS)
    return mine[key]
