"""Scenario 6, soak (5 minutes here, as issue 11 asks; ``bench/soak.py`` runs the same
for 30): WebSocket connect/disconnect churn with edits and cursors (twelve people, each
joining one of three mindmaps for 2-6 s at a time), four steady editors and an HTTP
request mix at 20 requests/s, through nginx.

Targets (``support/soak.py``): server memory settles (under 10 % growth from the end of
the warm-up to the end), no stale presence once everyone has left, no channel-layer group
members left behind, open database connections and Redis keys do not grow, no failed
request, no steady editor closed.
"""

from __future__ import annotations

import asyncio
import os

from support import soak

SECONDS = float(os.environ.get("TEAMMOA_SOAK_SECONDS", "300"))


def test_soak(stack, services, world, db, figures):
    mindmaps = [world.take() for _ in range(3)]
    redis = services.redis.client()
    try:
        out = asyncio.run(soak.soak(stack, world, db, redis, SECONDS, mindmaps))
    finally:
        redis.close()
    figures("6 soak").update(soak.figures(out))

    assert not soak.problems(out), soak.problems(out)
