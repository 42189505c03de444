"""The fixed-window limiter behind "wrong joins per hour", on whatever cache is configured
(local memory, or Redis when REDIS_URL is set)."""

from __future__ import annotations

import threading
import time

import pytest

from teammoa.core.conf import Rate, conf, parse_rate
from teammoa.core.ratelimit import FixedWindowLimiter


def wait_for_a_fresh_window(seconds: int) -> None:
    """Sleep until just after a window boundary, so a short test stays in one window."""
    time.sleep(seconds - time.time() % seconds + 0.02)


def test_counts_and_blocks_past_the_limit():
    limiter = FixedWindowLimiter("test", Rate(3, 3600))
    assert not limiter.is_blocked("k")
    assert [limiter.hit("k") for _ in range(3)] == [1, 2, 3]
    assert limiter.count("k") == 3
    assert limiter.is_blocked("k")
    assert limiter.hit("k") == 4


def test_keys_and_scopes_are_independent():
    a = FixedWindowLimiter("a", Rate(1, 3600))
    b = FixedWindowLimiter("b", Rate(1, 3600))
    a.hit("user-1")
    assert a.is_blocked("user-1")
    assert not a.is_blocked("user-2")
    assert not b.is_blocked("user-1")


def test_release_takes_back_one_hit_and_never_goes_below_zero():
    limiter = FixedWindowLimiter("test", Rate(2, 3600))
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.is_blocked("k")
    limiter.release("k")
    assert limiter.count("k") == 1
    assert not limiter.is_blocked("k")
    limiter.release("k")
    limiter.release("k")
    limiter.release("never-hit")
    assert limiter.count("k") == 0
    assert limiter.count("never-hit") == 0
    assert limiter.hit("k") == 1


def test_a_new_window_starts_from_zero():
    limiter = FixedWindowLimiter("test", Rate(1, 1))
    wait_for_a_fresh_window(1)
    limiter.hit("k")
    assert limiter.is_blocked("k")
    wait_for_a_fresh_window(1)
    assert not limiter.is_blocked("k")
    assert limiter.hit("k") == 1


def test_retry_after_is_within_the_window():
    for seconds in (1, 60, 3600, 86400):
        retry = FixedWindowLimiter("test", Rate(1, seconds)).retry_after()
        assert 1 <= retry <= seconds


def test_concurrent_hits_are_all_counted():
    limiter = FixedWindowLimiter("test", Rate(1000, 3600))
    barrier = threading.Barrier(20)
    results: list[int] = []

    def worker():
        barrier.wait()
        for _ in range(10):
            results.append(limiter.hit("k"))

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 201))
    assert limiter.count("k") == 200


@pytest.mark.parametrize(
    ("value", "rate"),
    [
        ("10/h", Rate(10, 3600)),
        ("5/15m", Rate(5, 900)),
        (" 3 / 2 s ", Rate(3, 2)),
        ("1/d", Rate(1, 86400)),
    ],
)
def test_parse_rate(value, rate):
    assert parse_rate(value) == rate


@pytest.mark.parametrize("value", ["", "10", "10/x", "0/h", "-1/h", "10/0m", "ten/h", None])
def test_parse_rate_refuses_nonsense(value):
    with pytest.raises(ValueError):
        parse_rate(value)


def test_the_join_rate_follows_settings(settings):
    assert conf.join_rate == Rate(10, 3600)
    settings.TEAMMOA_JOIN_ATTEMPTS = "4/30m"
    assert conf.join_rate == Rate(4, 1800)
