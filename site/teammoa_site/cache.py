"""The site's Redis cache, failing open: while Redis cannot be reached, reads miss and
writes are dropped, so pages and the API keep working on the database alone.

Everything the site keeps in the cache can be lost: sessions (``cached_db`` reads the
database on a miss), rate-limit counters (a limit then counts from zero), the socket cap
(core admits without it). With Django's own backend every page answered 500 for as long
as Redis was down (the reliability session's Redis outage). After a failure Redis is left
alone for ``RETRY_AFTER`` seconds, so a Redis that hangs costs one timeout a second per
process, not one per cache call; the failure is logged once per ``LOG_EVERY`` seconds.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 1.0
LOG_EVERY = 10.0


class _Outage:
    """Per process: when Redis may be tried again, and when the failure was last logged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.until = 0.0
        self.logged = 0.0

    def skipping(self) -> bool:
        return time.monotonic() < self.until

    def failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.until = now + RETRY_AFTER
            if now - self.logged < LOG_EVERY:
                return
            self.logged = now
        logger.warning("cache unavailable (%s: %s); serving without it", operation, exc)


def _fail_open(fallback: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the operation unless Redis is known to be down; on a Redis error, ``fallback``
    (called with the operation's arguments when it is callable)."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            if not self._outage.skipping():
                try:
                    return method(self, *args, **kwargs)
                except RedisError as exc:
                    self._outage.failed(method.__name__, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


def _default(key: Any, default: Any = None, version: Any = None) -> Any:
    return default


def _missing_key(key: Any, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"Key '{key}' not found (the cache is unavailable)")


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that never raises a Redis error."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._outage = _Outage()

    @_fail_open(_default)
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return super().get(key, default, version)

    @_fail_open(None)
    def set(self, *args: Any, **kwargs: Any) -> None:
        return super().set(*args, **kwargs)

    @_fail_open(False)
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return super().add(*args, **kwargs)

    @_fail_open(False)
    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return super().touch(*args, **kwargs)

    @_fail_open(False)
    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return super().delete(*args, **kwargs)

    @_fail_open(False)
    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return super().has_key(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: {})
    def get_many(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return super().get_many(*args, **kwargs)

    @_fail_open(lambda *args, **kwargs: list(args[0]) if args else [])
    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return super().set_many(*args, **kwargs)

    @_fail_open(None)
    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return super().delete_many(*args, **kwargs)

    @_fail_open(False)
    def clear(self) -> bool:
        return super().clear()

    @_fail_open(_missing_key)
    def incr(self, *args: Any, **kwargs: Any) -> int:
        return super().incr(*args, **kwargs)

    @_fail_open(0)
    def count_hit(self, key: Any, timeout: int) -> int:
        """Add one to the counter ``key``, created with ``timeout`` seconds to live; its
        new value, in one round trip (0 while Redis is unreachable: nothing is counted).

        ``SET NX EX`` then ``INCR``, pipelined; the value is a plain Redis integer, as
        Django's own ``incr`` keeps it (``get`` reads it back as an ``int``).
        """
        name = self.make_and_validate_key(key)
        client = self._cache.get_client(name, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.set(name, 0, ex=timeout, nx=True)
        pipe.incr(name)
        return int(pipe.execute()[-1])
