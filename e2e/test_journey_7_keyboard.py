"""Journey 7: keyboard only: create a team, paint a week, add and rename a node, move a
todo. Nothing here clicks: focus moves with Tab, things happen with keys."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def tab_to(page: Page, target: Locator, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{target} never got the focus after {limit} Tabs")


def test_keyboard_only(browsers, people):
    page, _ = browsers.open(people["kibo"])
    page.goto("/teams/")

    # Create a team.
    tab_to(page, page.get_by_role("link", name="Create a team").first)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Team name"))
    page.keyboard.type("Keys Only")
    tab_to(page, page.get_by_label("Join password"))
    page.keyboard.type("keys-pass-12")
    tab_to(page, page.get_by_role("button", name="Create team"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keys Only", level=1)).to_be_visible()

    # Paint three hours of Monday free: Space, then Shift+Down twice.
    tab_to(
        page,
        page.get_by_role("navigation", name="Team sections").get_by_role("link", name="Schedule"),
    )
    page.keyboard.press("Enter")
    first = page.locator("td[data-hour][tabindex='0']").first
    tab_to(page, first)
    page.keyboard.press("Space")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    free = page.locator("td[data-hour][data-state='free']")
    expect(free).to_have_count(3)
    expect(page.locator("[data-save-status]")).to_have_attribute("data-state", "saved")
    page.reload()
    expect(page.locator("td[data-hour][data-state='free']")).to_have_count(3)

    # A mindmap: create it, add a node in the outline and rename it.
    tab_to(
        page,
        page.get_by_role("navigation", name="Team sections").get_by_role("link", name="Mindmaps"),
    )
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Ideas")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Ideas")).to_be_visible()
    expect(page.get_by_text(re.compile("^Connected$"))).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Outline"))
    page.keyboard.press("Enter")
    tree = page.get_by_role("tree")
    tab_to(page, tree.locator("[tabindex='0']"))
    page.keyboard.press("Insert")
    title = tree.get_by_role("textbox", name="Title")
    expect(title).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Launch plan")
    page.keyboard.press("Enter")
    item = tree.get_by_role("treeitem", name=re.compile("Launch plan"))
    expect(item).to_be_focused()
    page.keyboard.press("F2")
    expect(title).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Launch plan v2")
    page.keyboard.press("Enter")
    expect(tree.get_by_role("treeitem", name=re.compile("Launch plan v2"))).to_be_focused()

    # A todo: add it, then move it to my column from its menu.
    tab_to(
        page, page.get_by_role("navigation", name="Team sections").get_by_role("link", name="Todos")
    )
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("New todo"))
    page.keyboard.type("Book a room")
    page.keyboard.press("Enter")
    card = page.locator(".todo-card", has_text="Book a room")
    expect(card).to_be_visible()
    tab_to(page, card.locator("summary"))
    page.keyboard.press("Enter")
    tab_to(page, card.get_by_label("Move to"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(card.get_by_label("Move to")).to_have_value(re.compile(r"^\d+$"))
    tab_to(page, card.get_by_role("button", name="Move", exact=True))
    page.keyboard.press("Enter")
    mine = page.locator("[data-column='member']")
    expect(mine.get_by_text("Book a room", exact=True)).to_be_visible()
