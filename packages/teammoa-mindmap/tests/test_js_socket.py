"""The editor's socket reacts to each close code as docs/websocket.md says (run in Node)."""

from __future__ import annotations

import pytest

from tests.node import run_script


@pytest.fixture(scope="module")
def reactions():
    return run_script("socket_closes.mjs", "socket.js")


@pytest.mark.parametrize(
    ("code", "reason"),
    [("4401", "unauthenticated"), ("4403", "forbidden"), ("4404", "not_found")],
)
def test_closes_that_reconnecting_cannot_fix_stop_with_their_reason(reactions, code, reason):
    seen = reactions[code]
    assert seen["final"] == reason
    assert not seen["reopened"]
    assert seen["states"][-1] == "offline"


def test_4500_says_why_and_reconnects_with_backoff(reactions):
    seen = reactions["4500"]
    assert (seen["final"], seen["trouble"]) == (None, "unavailable")
    assert seen["retryAfterMs"] <= 500  # the first step of the backoff (with jitter)
    assert seen["reopened"]
    assert seen["url"] == "wss://teammoa.example/ws/mindmaps/1/?batch=1"


def test_4429_says_why_and_retries_slowly_or_when_the_tab_is_shown(reactions):
    seen = reactions["4429"]
    assert (seen["final"], seen["trouble"]) == (None, "too_many")
    assert seen["retryAfterMs"] >= 60000
    assert reactions["visible_after_4429_reopens"]


@pytest.mark.parametrize("code", ["1012", "1006"])
def test_a_restart_or_a_lost_connection_reconnects_quietly(reactions, code):
    seen = reactions[code]
    assert (seen["final"], seen["trouble"]) == (None, None)
    assert seen["reopened"]


def test_a_snapshot_settles_only_what_was_sent_before_it(reactions):
    assert reactions["snapshot_settles"] == {"before": "snapshot", "duringPending": True}
