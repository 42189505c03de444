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

import json
import time
from typing import TYPE_CHECKING, Any, Protocol

from teammoa.core.models import display_name
from teammoa.mindmap.conf import conf

if TYPE_CHECKING:
    from teammoa.core.users import Actor

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

    async def refresh(self, mindmap_id: int, conns: list[str]) -> None:
        """Keep this process's connections alive for another TTL."""

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        """Drop expired connections; the people who are gone with them."""

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        """Everyone present, once each."""

    async def close(self) -> None: ...


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

    async def refresh(self, mindmap_id: int, conns: list[str]) -> None:
        room, expires = self._live(mindmap_id), time.monotonic() + self.ttl
        for conn in conns:
            if conn in room:
                room[conn] = (room[conn][0], expires)

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        room, now = self._live(mindmap_id), time.monotonic()
        gone = [conn for conn, (_who, expires) in room.items() if expires <= now]
        people = [room.pop(conn)[0] for conn in gone]
        return _unique([p for p in people if not self._has_user(room, p["user"], now)])

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        now = time.monotonic()
        return _unique([who for who, expires in self._live(mindmap_id).values() if expires > now])

    async def close(self) -> None:
        return None


# Redis: per mindmap a sorted set (connection → expiry, in Redis server time) and a hash
# (connection → person as JSON). Scripts run atomically, so concurrent processes agree.
_LIVE_OTHER = """
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
"""
_JOIN = (
    _LIVE_OTHER
    + """
local now = now_seconds()
local ttl = tonumber(ARGV[3])
local user = cjson.decode(ARGV[2])['user']
local first = not live_other(KEYS[1], KEYS[2], ARGV[1], user, now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl * 4))
redis.call('EXPIRE', KEYS[2], math.ceil(ttl * 4))
if first then return 1 else return 0 end
"""
)
_LEAVE = (
    _LIVE_OTHER
    + """
local info = redis.call('HGET', KEYS[2], ARGV[1])
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if removed == 0 or not info then return false end
if live_other(KEYS[1], KEYS[2], ARGV[1], cjson.decode(info)['user'], now_seconds()) then
  return false
end
return info
"""
)
_REFRESH = """
local t = redis.call('TIME')
local expires = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', expires, ARGV[i]) end
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) * 4))
redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[1]) * 4))
return 1
"""
_SWEEP = (
    _LIVE_OTHER
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


class RedisRegistry:
    """The registry shared by every server process through Redis."""

    def __init__(self, url: str, ttl: float, prefix: str) -> None:
        import redis.asyncio as aioredis  # the site's dependency, through channels-redis

        self.ttl = ttl
        self.prefix = prefix
        self.client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.scripts = {
            name: self.client.register_script(source)
            for name, source in (
                ("join", _JOIN),
                ("leave", _LEAVE),
                ("refresh", _REFRESH),
                ("sweep", _SWEEP),
                ("people", _PEOPLE),
            )
        }

    def _keys(self, mindmap_id: int) -> list[str]:
        return [f"{self.prefix}:{mindmap_id}:conns", f"{self.prefix}:{mindmap_id}:info"]

    async def join(self, mindmap_id: int, conn: str, who: dict[str, Any]) -> bool:
        args = [conn, json.dumps(who, ensure_ascii=False), self.ttl]
        return bool(await self.scripts["join"](keys=self._keys(mindmap_id), args=args))

    async def leave(self, mindmap_id: int, conn: str) -> dict[str, Any] | None:
        info = await self.scripts["leave"](keys=self._keys(mindmap_id), args=[conn])
        return json.loads(info) if info else None

    async def refresh(self, mindmap_id: int, conns: list[str]) -> None:
        if conns:
            await self.scripts["refresh"](keys=self._keys(mindmap_id), args=[self.ttl, *conns])

    async def sweep(self, mindmap_id: int) -> list[dict[str, Any]]:
        gone = await self.scripts["sweep"](keys=self._keys(mindmap_id), args=[])
        return [json.loads(info) for info in gone or []]

    async def people(self, mindmap_id: int) -> list[dict[str, Any]]:
        infos = await self.scripts["people"](keys=self._keys(mindmap_id), args=[])
        return _unique([json.loads(info) for info in infos or [] if info])

    async def close(self) -> None:
        await self.client.aclose()


def make_registry() -> Registry:
    """Redis when one is configured (``TEAMMOA_MINDMAP_PRESENCE_REDIS_URL`` or the site's
    ``REDIS_URL``), else this process's memory."""
    url = conf.presence_redis_url
    ttl = float(conf.PRESENCE_TTL_SECONDS)
    if url:
        return RedisRegistry(url, ttl, conf.PRESENCE_PREFIX)
    return _memory_registry(ttl)


_MEMORY: dict[float, MemoryRegistry] = {}


def _memory_registry(ttl: float) -> MemoryRegistry:
    # One per process (and TTL), shared by every event loop: in-process presence must
    # agree across the loops a test run or a dev server creates.
    if ttl not in _MEMORY:
        _MEMORY[ttl] = MemoryRegistry(ttl)
    return _MEMORY[ttl]
