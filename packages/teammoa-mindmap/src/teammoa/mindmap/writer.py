"""Where WebSocket edits are written: a few worker threads per server process.

Each thread keeps its one database connection between batches (closing it after a
minute idle or on an error). Under ASGI every ``sync_to_async`` call would otherwise
open a new connection (``CONN_MAX_AGE = 0``, SPEC section 7), and every round trip from a
second thread waits for the busy event loop to hand over the GIL: fewer, cheaper
round trips are what keep a move's latency low while fifty cursors stream in. The
connection count stays bounded: ``TEAMMOA_MINDMAP_WRITERS`` per process (default 4).

The threads take batches from one queue, so the edits of different mindmaps are written
in parallel; a room hands over its next batch only when the one before it is done, so
each mindmap's edits are still written one batch at a time, in order.

A batch holds several people's changes, so one change the database refuses must not
take the others down with it (SPEC section 9: a bad operation fails alone). When a batch
fails before its commit, nothing of it was written: each change is then tried again on
its own, in its own transaction. The one the database refuses gets its own answer
(``invalid`` when the value was at fault, ``unavailable`` otherwise); the others are
written and broadcast as usual. When the database cannot be reached at all, or a commit
fails so that its outcome is unknown, every change of the batch is answered
``unavailable`` and marked ``outage``: the room then closes those senders' sockets with
4500, and their clients reconnect and resync (never acknowledged and then lost).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from channels.db import database_sync_to_async
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils.translation import gettext_lazy as _

from teammoa.core.errors import DomainError, Invalid
from teammoa.mindmap import services
from teammoa.mindmap.conf import conf
from teammoa.mindmap.progress import WRITER
from teammoa.mindmap.services.changes import Change, collecting

logger = logging.getLogger(__name__)

IDLE_SECONDS = 60


class WriteFailed(Exception):
    """A change the server could not write, through no fault of its sender's input.

    ``outage``: the database could not be used at all (or a commit's outcome is unknown),
    so the sender's view can no longer be trusted and its socket is closed with 4500.
    """

    message = _("The change could not be saved. Try again in a moment.")

    def __init__(self, outage: bool = False) -> None:
        super().__init__(str(self.message))
        self.outage = outage


Result = Change | DomainError | WriteFailed
Results = tuple[list[Result], list[tuple[int, list[Change]]]]

# The database refused the value itself (bytes it cannot store, a clash its collation
# sees): the sender's input is at fault, and a retry would fail the same way.
_INPUT_FAULTS = (DataError, IntegrityError, UnicodeError)
# The connection is gone or cannot be made.
_CONNECTION_FAULTS = (OperationalError, InterfaceError)


class _CommitFailed(Exception):
    """The commit itself failed: whether the batch was written is unknown."""


def _attempt(mindmap_id: int, ops: list[Any]) -> Results:
    """One transaction for ``ops``; ``_CommitFailed`` when the commit is what failed."""
    committing = False
    try:
        with collecting() as committed, transaction.atomic():
            results: list[Result] = list(services.apply_batch(mindmap_id, ops))
            committing = True
    except Exception as exc:
        if committing:
            raise _CommitFailed from exc
        raise
    return results, committed


def _reachable() -> bool:
    """Whether a fresh connection can run a query (a refused change vs. a dead server)."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return False
    return True


def _one_by_one(mindmap_id: int, ops: list[Any]) -> Results:
    """Each change on its own: a refused one fails alone, the others are written."""
    results: list[Result] = []
    committed: list[tuple[int, list[Change]]] = []
    for index, op in enumerate(ops):
        try:
            result, published = _attempt(mindmap_id, [op])
        except _CommitFailed:
            logger.exception("mindmap %s: a commit failed; its outcome is unknown", mindmap_id)
            return [*results, *(WriteFailed(outage=True) for _op in ops[index:])], committed
        except _INPUT_FAULTS as exc:
            logger.warning("mindmap %s: the database refused a %s: %r", mindmap_id, op[1], exc)
            results.append(Invalid(message=_("This change holds a value that cannot be saved.")))
            continue
        except Exception as exc:
            if isinstance(exc, _CONNECTION_FAULTS) and not _reachable():
                logger.error("mindmap %s: the database is unreachable: %r", mindmap_id, exc)
                return [*results, *(WriteFailed(outage=True) for _op in ops[index:])], committed
            logger.exception("mindmap %s: a %s could not be written", mindmap_id, op[1])
            results.append(WriteFailed())
            continue
        results.extend(result)
        committed.extend(published)
    return results, committed


def _apply_batch(mindmap_id: int, ops: list[Any]) -> Results:
    try:
        return _attempt(mindmap_id, ops)
    except _CommitFailed:
        # Written or not, nobody knows: retrying could write twice. The senders resync.
        logger.exception("mindmap %s: a commit failed; its outcome is unknown", mindmap_id)
        return [WriteFailed(outage=True) for _op in ops], []
    except Exception:
        logger.warning(
            "mindmap %s: a batch of %d failed; writing its changes one by one",
            mindmap_id,
            len(ops),
            exc_info=True,
        )
    return _one_by_one(mindmap_id, ops)


def _apply(mindmap_id: int, ops: list[Any]) -> Results:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is not None and (
        connection.errors_occurred and not connection.is_usable()
    ):
        connection.close()
    results = _apply_batch(mindmap_id, ops)
    if any(isinstance(result, WriteFailed) for result in results[0]):
        connection.close()  # the next batch starts on a fresh connection
    return results


_STOP = object()


class Writers:
    """Up to ``size`` threads taking jobs from one queue, started as work arrives.

    A thread idle for ``IDLE_SECONDS`` closes its connection and ends, so an idle
    process holds no database connection; :meth:`release` ends them all at once.
    """

    def __init__(self, size: Any, name: str) -> None:
        self.size = size  # read on each use, so the setting may change (tests)
        self.name = name
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads: set[threading.Thread] = set()
        self.idle = 0
        self.queued = 0
        # Stop signals queued by release() and not yet taken: as many threads are ending.
        self.stopping = 0

    def submit(self, function: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self.lock:
            self.jobs.put((future, function, args))
            self.queued += 1
            # Threads about to take a stop signal do not count: a job queued right after
            # release() behind the signals of every thread would wait for the next one.
            staying = len(self.threads) - self.stopping
            if self.idle < self.queued and staying < max(1, int(self.size())):
                thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self.threads.add(thread)
                thread.start()
        return future

    def _run(self) -> None:
        me = threading.current_thread()
        try:
            while True:
                with self.lock:
                    self.idle += 1
                try:
                    job = self.jobs.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    job = None
                with self.lock:
                    self.idle -= 1
                    if job is None:
                        if self.queued:  # one arrived as the wait ended
                            continue
                        self.threads.discard(me)
                        return
                    self.queued -= 1
                    if job is _STOP:
                        self.stopping -= 1
                if job is _STOP:
                    return
                future, function, args = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(function(*args))
                except BaseException as exc:  # handed to the waiting coroutine
                    future.set_exception(exc)
        finally:
            with self.lock:
                self.threads.discard(me)
            connections[DEFAULT_DB_ALIAS].close()

    def release(self) -> None:
        """End every idle thread (its connection closed); busy ones end after their job."""
        with self.lock:
            count = len(self.threads)
            for _ in range(count):
                self.jobs.put(_STOP)
                self.queued += 1
                self.stopping += 1


_writers = Writers(lambda: conf.WRITERS, "teammoa-mindmap-writer")
# Snapshots for sockets that just connected, off the one thread every other database call
# of the event loop shares: a thousand sockets arriving together are served by both
# threads (and their kept connections) at once, without holding up the writers.
_readers = Writers(lambda: 2, "teammoa-mindmap-reader")


async def write(mindmap_id: int, ops: list[Any]) -> Results:
    """Apply a batch: each op's result, and the changes that committed (to publish).

    Never raises for a database failure: each op gets a :class:`Change`, a
    :class:`DomainError` (refused) or a :class:`WriteFailed`.
    """
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        # SQLite takes one writer at a time (and a shared in-memory test database fails
        # at once on a second one): stay in the one thread every other query uses.
        return await database_sync_to_async(_apply_batch)(mindmap_id, ops)
    token = WRITER.begin(f"a write of mindmap {int(mindmap_id)}")
    try:
        return await asyncio.wrap_future(_writers.submit(_apply, mindmap_id, ops))
    finally:
        WRITER.end(token)


async def read(mindmap_id: int, function: Any, *args: Any) -> Any:
    """Run a read (``function(*args)``) on a reader thread with a kept connection."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return await database_sync_to_async(function)(*args)
    token = WRITER.begin(f"a read of mindmap {int(mindmap_id)}")
    try:
        return await asyncio.wrap_future(_readers.submit(_fresh(function), *args))
    finally:
        WRITER.end(token)


def _fresh(function: Any) -> Any:
    def run(*args: Any) -> Any:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.connection is not None and (
            connection.errors_occurred and not connection.is_usable()
        ):
            connection.close()
        try:
            return function(*args)
        except _CONNECTION_FAULTS:
            connection.close()  # the next read starts on a fresh connection
            raise

    return run


async def release() -> None:
    """Close the writers' and readers' connections (no open mindmap left here)."""
    _writers.release()
    _readers.release()
