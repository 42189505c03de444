"""Is the socket path getting its work done? A check for a site's readiness endpoint.

The hub (the event loop, sockets joining, messages to the other processes), the presence
registry and the writer each record the work they take on (``teammoa.mindmap.progress``).
A part holding a piece of work longer than ``TEAMMOA_MINDMAP_STALL_SECONDS`` is stalled,
and :func:`check` raises :class:`Stalled` naming it, so a load balancer stops sending
users to this instance.

When another process answers the health checks (a WSGI server beside the socket
server), the socket server runs a :class:`Reporter`: a thread that writes this status
to ``TEAMMOA_MINDMAP_STATUS_FILE`` every second, and :func:`check` in the other process
reads it. A file that stops changing means the socket server itself stopped (a process
so wedged that even that thread cannot run): reported too. The reporter can also call
back when a part stays stalled, so the server can exit for its supervisor to restart it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from teammoa.mindmap.conf import conf
from teammoa.mindmap.progress import PARTS

logger = logging.getLogger(__name__)

OK = "ok"
# The reporter writes every second; a file older than this means it stopped.
STALE_SECONDS = 3.0


class Stalled(Exception):
    """A part of the socket path stopped making progress; the message names it."""


def stalled_parts(reporter: Reporter | None = None) -> dict[str, str]:
    """The parts of this process's socket path that are stalled, and on what."""
    limit = float(conf.STALL_SECONDS)
    found: dict[str, str] = {}
    for part in PARTS:
        oldest = part.oldest()
        if oldest is not None and oldest[0] > limit:
            found[part.name] = f"{oldest[1]} has waited {oldest[0]:.1f} s"
    reporter = reporter or _reporter
    if reporter is not None:
        found.update(reporter.loop_stalled(limit))
    return found


def check() -> str:
    """``"ok"``, or :class:`Stalled` naming each part that stopped making progress, here
    or in the socket server that reports to ``TEAMMOA_MINDMAP_STATUS_FILE``."""
    found = stalled_parts()
    path = conf.STATUS_FILE
    if path and (_reporter is None or _reporter.path != path):
        found.update(read_status(path))
    if found:
        raise Stalled("; ".join(f"{name}: {what}" for name, what in sorted(found.items())))
    return OK


def read_status(path: str) -> dict[str, str]:
    """What the socket server reporting to ``path`` says is stalled."""
    try:
        with open(path, encoding="utf-8") as handle:
            age = time.time() - os.fstat(handle.fileno()).st_mtime
            data = json.load(handle)
    except FileNotFoundError:
        return {"server": "the socket server has not reported yet"}
    except (OSError, ValueError) as exc:
        return {"server": f"its status cannot be read: {exc}"}
    if age > STALE_SECONDS:
        return {"server": f"no report from the socket server for {age:.1f} s"}
    stalled = data.get("stalled") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in stalled.items()} if isinstance(stalled, dict) else {}


class Reporter:
    """A daemon thread watching this process's socket path once a second.

    With ``loop``, it also checks that the event loop runs a callback within the stall
    limit (a loop blocked by a stuck call is the hub stalling). ``on_wedged`` is called
    once, from the thread, when a part has been stalled for ``wedged_after`` seconds.
    """

    def __init__(
        self,
        path: str | None,
        loop: asyncio.AbstractEventLoop | None = None,
        on_wedged: Callable[[str], Any] | None = None,
        wedged_after: float = 30.0,
    ) -> None:
        self.path = path
        self.loop = loop
        self.on_wedged = on_wedged
        self.wedged_after = wedged_after
        self.pinged = 0.0
        self.answered = 0.0
        self.stalled_since: float | None = None
        self.thread = threading.Thread(target=self._run, name="teammoa-mindmap-health", daemon=True)

    def loop_stalled(self, limit: float) -> dict[str, str]:
        if self.loop is None or self.answered >= self.pinged:
            return {}
        waited = time.monotonic() - self.pinged
        if waited <= limit:
            return {}
        return {"hub": f"the event loop has not run for {waited:.1f} s"}

    def _answer(self, pinged: float) -> None:
        self.answered = max(self.answered, pinged)

    def _ping(self) -> None:
        if self.loop is None or self.loop.is_closed() or self.answered < self.pinged:
            return  # the last ping is still unanswered: keep measuring from it
        self.pinged = time.monotonic()
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            self.loop.call_soon_threadsafe(self._answer, self.pinged)

    def report_once(self) -> dict[str, str]:
        self._ping()
        found = stalled_parts(self)
        if self.path:
            self._write(found)
        now = time.monotonic()
        if not found:
            self.stalled_since = None
        elif self.stalled_since is None:
            self.stalled_since = now
            logger.error("socket path stalled: %s", found)
        elif self.on_wedged is not None and now - self.stalled_since >= self.wedged_after:
            callback, self.on_wedged = self.on_wedged, None
            callback("; ".join(f"{name}: {what}" for name, what in sorted(found.items())))
        return found

    def _write(self, found: dict[str, str]) -> None:
        if not self.path:
            return
        target = Path(self.path)
        scratch = target.with_name(f".{target.name}.{os.getpid()}")
        try:
            scratch.write_text(json.dumps({"pid": os.getpid(), "stalled": found}))
            os.replace(scratch, target)
        except OSError:
            logger.warning("cannot write the socket status file %s", self.path, exc_info=True)

    def _run(self) -> None:
        while True:
            try:
                self.report_once()
            except Exception:  # the watch must go on
                logger.exception("socket path watch failed")
            time.sleep(1)


_reporter: Reporter | None = None


def start_reporting(
    path: str | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    on_wedged: Callable[[str], Any] | None = None,
    wedged_after: float = 30.0,
) -> Reporter:
    """Watch this process's socket path (once per process); ``path`` defaults to
    ``TEAMMOA_MINDMAP_STATUS_FILE``. The first report is written before returning."""
    global _reporter
    if _reporter is None:
        _reporter = Reporter(path or conf.STATUS_FILE, loop, on_wedged, wedged_after)
        _reporter.report_once()
        _reporter.thread.start()
    return _reporter
