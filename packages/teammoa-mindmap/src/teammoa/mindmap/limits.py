"""Per-connection rate limits: token buckets (a burst up to the rate, refilled steadily)."""

from __future__ import annotations

import time


class TokenBucket:
    """Allows ``count`` events per ``seconds`` on average and bursts of up to ``count``."""

    def __init__(self, count: int, seconds: float, clock: object = time.monotonic) -> None:
        self.capacity = float(count)
        self.refill = count / seconds
        self.tokens = float(count)
        self.clock = clock
        self.stamp = clock()  # type: ignore[operator]

    def allow(self) -> bool:
        now = self.clock()  # type: ignore[operator]
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
