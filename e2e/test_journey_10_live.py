"""Journey 10: two teammates see each other's changes live (docs/team-events.md).

Chan paints three evening hours; Bomi's heatmap shows them within a second of the save,
with a note saying who changed what. Chan moves a todo to his column; Bomi's board shows
it there within a second of the move, while the todo Bomi was half-way through typing
stays in her form. On a post both have open, Chan's comment joins Bomi's list within a
second while her own comment is half typed; Bomi's edit and deletion show on Chan's page.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect
from test_journey_5_work import column, drag, settled

WEEK = "2026-W53"
MONDAY = "2026-12-28"
# The budget of the issue: a teammate's change shows within a second. Measured from the
# moment the change's own request has been answered (it is saved then).
LIVE_SECONDS = 1.0


def connected(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("data-team-live", "connected")


def cell(page: Page, grid: str, hour: int):
    return page.locator(f"[{grid}] td[data-date='{MONDAY}'][data-hour='{hour}']")


def centre(page: Page, hour: int) -> tuple[float, float]:
    box = cell(page, "data-my-grid", hour).bounding_box()
    assert box
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_teammates_painting_and_todo_move_show_within_a_second(browsers, people, teams):
    team = teams["live"]
    schedule = f"/teams/{team.id}/schedule/?week={WEEK}"
    bomi, _ = browsers.open(people["bomi"])
    chan, _ = browsers.open(people["chan"])
    bomi.goto(schedule)
    chan.goto(schedule)
    connected(bomi)
    connected(chan)
    expect(cell(bomi, "data-heatmap", 20)).to_have_attribute("data-count", "")

    # Chan paints 19:00-21:00 on Monday with the mouse; the page saves it by itself.
    cell(chan, "data-my-grid", 19).scroll_into_view_if_needed()
    with chan.expect_response(lambda r: r.request.method == "PUT" and "/schedule/" in r.url) as put:
        chan.mouse.move(*centre(chan, 19))
        chan.mouse.down()
        chan.mouse.move(*centre(chan, 21), steps=6)
        chan.mouse.up()
    assert put.value.ok
    saved_at = time.monotonic()
    bomi.wait_for_function(
        """([date, hours]) => hours.every((hour) => document
            .querySelector(`[data-heatmap] td[data-date="${date}"][data-hour="${hour}"]`)
            .dataset.count === "1")""",
        arg=[MONDAY, [19, 20, 21]],
        timeout=LIVE_SECONDS * 1000,
    )
    painted_lag = time.monotonic() - saved_at
    note = bomi.locator("#team-live-note")
    expect(note).to_have_text("Chan updated their availability.")
    expect(note).to_have_attribute("aria-live", "polite")
    # Chan's own page says nothing about Chan.
    expect(chan.locator("#team-live-note")).to_have_count(0)

    # The todo board: Bomi is typing a todo of her own when Chan moves one.
    board = f"/teams/{team.id}/todos/"
    bomi.goto(board)
    chan.goto(board)
    connected(bomi)
    connected(chan)
    chan.get_by_label("New todo").fill("Book the study room")
    chan.get_by_role("button", name="Add todo").click()
    expect(
        column(bomi, "Unassigned").get_by_text("Book the study room", exact=True)
    ).to_be_visible()
    bomi.get_by_label("New todo").fill("Half-typed idea")

    card = chan.locator(".todo-card", has_text="Book the study room")
    with chan.expect_response(lambda r: r.request.method == "POST" and "/move/" in r.url) as moved:
        drag(chan, card, column(chan, "Chan"))
    assert moved.value.ok
    moved_at = time.monotonic()
    expect(column(bomi, "Chan").get_by_text("Book the study room", exact=True)).to_be_visible(
        timeout=LIVE_SECONDS * 1000
    )
    moved_lag = time.monotonic() - moved_at
    settled(chan)
    expect(column(bomi, "Chan").locator("[data-count]")).to_have_text("1")
    expect(bomi.get_by_label("New todo")).to_have_value("Half-typed idea")
    expect(bomi.locator("#team-live-note")).to_have_text(
        "Chan changed “Book the study room” (now in Chan)."
    )
    print(f"live lag: painting {painted_lag:.3f} s, todo move {moved_lag:.3f} s")


def test_an_open_post_shows_a_teammates_comment_edit_and_deletion(browsers, people, teams):
    team = teams["live"]
    bomi, _ = browsers.open(people["bomi"])
    chan, _ = browsers.open(people["chan"])
    bomi.goto(f"/teams/{team.id}/posts/new/")
    bomi.get_by_label("Title").fill("Field trip")
    bomi.get_by_role("textbox", name="Body").click()
    bomi.keyboard.type("The bus leaves at nine.")
    bomi.get_by_role("button", name="Publish").click()
    expect(bomi.get_by_role("heading", name="Field trip", level=1)).to_be_visible()
    chan.goto(bomi.url)
    connected(bomi)
    connected(chan)
    expect(bomi.get_by_text("No comments yet.")).to_be_visible()
    mine = bomi.get_by_role("textbox", name="Comment", exact=True)
    mine.fill("Half-typed: who brings")

    chan.get_by_role("textbox", name="Comment", exact=True).fill("I will bring snacks.")
    with chan.expect_response(lambda r: r.request.method == "POST" and "/comments/" in r.url):
        chan.get_by_role("button", name="Post comment").click()
    commented_at = time.monotonic()
    expect(bomi.locator(".comment")).to_contain_text(
        "I will bring snacks.", timeout=LIVE_SECONDS * 1000
    )
    comment_lag = time.monotonic() - commented_at
    expect(bomi.locator(".comment")).to_contain_text("Chan")
    expect(bomi.get_by_text("No comments yet.")).to_have_count(0)
    expect(bomi.locator("[data-comment-count]")).to_have_text("(1)")
    expect(mine).to_have_value("Half-typed: who brings")
    expect(bomi.locator("#team-live-note")).to_have_text("Chan commented on this post.")

    # Bomi renames her post: Chan's open page shows the new title; then she deletes it.
    bomi.get_by_role("link", name="Edit").click()
    bomi.get_by_label("Title").fill("Field trip on Friday")
    bomi.get_by_role("button", name="Save post").click()
    expect(chan.get_by_role("heading", name="Field trip on Friday", level=1)).to_be_visible(
        timeout=LIVE_SECONDS * 1000
    )
    expect(chan.locator(".post .prose")).to_have_text("The bus leaves at nine.")
    expect(chan.locator("#team-live-note")).to_have_text("Bomi edited this post.")
    bomi.get_by_role("link", name="Delete…").first.click()
    bomi.get_by_role("button", name="Delete post").click()
    expect(chan.get_by_role("alert")).to_contain_text("This post was deleted.")
    expect(chan.get_by_role("textbox", name="Comment", exact=True)).to_have_count(0)
    expect(chan.locator("#team-live-note")).to_have_text("Bomi deleted this post.")
    print(f"live lag: comment {comment_lag:.3f} s")


def test_news_between_loading_a_page_and_its_socket_is_not_missed(browsers, people, teams):
    """Chan adds a todo after Bomi's board was rendered but before its team socket said
    hello (held back here): at hello the board sees that the team had news since the page
    was made, reads again, and shows the todo."""
    team = teams["live"]
    board = f"/teams/{team.id}/todos/"
    bomi, _ = browsers.open(people["bomi"])
    chan, _ = browsers.open(people["chan"])
    chan.goto(board)
    connected(chan)
    held = []
    bomi.route_web_socket(re.compile(r"/ws/teams/"), lambda ws: held.append(ws))
    bomi.goto(board)
    expect(bomi.locator("html")).to_have_attribute("data-team-live", "connecting")
    for _ in range(50):
        if held:
            break
        bomi.wait_for_timeout(100)
    assert held, "the board opened no team socket"

    chan.get_by_label("New todo").fill("Print the handouts")
    chan.get_by_role("button", name="Add todo").click()
    expect(column(chan, "Unassigned").get_by_text("Print the handouts", exact=True)).to_be_visible()
    expect(column(bomi, "Unassigned").get_by_text("Print the handouts", exact=True)).to_have_count(
        0
    )

    held[0].connect_to_server()
    connected(bomi)
    expect(column(bomi, "Unassigned").get_by_text("Print the handouts", exact=True)).to_be_visible(
        timeout=LIVE_SECONDS * 1000
    )
