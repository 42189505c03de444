"""The mindmap editor by keyboard and on a phone, past the journey: connecting two nodes
that exist with the keys only, Escape taking back a node just added (for everyone), the
comment times in the team's time
zone whatever the browser's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_journey_4_mindmap import SOON, new_mindmap, node, on_server, selected, type_on_node


@pytest.fixture
def browser_context_args(browser_context_args):
    """These browsers run on UTC, far from the teams' time zone (the site's, Asia/Seoul)."""
    return {**browser_context_args, "timezone_id": "UTC"}


def walk_to(page: Page, title: str) -> None:
    """Arrow keys on the canvas, towards the node ``title`` until it is the selected one."""
    for _ in range(4):
        at = page.locator("g.mm-node.is-selected").get_attribute("transform") or ""
        if selected(page).text_content() == title:
            return
        to = node(page, title).get_attribute("transform") or ""
        (x1, y1), (x2, y2) = (map(float, t[10:-1].split()) for t in (at, to))
        if abs(x2 - x1) >= abs(y2 - y1):
            page.keyboard.press("ArrowRight" if x2 > x1 else "ArrowLeft")
        else:
            page.keyboard.press("ArrowDown" if y2 > y1 else "ArrowUp")
    expect(selected(page)).to_have_text(title)


def test_connecting_two_nodes_by_keyboard(browsers, people, teams):
    team = teams["moa"]
    yuna, _ = browsers.open(people["yuna"])
    new_mindmap(yuna, team.id, "Keys only")
    canvas = yuna.locator("[data-canvas]")
    live = yuna.locator("#tm-live-region")
    lines = yuna.locator("[data-edges] line")
    # Two nodes, not linked: One, then (the view panned by Shift and an arrow) Two.
    add = yuna.get_by_role("button", name="Add node")
    add.click()
    type_on_node(yuna, "One")
    expect(live).to_have_text("Renamed.")  # said once the server answered
    yuna.keyboard.press("Escape")
    yuna.keyboard.press("Shift+ArrowRight")
    yuna.keyboard.press("Shift+ArrowRight")
    add.click()
    type_on_node(yuna, "Two")
    expect(live).to_have_text("Renamed.")
    yuna.keyboard.press("Escape")
    expect(lines).to_have_count(0)

    # The tester's way: the Connect button with nothing selected, then in the canvas the
    # arrows and Enter on the first node and on the second. n and Insert add nothing.
    connect = yuna.get_by_role("button", name="Connect")
    connect.focus()
    yuna.keyboard.press("Enter")
    expect(connect).to_have_attribute("aria-pressed", "true")
    expect(canvas).to_be_focused()
    expect(live).to_have_text("Connect: select the first node, then the second. Escape cancels.")
    yuna.keyboard.press("ArrowLeft")  # nothing selected: the node nearest the middle
    expect(selected(yuna)).to_have_text("Two")
    yuna.keyboard.press("Enter")
    expect(live).to_contain_text("Connect “Two” to")
    yuna.keyboard.press("n")
    yuna.keyboard.press("Insert")
    walk_to(yuna, "One")
    expect(live).to_have_text("One, 0 links")
    yuna.keyboard.press("Enter")
    expect(lines).to_have_count(1)
    expect(live).to_have_text("Connected “Two” and “One”.")
    expect(connect).to_have_attribute("aria-pressed", "false")
    expect(yuna.locator("g.mm-node")).to_have_count(2)
    expect(yuna.locator("[data-canvas] input.mm-inline")).to_have_count(0)
    assert on_server(yuna)[1] == {("One", "Two")}

    # C on the selected node, the arrows to the other one, Enter.
    yuna.keyboard.press("Tab")  # a child of One
    type_on_node(yuna, "Three")
    expect(live).to_have_text("Renamed.")
    expect(lines).to_have_count(2)
    yuna.keyboard.press("c")
    expect(live).to_contain_text("Connect “Three” to")
    walk_to(yuna, "Two")
    yuna.keyboard.press("Enter")
    expect(lines).to_have_count(3)
    expect(live).to_have_text("Connected “Three” and “Two”.")
    expect(yuna.locator("g.mm-node")).to_have_count(3)
    assert ("Three", "Two") in on_server(yuna)[1]

    # Escape leaves connect mode.
    yuna.keyboard.press("c")
    expect(connect).to_have_attribute("aria-pressed", "true")
    yuna.keyboard.press("Escape")
    expect(live).to_have_text("Connecting cancelled.")
    expect(connect).to_have_attribute("aria-pressed", "false")
    expect(yuna.locator("#mm-help")).to_contain_text("select one and press C")


def test_escape_takes_back_a_node_just_added(browsers, people, teams):
    team = teams["moa"]
    yuna, _ = browsers.open(people["yuna"])
    new_mindmap(yuna, team.id, "Second thoughts")
    minho, _ = browsers.open(people["minho"])
    minho.goto(yuna.url)
    expect(minho.locator("[data-status]")).to_have_attribute("data-state", "connected")

    add = yuna.get_by_role("button", name="Add node")
    add.click()
    field = yuna.locator("[data-canvas] input.mm-inline")
    expect(field).to_be_focused()
    field.press("Escape")
    expect(yuna.locator("g.mm-node")).to_have_count(0)
    expect(yuna.locator("#tm-live-region")).to_have_text("New node cancelled.")
    expect(minho.locator("g.mm-node")).to_have_count(0, timeout=SOON)
    assert on_server(yuna) == (set(), set())

    # Tab on a node, then Escape: its parent and nothing else stays, and no link.
    add.click()
    type_on_node(yuna, "Keep")
    yuna.keyboard.press("Tab")
    expect(field).to_be_focused()
    field.press("Escape")
    expect(yuna.locator("g.mm-node")).to_have_count(1)
    expect(node(minho, "Keep")).to_have_count(1, timeout=SOON)
    expect(minho.locator("g.mm-node")).to_have_count(1, timeout=SOON)
    nodes, lines = on_server(yuna)
    assert [title for title, _, _ in nodes] == ["Keep"]
    assert lines == set()
    expect(selected(yuna)).to_have_text("Keep")  # back on the node it was added from
    # Escape while renaming a node that was there before keeps it, with its title.
    yuna.keyboard.press("F2")
    field.press("Control+A")
    field.type("Changed my mind")
    field.press("Escape")
    expect(node(yuna, "Keep")).to_have_count(1)
    assert [title for title, _, _ in on_server(yuna)[0]] == ["Keep"]


def test_comment_times_are_in_the_teams_time_zone(browsers, people, teams):
    team = teams["moa"]
    yuna, _ = browsers.open(people["yuna"])
    new_mindmap(yuna, team.id, "Time zones")
    zone = yuna.locator("#mm-editor").get_attribute("data-time-zone")
    assert zone and zone != "UTC"  # else this browser's zone could not be told from it
    yuna.get_by_role("button", name="Add node").click()
    type_on_node(yuna, "Agenda")
    yuna.get_by_label("Your comment").fill("Ten minutes each")
    yuna.get_by_role("button", name="Comment", exact=True).click()
    when = yuna.locator("[data-comments] li time")
    expect(when).to_have_count(1)
    iso = when.get_attribute("datetime")
    expected, browsers_own = yuna.evaluate(
        "([iso, zone]) => [zone, undefined].map((timeZone) => new Date(iso).toLocaleString("
        "'en', {dateStyle: 'medium', timeStyle: 'short', timeZone}))",
        [iso, zone],
    )
    assert expected != browsers_own
    expect(when).to_have_text(expected)
    assert "AM" in expected or "PM" in expected  # in the page's language


def test_the_phone_panel_takes_focus_and_escape_gives_it_back(browsers, people, teams):
    team = teams["moa"]
    seo, _ = browsers.open(people["seo"], viewport="phone", has_touch=True, is_mobile=True)
    new_mindmap(seo, team.id, "Phone focus")
    seo.get_by_role("button", name="Add node").tap()
    type_on_node(seo, "Lunch")
    seo.get_by_role("button", name="Close").last.tap()
    panel = seo.locator("[data-panel]")
    expect(panel).to_be_hidden()

    node(seo, "Lunch").tap()
    expect(panel).to_be_visible()
    heading = panel.get_by_role("heading", name="Node")
    expect(heading).to_be_focused()
    seo.keyboard.press("Tab")
    seo.keyboard.press("Tab")  # past the Close button, to the title
    expect(panel.get_by_label("Title", exact=True)).to_be_focused()
    seo.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(seo.locator("[data-canvas]")).to_be_focused()
    expect(selected(seo)).to_have_text("Lunch")  # back on its node
    expect(seo.locator("#tm-live-region")).to_have_text("Lunch, 0 links")
    # The Close button does the same; a tap on the node opens the panel again.
    node(seo, "Lunch").tap()
    expect(heading).to_be_focused()
    seo.get_by_role("button", name="Close").last.tap()
    expect(panel).to_be_hidden()
    expect(seo.locator("[data-canvas]")).to_be_focused()
