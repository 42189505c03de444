"""A fixed-window counter in Django's cache, for rules such as "10 wrong joins per hour"."""

from __future__ import annotations

import time

from django.core.cache import cache

from teammoa.core.conf import Rate


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` in the default cache (created with ``timeout``
    seconds to live); the count including this one.

    A cache with a ``count_hit(key, timeout)`` method of its own counts in one round trip
    (the site's Redis cache pipelines ``SET NX EX`` and ``INCR``); any other cache counts
    with ``add`` and ``incr``.
    """
    counter = getattr(cache, "count_hit", None)
    if counter is not None:
        return int(counter(key, timeout))
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


class FixedWindowLimiter:
    """Counts events per key in windows of ``rate.seconds``; blocks past ``rate.count``.

    To stay race-free under concurrent requests, count an attempt *before* the work it
    guards (``hit`` returns the count including this one, so ``> rate.count`` means
    blocked) and hand it back with ``release`` when it turns out not to count.
    """

    def __init__(self, scope: str, rate: Rate) -> None:
        self.scope = scope
        self.rate = rate

    def _key(self, key: str) -> str:
        window = int(time.time() // self.rate.seconds)
        return f"teammoa:rl:{self.scope}:{key}:{window}"

    def retry_after(self) -> int:
        """Seconds until the current window ends (at least 1)."""
        return max(1, self.rate.seconds - int(time.time() % self.rate.seconds))

    def count(self, key: str) -> int:
        """Events counted for ``key`` in the current window."""
        return int(cache.get(self._key(key)) or 0)

    def is_blocked(self, key: str) -> bool:
        return self.count(key) >= self.rate.count

    def hit(self, key: str) -> int:
        """Count one event; return the count in the current window."""
        return count_hit(self._key(key), self.rate.seconds + 1)

    def release(self, key: str) -> None:
        """Take back one event counted by ``hit`` (never below zero)."""
        cache_key = self._key(key)
        try:
            if cache.decr(cache_key) < 0:
                cache.set(cache_key, 0, timeout=self.rate.seconds + 1)
        except ValueError:  # the window rolled over: nothing left to take back
            pass
