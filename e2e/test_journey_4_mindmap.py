"""Journey 4: two browsers on one mindmap: create (several children of one node must not
overlap), rename, drag, connect, comment, recommend, each seen by the other within 1 s,
with the other's cursor and presence; one goes offline, the other keeps editing, and on
reconnect the first shows exactly the server's state; the canvas and the outline view
edit by keyboard (Tab adds a child, Enter a sibling, arrows move, F2 renames)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from support.browser import axe_violations

SOON = 1_000  # ms: what "at once" means to the other person


def node(page: Page, title: str) -> Locator:
    return page.locator("g.mm-node").filter(
        has=page.locator("text.mm-node__title", has_text=re.compile(f"^{re.escape(title)}$"))
    )


def boxes(page: Page) -> list[dict[str, float]]:
    return page.locator("g.mm-node rect.mm-node__box").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height}; })"
    )


def overlapping(rects: list[dict[str, float]]) -> list[tuple[int, int]]:
    pairs = []
    for i, a in enumerate(rects):
        for j, b in enumerate(rects[i + 1 :], start=i + 1):
            if (
                a["x"] < b["x"] + b["w"]
                and b["x"] < a["x"] + a["w"]
                and a["y"] < b["y"] + b["h"]
                and b["y"] < a["y"] + a["h"]
            ):
                pairs.append((i, j))
    return pairs


def rename(page: Page, title: str) -> None:
    field = page.locator("[data-node-form]").get_by_label("Title", exact=True)
    field.fill(title)
    page.locator("[data-node-form]").get_by_role("button", name="Save").click()


def type_on_node(page: Page, title: str) -> None:
    """The title field that opens on the node itself (a new node, F2, a double-click)."""
    field = page.locator("[data-canvas] input.mm-inline")
    expect(field).to_be_focused()
    field.press("Control+A")
    field.type(title)
    field.press("Enter")
    expect(field).to_have_count(0)


def selected(page: Page) -> Locator:
    return page.locator("g.mm-node.is-selected text.mm-node__title")


def spilled(page: Page) -> list[str]:
    """Titles whose text runs past their box."""
    return page.locator("g.mm-node").evaluate_all(
        "gs => gs.filter(g => { const box = g.querySelector('rect').getBBox();"
        " const text = g.querySelector('text.mm-node__title').getBBox();"
        " return text.x < box.x || text.x + text.width > box.x + box.width; })"
        ".map(g => g.querySelector('title').textContent)"
    )


def shown(page: Page) -> tuple[set[tuple[str, int, int]], set[tuple[str, str]]]:
    """The nodes (full title and place) and links the page draws."""
    drawn = page.locator("g.mm-node").evaluate_all(
        "gs => gs.map(g => {"
        " const m = g.getAttribute('transform').match(/translate\\(([-\\d.]+) ([-\\d.]+)\\)/);"
        " return [g.querySelector('title').textContent, Math.round(+m[1]), Math.round(+m[2]),"
        " g.dataset.id]; })"
    )
    titles = {row[3]: row[0] for row in drawn}
    links = page.locator("[data-edges] line").evaluate_all(
        "ls => ls.map(l => [l.dataset.source, l.dataset.target])"
    )
    return (
        {(t, x, y) for t, x, y, _ in drawn},
        {tuple(sorted((titles[a], titles[b]))) for a, b in links},  # type: ignore[misc]
    )


def on_server(page: Page) -> tuple[set[tuple[str, int, int]], set[tuple[str, str]]]:
    api = page.locator("#mm-editor").get_attribute("data-api-url")
    snapshot = page.request.get(api or "").json()
    titles = {n["id"]: n["title"] for n in snapshot["nodes"]}
    return (
        {(n["title"], n["x"], n["y"]) for n in snapshot["nodes"]},
        {
            tuple(sorted((titles[c["source"]], titles[c["target"]])))  # type: ignore[misc]
            for c in snapshot["connections"]
        },
    )


def new_mindmap(page: Page, team_id: int, title: str) -> Locator:
    """Create a mindmap from the team's list; its editor's connection status, connected."""
    page.goto(f"/teams/{team_id}/mindmaps/")
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create").click()
    status = page.locator("[data-status]")
    expect(status).to_have_attribute("data-state", "connected")
    return status


def test_two_people_on_one_mindmap(browsers, people, teams):
    team = teams["moa"]
    yuna, _ = browsers.open(people["yuna"])
    yuna.goto(f"/teams/{team.id}/mindmaps/")
    yuna.get_by_label("Title").fill("Launch")
    yuna.get_by_role("button", name="Create").click()
    expect(yuna.get_by_role("heading", name="Launch", level=1)).to_be_visible()
    status = yuna.locator("[data-status]")
    expect(status).to_have_attribute("data-state", "connected")

    minho, _ = browsers.open(people["minho"])
    minho.goto(yuna.url.replace(yuna.url.split("/teams/")[0], ""))
    expect(minho.locator("[data-status]")).to_have_attribute("data-state", "connected")
    # Presence: each sees the other.
    expect(yuna.locator("[data-people]")).to_contain_text("Minho", timeout=5_000)
    expect(minho.locator("[data-people]")).to_contain_text("Yuna")

    # A root, its title typed on the node; then, by keyboard on the canvas, three children:
    # Tab adds the first, Enter a sibling. None overlaps another.
    add = yuna.get_by_role("button", name="Add node")
    add.click()
    expect(node(yuna, "New idea")).to_have_count(1)
    type_on_node(yuna, "Launch day")
    expect(node(minho, "Launch day")).to_have_count(1, timeout=SOON)
    expect(selected(yuna)).to_have_text("Launch day")
    expect(yuna.locator("[data-canvas]")).to_be_focused()
    yuna.keyboard.press("Tab")
    live = yuna.locator("#tm-live-region")  # what a screen reader is told
    expect(live).to_have_text("New node: type its title, then Enter.")
    type_on_node(yuna, "Venue")
    for title in ("Invites", "Budget"):
        yuna.keyboard.press("Enter")
        type_on_node(yuna, title)
    # A long Korean title fits its box (shortened with "…" when wider than a box may be).
    yuna.keyboard.press("Enter")
    type_on_node(yuna, "도서관 세미나실 예약과 발표 자료 준비하기")
    yuna.keyboard.press("Enter")
    type_on_node(yuna, "회의록")
    for title in ("Venue", "Invites", "Budget", "회의록"):
        expect(node(minho, title)).to_have_count(1, timeout=SOON)
    yuna.get_by_role("button", name="Fit").click()
    minho.get_by_role("button", name="Fit").click()
    assert overlapping(boxes(yuna)) == []
    assert overlapping(boxes(minho)) == []
    assert spilled(yuna) == []
    # Each child is connected to the root: five lines on both screens.
    expect(minho.locator("[data-edges] > *")).to_have_count(5, timeout=SOON)

    # The arrows move between nodes: from the first child (right of the root) to the root
    # and back.
    node(yuna, "Venue").click()
    yuna.keyboard.press("ArrowLeft")
    expect(selected(yuna)).to_have_text("Launch day")
    expect(live).to_have_text("Launch day, 5 links")
    yuna.keyboard.press("ArrowRight")
    expect(selected(yuna)).to_have_text("Venue")
    yuna.keyboard.press("ArrowLeft")
    expect(selected(yuna)).to_have_text("Launch day")
    # F2 renames on the node; Escape cancels.
    yuna.keyboard.press("F2")
    field = yuna.locator("[data-canvas] input.mm-inline")
    field.type("Launch party")
    field.press("Escape")
    expect(node(yuna, "Launch day")).to_have_count(1)
    yuna.keyboard.press("F2")
    type_on_node(yuna, "Launch party")
    expect(node(minho, "Launch party")).to_have_count(1, timeout=SOON)
    # Delete asks, then deletes the Korean note-taking node.
    node(yuna, "회의록").click()
    yuna.once("dialog", lambda dialog: dialog.accept())
    yuna.locator("[data-canvas]").press("Delete")
    expect(node(minho, "회의록")).to_have_count(0, timeout=SOON)

    # Minho drags "Budget"; Yuna sees it move.
    before = node(yuna, "Budget").get_attribute("transform")
    box = node(minho, "Budget").bounding_box()
    assert box
    minho.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    minho.mouse.down()
    canvas = minho.locator("[data-canvas]").bounding_box()
    assert canvas
    # To an empty corner of the canvas, clear of every other node.
    minho.mouse.move(
        canvas["x"] + canvas["width"] * 0.85, canvas["y"] + canvas["height"] * 0.9, steps=8
    )
    minho.mouse.up()
    expect(node(yuna, "Budget")).not_to_have_attribute("transform", before or "", timeout=SOON)

    # Minho's cursor shows on Yuna's canvas, with his name.
    expect(yuna.locator("g.mm-cursor")).to_contain_text("Minho", timeout=SOON)

    # Yuna connects "Venue" and "Invites".
    yuna.get_by_role("button", name="Connect").click()
    node(yuna, "Venue").click()
    node(yuna, "Invites").click()
    expect(minho.locator("[data-edges] > *")).to_have_count(5, timeout=SOON)

    # Minho comments on "Venue" and recommends it; Yuna sees both.
    node(minho, "Venue").click()
    minho.get_by_label("Your comment").fill("The library hall is free on Friday.")
    minho.get_by_role("button", name="Comment", exact=True).click()
    minho.locator("[data-recommend]").click()
    node(yuna, "Venue").click()
    expect(yuna.locator("[data-panel]")).to_contain_text(
        "The library hall is free on Friday.", timeout=SOON
    )
    expect(yuna.locator("[data-recommend-count]")).to_have_text("1", timeout=SOON)

    # Minho goes offline. His presence list greys; Yuna keeps editing: renames "Venue",
    # adds "Catering", deletes "Budget". Minho, offline, renames "Venue" too and adds
    # "Guest list" under "Invites": both wait, shown at once, counted in the status.
    minho.context.set_offline(True)
    expect(minho.locator("[data-status]")).to_have_attribute("data-state", "offline")
    expect(minho.get_by_text("Not up to date while disconnected")).to_be_visible()
    expect(yuna.locator("[data-people]")).not_to_contain_text("Minho", timeout=5_000)
    node(yuna, "Venue").click()
    rename(yuna, "Venue: city hall")
    node(yuna, "Launch party").click()
    yuna.locator("[data-canvas]").press("Tab")
    type_on_node(yuna, "Catering")
    node(yuna, "Budget").click()
    yuna.once("dialog", lambda dialog: dialog.accept())
    yuna.locator("[data-canvas]").press("Delete")
    expect(node(yuna, "Budget")).to_have_count(0)

    node(minho, "Venue").dblclick()
    type_on_node(minho, "Venue (library)")
    node(minho, "Invites").click()
    minho.locator("[data-canvas]").press("Tab")
    type_on_node(minho, "Guest list")
    expect(node(minho, "Guest list")).to_have_count(1)
    expect(minho.locator("[data-status]")).to_contain_text("3 changes wait to be sent.")
    expect(node(yuna, "Guest list")).to_have_count(0)

    # Back online: Minho's new node is sent; his rename lost to Yuna's, and he is told.
    minho.context.set_offline(False)
    status = minho.locator("[data-status]")
    expect(status).to_have_attribute("data-state", "connected", timeout=10_000)
    expect(minho.locator("[data-notice]")).to_contain_text("Venue (library)")
    expect(minho.locator("[data-notice]")).to_contain_text("Venue: city hall")
    expect(node(yuna, "Guest list")).to_have_count(1, timeout=SOON * 3)
    expect(node(minho, "Budget")).to_have_count(0)
    expect(node(minho, "Catering")).to_have_count(1)
    expect(minho.locator("[data-status-queue]")).to_be_hidden()
    expect(yuna.locator("[data-people]")).to_contain_text("Minho", timeout=5_000)
    # Exactly what the server holds, on both screens.
    server = on_server(yuna)
    assert shown(minho) == server
    assert shown(yuna) == server
    assert ("Guest list", "Invites") in server[1]

    # Online, Minho renames "Invites" just after Yuna did: she is told hers was replaced.
    node(yuna, "Invites").click()
    yuna.locator("[data-canvas]").press("F2")
    type_on_node(yuna, "Invitations")
    expect(node(minho, "Invitations")).to_have_count(1, timeout=SOON)
    node(minho, "Invitations").dblclick()
    type_on_node(minho, "Invites and RSVPs")
    expect(yuna.locator("[data-notice]")).to_contain_text(
        "Minho renamed “Invitations” to “Invites and RSVPs” just after you"
    )

    # The outline, by keyboard: rename "Catering" with F2.
    yuna.get_by_role("button", name="Outline").click()
    tree = yuna.get_by_role("tree")
    item = tree.get_by_role("treeitem", name=re.compile("Catering"))
    item.focus()
    yuna.keyboard.press("F2")
    yuna.keyboard.press("Control+A")
    yuna.keyboard.type("Catering and drinks")
    yuna.keyboard.press("Enter")
    expect(node(minho, "Catering and drinks")).to_have_count(1, timeout=SOON)


def test_on_a_phone_the_panel_opens_over_the_canvas(browsers, people, teams):
    """Taps, not wheels: the help speaks of taps, a tapped node's panel opens over the map,
    in English and Korean, without a serious accessibility problem."""
    team = teams["moa"]
    seo, _ = browsers.open(people["seo"], viewport="phone", has_touch=True, is_mobile=True)
    new_mindmap(seo, team.id, "Phone map")
    help_text = seo.locator("#mm-help")
    expect(help_text).to_contain_text("Tap a node")
    shown_help = help_text.inner_text()  # what shows, not the hidden mouse and key help
    assert "Tap a node" in shown_help
    assert "wheel" not in shown_help
    assert "Tab adds a child" not in shown_help
    expect(seo.locator("[data-panel]")).to_be_hidden()  # nothing selected: the map has the room

    seo.get_by_role("button", name="Add node").tap()
    type_on_node(seo, "Snacks")
    panel = seo.locator("[data-panel]")
    expect(panel).to_be_visible()
    seo.get_by_role("button", name="Close").last.tap()
    expect(panel).to_be_hidden()

    node(seo, "Snacks").tap()
    expect(panel).to_be_visible()
    assert panel.evaluate("el => getComputedStyle(el).position") == "fixed"
    canvas = seo.locator("[data-canvas]").bounding_box()
    sheet = panel.bounding_box()
    assert canvas and sheet
    assert sheet["y"] < canvas["y"] + canvas["height"]  # over the canvas, not below it
    # The tapped node stays in view above the panel.
    box = node(seo, "Snacks").bounding_box()
    assert box and box["y"] + box["height"] <= sheet["y"]
    assert axe_violations(seo) == []
    expect(panel.get_by_label("Title", exact=True)).to_have_value("Snacks")
    # A double tap on the background adds a node there, its title typed on it.
    seo.get_by_role("button", name="Close").last.tap()
    spot = seo.locator("[data-canvas]").bounding_box()
    assert spot
    x, y = spot["x"] + spot["width"] * 0.2, spot["y"] + spot["height"] * 0.15
    seo.touchscreen.tap(x, y)
    seo.touchscreen.tap(x, y)
    type_on_node(seo, "Drinks")
    expect(node(seo, "Drinks")).to_have_count(1)
    expect(seo.locator("g.mm-node")).to_have_count(2)  # one node per double tap
    assert overlapping(boxes(seo)) == []

    # In Korean, the same.
    seo_ko, _ = browsers.open(
        people["seo"], lang="ko", viewport="phone", has_touch=True, is_mobile=True
    )
    seo_ko.goto(seo.url)
    expect(seo_ko.locator("#mm-help")).to_contain_text("탭")
    shown_help = seo_ko.locator("#mm-help").inner_text()
    assert "노드를 탭하면" in shown_help
    assert "휠" not in shown_help
    node(seo_ko, "Snacks").tap()
    expect(seo_ko.locator("[data-panel]")).to_be_visible()
    assert axe_violations(seo_ko) == []


def test_changes_waiting_at_a_reload_are_kept_and_sent(browsers, people, teams):
    """The socket is down but pages load (the socket servers restart): what Ara changes
    meanwhile waits; she reloads the tab; the reloaded page still counts it as waiting and,
    once the socket is back, sends it, exactly once."""
    team = teams["moa"]
    ara, _ = browsers.open(people["ara"])
    status = new_mindmap(ara, team.id, "Reunion")
    ara.get_by_role("button", name="Add node").click()
    type_on_node(ara, "Reunion day")

    # New sockets are refused with 4500 (the server cannot serve them) until let through.
    serving = {"open": False}

    def socket_server(ws) -> None:
        if serving["open"]:
            ws.connect_to_server()
        else:
            ws.close(code=4500, reason="unavailable")

    ara.route_web_socket(re.compile(r"/ws/mindmaps/"), socket_server)
    ara.context.set_offline(True)  # drops the open socket (see the journey above)
    ara.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "reconnecting")
    node(ara, "Reunion day").dblclick()
    type_on_node(ara, "Reunion weekend")
    ara.locator("[data-canvas]").press("Tab")
    type_on_node(ara, "Train tickets")
    expect(status).to_contain_text("3 changes wait to be sent.")

    ara.reload()
    expect(status).to_contain_text("3 changes wait to be sent.")
    expect(status).not_to_have_attribute("data-state", "connected")

    serving["open"] = True
    ara.context.set_offline(True)  # the browser's "online" event reconnects at once
    ara.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "connected", timeout=10_000)
    expect(ara.locator("[data-status-queue]")).to_be_hidden(timeout=5_000)
    expect(ara.locator("[data-notice]")).to_contain_text(
        "3 changes made before the page was reloaded are being sent."
    )
    server = on_server(ara)
    assert {title for title, _, _ in server[0]} == {"Reunion weekend", "Train tickets"}
    assert server[1] == {("Reunion weekend", "Train tickets")}
    assert shown(ara) == server
    # Nothing is left to send again at the next reload.
    ara.reload()
    expect(status).to_have_attribute("data-state", "connected")
    expect(ara.locator("[data-status-queue]")).to_be_hidden()
    assert on_server(ara) == server
