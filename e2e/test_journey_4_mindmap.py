"""Journey 4: two browsers on one mindmap: create (several children of one node must not
overlap), rename, drag, connect, comment, recommend, each seen by the other within 1 s,
with the other's cursor and presence; the outline view edits by keyboard."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

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
    field = page.get_by_label("Title", exact=True)
    field.fill(title)
    page.locator("[data-node-form]").get_by_role("button", name="Save").click()


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

    # A root, then three children of it: none overlaps another.
    add = yuna.get_by_role("button", name="Add node")
    add.click()
    expect(node(yuna, "New idea")).to_have_count(1)
    rename(yuna, "Launch day")
    expect(node(minho, "Launch day")).to_have_count(1, timeout=SOON)
    for title in ("Venue", "Invites", "Budget"):
        node(yuna, "Launch day").click()
        add.click()
        expect(node(yuna, "New idea")).to_have_count(1)
        rename(yuna, title)
        expect(node(minho, title)).to_have_count(1, timeout=SOON)
    yuna.get_by_role("button", name="Fit").click()
    minho.get_by_role("button", name="Fit").click()
    assert overlapping(boxes(yuna)) == []
    assert overlapping(boxes(minho)) == []
    # Each child is connected to the root: three lines on both screens.
    expect(minho.locator("[data-edges] > *")).to_have_count(3, timeout=SOON)

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
    expect(minho.locator("[data-edges] > *")).to_have_count(4, timeout=SOON)

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

    # The outline, by keyboard: rename "Budget" with F2.
    yuna.get_by_role("button", name="Outline").click()
    tree = yuna.get_by_role("tree")
    item = tree.get_by_role("treeitem", name=re.compile("Budget"))
    item.focus()
    yuna.keyboard.press("F2")
    yuna.keyboard.press("Control+A")
    yuna.keyboard.type("Budget and sponsors")
    yuna.keyboard.press("Enter")
    expect(node(minho, "Budget and sponsors")).to_have_count(1, timeout=SOON)
