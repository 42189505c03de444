"""The writer's and readers' thread pools (``teammoa.mindmap.writer.Writers``)."""

from __future__ import annotations

import threading
import time

from teammoa.mindmap.writer import Writers


def test_a_job_queued_right_after_a_release_is_served():
    """A hub that stops releases the pools' threads while a socket may be arriving on the
    next hub. Its snapshot read, queued behind the stop signals of every thread, used to
    wait for a later job to start a thread: sockets reconnecting after a Redis outage got
    their handshake and then no snapshot."""
    pool = Writers(lambda: 2, "test-pool")
    gate = threading.Event()
    busy = [pool.submit(gate.wait, 5) for _ in range(2)]
    time.sleep(0.1)
    gate.set()
    for future in busy:
        future.result(5)
    deadline = time.monotonic() + 5
    while pool.idle < 2 and time.monotonic() < deadline:  # both back waiting for work
        time.sleep(0.01)

    pool.release()
    job = pool.submit(lambda: "served")

    assert job.result(5) == "served"
    pool.release()


def test_release_ends_the_idle_threads():
    pool = Writers(lambda: 2, "test-pool")
    for future in [pool.submit(time.sleep, 0.05) for _ in range(2)]:
        future.result(5)

    pool.release()

    deadline = time.monotonic() + 5
    while pool.threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pool.threads
    assert pool.stopping == 0
