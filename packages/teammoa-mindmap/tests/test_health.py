"""The socket path's readiness check (``teammoa.mindmap.health``)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time

import pytest

from teammoa.mindmap import health
from teammoa.mindmap.progress import HUB, REGISTRY, WRITER


@pytest.fixture(autouse=True)
def quick(settings):
    settings.TEAMMOA_MINDMAP_STALL_SECONDS = 0.5
    settings.TEAMMOA_MINDMAP_STATUS_FILE = None


def test_idle_parts_are_fine():
    assert health.stalled_parts() == {}
    assert health.check() == "ok"


@pytest.mark.parametrize("part", [HUB, REGISTRY, WRITER], ids=lambda part: part.name)
def test_work_held_past_the_limit_is_reported_naming_the_part(part):
    token = part.begin("a write of mindmap 7")
    try:
        assert health.check() == "ok"  # not yet: within the limit
        time.sleep(0.6)
        with pytest.raises(health.Stalled, match=rf"^{part.name}: a write of mindmap 7 has waited"):
            health.check()
    finally:
        part.end(token)
    assert health.check() == "ok"


def test_another_process_s_report_is_read_from_the_status_file(settings, tmp_path):
    path = tmp_path / "status.json"
    settings.TEAMMOA_MINDMAP_STATUS_FILE = str(path)
    with pytest.raises(health.Stalled, match="has not reported yet"):
        health.check()
    reporter = health.Reporter(str(path))
    assert reporter.report_once() == {}
    assert json.loads(path.read_text()) == {"pid": os.getpid(), "stalled": {}}
    assert health.check() == "ok"
    token = WRITER.begin("a write of mindmap 3")
    try:
        time.sleep(0.6)
        reporter.report_once()
    finally:
        WRITER.end(token)
    assert "writer" in json.loads(path.read_text())["stalled"]
    with pytest.raises(health.Stalled, match="writer: a write of mindmap 3"):
        health.check()
    reporter.report_once()
    assert health.check() == "ok"
    # A report that stops changing: the socket server itself stopped.
    old = time.time() - health.STALE_SECONDS - 1
    os.utime(path, (old, old))
    with pytest.raises(health.Stalled, match="server: no report from the socket server"):
        health.check()


def test_a_blocked_event_loop_is_the_hub_stalling_and_calls_back_when_it_stays():
    loop = asyncio.new_event_loop()
    wedged = []
    reporter = health.Reporter(None, loop=loop, on_wedged=wedged.append, wedged_after=0.5)
    release = threading.Event()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        reporter.report_once()
        time.sleep(0.1)
        assert reporter.report_once() == {}  # the loop answered its ping
        loop.call_soon_threadsafe(release.wait, 5)  # a call that blocks the loop
        time.sleep(0.1)
        reporter.report_once()
        time.sleep(0.6)
        found = reporter.report_once()
        assert found["hub"].startswith("the event loop has not run for")
        time.sleep(0.6)
        reporter.report_once()
        assert len(wedged) == 1 and wedged[0].startswith("hub: the event loop")
    finally:
        release.set()
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)
        loop.close()
