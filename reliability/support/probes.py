"""What the scenarios measure besides requests and sockets: how much of a CPU this machine
gives a process right now (the time targets are scaled by it, never loosened on an idle
machine), the servers' memory, and what Redis and the database hold."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import statistics
import time
from pathlib import Path
from typing import Any

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class Slowdown:
    """Samples, every ``every`` seconds, how long 20 ms of CPU work takes on the wall
    clock, in a process of its own (so this one's event loop does not count): 1.0 on a
    machine with a core to spare, 5.0 when other work takes four fifths of it.

    A time target is met when ``seconds <= target * factor``: the target holds as written
    where the machine is free, and scales with the share of it the run really got."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.samples: list[float] = []

    def __enter__(self) -> Slowdown:
        context = multiprocessing.get_context("fork")
        self._stop = context.Event()
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(sender,), daemon=True)
        self._process.start()
        sender.close()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._receiver.poll(10):
            self.samples = self._receiver.recv()
        self._process.join(5)

    def _run(self, sender: Any) -> None:
        samples = []
        while not self._stop.wait(self.every):
            wall, cpu = time.monotonic(), time.process_time()
            data = b"x" * 4096
            while time.process_time() - cpu < 0.02:
                data = hashlib.sha256(data).digest() * 128
            samples.append((time.monotonic() - wall) / max(time.process_time() - cpu, 1e-6))
        sender.send(samples)

    @property
    def factor(self) -> float:
        """The median slowdown of the run, at least 1."""
        return max(1.0, statistics.median(self.samples)) if self.samples else 1.0


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of these processes together (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/statm").read_text().split()
        except OSError:
            continue
        total += int(fields[1]) * PAGE_SIZE
    return total


def redis_keys(client: Any) -> dict[str, int]:
    """Keys by kind (the part before the first ':' after the prefix), and in all."""
    counts: dict[str, int] = {"all": 0}
    for key in client.scan_iter(count=1000):
        name = key.decode(errors="replace")
        counts["all"] += 1
        kind = "presence" if "presence" in name else name.split(":", 2)[1] if ":" in name else name
        counts[kind] = counts.get(kind, 0) + 1
    return counts
