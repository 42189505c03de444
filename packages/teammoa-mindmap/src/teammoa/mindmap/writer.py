"""Where WebSocket edits are written: one worker thread per server process.

The thread keeps its one database connection between batches (closing it after a
minute idle or on an error). Under ASGI every ``sync_to_async`` call would otherwise
open a new connection (``CONN_MAX_AGE = 0``, SPEC section 7), and every round trip from a
second thread waits for the busy event loop to hand over the GIL: fewer, cheaper
round trips are what keep a move's latency low while fifty cursors stream in. The
connection count stays bounded: one per process.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from django.db import DEFAULT_DB_ALIAS, connections

from teammoa.core.errors import DomainError
from teammoa.mindmap import services
from teammoa.mindmap.services.changes import Change, collecting

IDLE_SECONDS = 60

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="teammoa-mindmap-writer")
_last_used = 0.0

Results = tuple[list[Change | DomainError], list[tuple[int, list[Change]]]]


def _apply(mindmap_id: int, ops: list[Any]) -> Results:
    global _last_used
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is not None and (
        time.monotonic() - _last_used > IDLE_SECONDS
        or (connection.errors_occurred and not connection.is_usable())
    ):
        connection.close()
    try:
        with collecting() as committed:
            results = services.apply_batch(mindmap_id, ops)

    except Exception:
        connection.close()
        raise
    finally:
        _last_used = time.monotonic()
    return results, committed


def _apply_here(mindmap_id: int, ops: list[Any]) -> Results:
    with collecting() as committed:
        results = services.apply_batch(mindmap_id, ops)
    return results, committed


async def write(mindmap_id: int, ops: list[Any]) -> Results:
    """Apply a batch: each op's result, and the changes that committed (to publish)."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        # SQLite takes one writer at a time (and a shared in-memory test database fails
        # at once on a second one): stay in the one thread every other query uses.
        return await database_sync_to_async(_apply_here)(mindmap_id, ops)
    return await asyncio.get_running_loop().run_in_executor(_pool, _apply, mindmap_id, ops)


def _close() -> None:
    connections[DEFAULT_DB_ALIAS].close()


async def release() -> None:
    """Close the writer's connection (the process has no open mindmap left)."""
    await asyncio.get_running_loop().run_in_executor(_pool, _close)
