"""The editor's layout and offline queue, run in Node (store.js, outbox.js)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.node import run_script


@pytest.fixture(scope="module")
def layout() -> dict[str, Any]:
    return run_script("store_layout.mjs")


@pytest.fixture(scope="module")
def offline() -> dict[str, Any]:
    return run_script("outbox_offline.mjs")


def test_children_and_grandchildren_never_overlap(layout):
    tree = layout["tree"]
    assert tree["overlaps"] == []
    assert tree["distinct"]
    assert tree["inside"]
    assert tree["outwards"]  # away from the grandparent


def test_a_crowded_corner_still_places_apart(layout):
    assert layout["crowded"] == {"overlaps": 0, "inside": True}


def test_boxes_fit_korean_and_shorten_long_titles(layout):
    width = layout["width"]
    assert width["korean"] > 140  # a full em per syllable, not a Latin letter's width
    assert width["koreanFits"]
    assert width["latin"] == 80  # the smallest box
    assert width["longShortened"]
    assert width["longFits"]


def test_a_sibling_shares_the_parent(layout):
    assert layout["parents"] == {"1": None, "2": 1, "3": 2}


def test_offline_changes_are_shown_then_sent_in_order(offline):
    seen = offline["offline"]
    assert seen["whileOffline"] == {
        "titles": ["Budget", "Guest list", "Root", "Venue (library)"],
        "queued": 3,  # the rename, the new node (its title and place folded in), its link
        "temp": True,
    }
    assert seen["sent"] == ["node.create", "connection.create"]
    assert seen["created"] == {"type": "node.create", "title": "Guest list", "x": 520, "y": 120}
    assert seen["link"] == {"type": "connection.create", "source": 2, "target": 100}
    assert seen["titles"] == ["Guest list", "Root", "Venue: city hall"]
    assert seen["connections"] == [[2, 100]]
    assert seen["left"] == 0


def test_a_concurrent_rename_wins_and_we_are_told(offline):
    notices = offline["offline"]["notices"]
    assert notices[0]["important"]
    assert "“Venue: city hall”" in notices[0]["text"]
    assert "“Venue (library)” was not saved" in notices[0]["text"]
    assert notices[1] == {"text": "2 changes made offline were saved.", "important": False}


def test_a_node_made_and_deleted_offline_never_reaches_the_server(offline):
    seen = offline["scratch"]
    assert seen["queued"] == 1  # only the delete of the real node
    assert seen["sent"] == []  # someone else deleted it meanwhile: dropped quietly
    assert seen["notices"] == []
    assert seen["titles"] == ["Root"]


def test_changes_to_a_node_deleted_meanwhile_are_not_saved_and_we_are_told(offline):
    seen = offline["deleted"]
    assert seen["sent"] == []
    assert len(seen["notices"]) == 1
    assert "deleted “Gone”" in seen["notices"][0]["text"]


def test_a_recommendation_is_refused_offline_with_a_message(offline):
    assert offline["recommend"] == {
        "code": "needs_connection",
        "message": "Recommending needs a connection. Try again once reconnected.",
    }
    assert offline["online"] == {"type": "node.updated", "queued": False, "sent": 1}


def test_a_change_lost_with_the_socket_is_resent_but_never_made_twice(offline):
    seen = offline["uncertain"]
    assert seen["temp"]
    assert seen["sent"] == ["node.move"]  # the node had arrived: not created again
    assert seen["titles"] == ["Idea", "Root"]
    assert (seen["root"]["x"], seen["root"]["y"]) == (50, 60)


def test_a_creation_answered_by_a_resync_is_sent_again_once(offline):
    seen = offline["resync"]
    assert seen["sent"] == ["node.create", "node.create"]
    assert seen["ids"] == [1, 100]  # no temporary node left behind
    assert seen["left"] == 0


def test_a_reload_keeps_the_changes_that_wait_and_sends_them_once(offline):
    """sessionStorage carries the queue over a reload of the tab: restored, checked against
    the new page's first snapshot, sent; what had already arrived is not made twice."""
    seen = offline["reload"]
    assert seen["keptWhileOffline"] == 3
    assert seen["restored"] == 3
    assert seen["otherMindmap"] == 0  # another mindmap's queue is its own
    assert seen["sent"] == [
        {"type": "connection.create", "source": 1, "target": 40},
        {"type": "node.update", "node": 2, "title": "Venue (library)"},
    ]
    assert seen["titles"] == ["Idea", "Root", "Venue (library)"]
    assert seen["connections"] == [[1, 40]]
    assert seen["left"] == 0
    assert seen["storageLeft"] is None  # nothing waits: nothing kept
    assert seen["notices"][0] == "3 changes made before the page was reloaded are being sent."
    assert seen["broken"] == 0  # a damaged entry is ignored, not thrown
