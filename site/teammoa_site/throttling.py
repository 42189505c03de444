"""The API's rate limits as counters: one cache round trip per request.

DRF's ``SimpleRateThrottle`` keeps a list of request times per user (or address) and
reads and rewrites it on every request: two Redis round trips and a pickled list of up
to ``API_USER_RATE`` floats each time. These throttles count instead, in fixed windows
of the rate's period (a minute for ``600/m``): the request increments the window's
counter, which expires with its window, and is refused past the rate with
``Retry-After`` saying when the window ends. The same scopes, rates and identities as
DRF's (``UserRateThrottle`` per user id, ``AnonRateThrottle`` per client address), and
the same refusal (429 through core's exception handler).

The difference to a sliding log: across a window's boundary a client may make up to
twice the rate within one period. The limits are sized for runaway scripts, never for
people (docs/api.md), so that is a fair price for a counter.

The counting is core's (``teammoa.core.ratelimit.count_hit``, as for the join limit): in
Redis (``ResilientRedisCache.count_hit``) one pipelined round trip, failing open like the
rest of the cache; any other cache counts with ``add`` + ``incr``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rest_framework import throttling

from teammoa.core.ratelimit import count_hit

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class CounterThrottleMixin:
    """``allow_request``/``wait`` of a ``SimpleRateThrottle`` as a fixed-window counter."""

    rate: str | None
    num_requests: int
    duration: int
    key: str | None

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if self.key is None:
            return True
        now = self.timer()  # type: ignore[attr-defined]
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        self.now = now
        # The window in the key: a counter never outlives its window's meaning, and the
        # expiry only tidies up (one second past the window, for clocks a little apart).
        hits = count_hit(f"{self.key}:{window}", self.duration + 1)
        return hits <= self.num_requests

    def wait(self) -> float | None:
        return max(1.0, math.ceil(self.window_ends - self.now))


class UserRateThrottle(CounterThrottleMixin, throttling.UserRateThrottle):
    """Per signed-in user (``API_USER_RATE``); anonymous requests count by address."""


class AnonRateThrottle(CounterThrottleMixin, throttling.AnonRateThrottle):
    """Per client address, anonymous requests only (``API_ANON_RATE``)."""
