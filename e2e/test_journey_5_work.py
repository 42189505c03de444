"""Journey 5: milestones and todos: create, edit a todo's text, drag it to a member,
complete it; the milestone's progress moves on the team home."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def drag(page: Page, source: Locator, target: Locator) -> None:
    """A mouse drag with intermediate moves, as a hand makes it."""
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
    page.mouse.down()
    x, y = end["x"] + end["width"] / 2, end["y"] + min(end["height"] / 2, 60)
    page.mouse.move(x, y, steps=12)
    page.mouse.up()


def column(page: Page, name: str) -> Locator:
    return page.locator("[data-column]").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{re.escape(name)}"))
    )


def settled(page: Page) -> None:
    """The board is done with its requests (a drag or a menu action) and re-read."""
    expect(page.locator("[data-todo-board]")).to_have_attribute("aria-busy", "false")


def test_milestone_todos_edit_drag_complete_and_progress(browsers, people, teams):
    team = teams["moa"]
    page, _ = browsers.open(people["yuna"])
    page.goto(f"/teams/{team.id}/")

    page.get_by_label("Title").fill("Prototype")
    page.get_by_role("button", name="Add milestone").click()
    timeline = page.locator("[data-timeline]")
    expect(timeline.locator(".timeline__title")).to_have_text("Prototype")
    expect(
        timeline.get_by_role("link", name=re.compile(r"^Prototype: .*, 0% done$"))
    ).to_be_visible()

    page.get_by_role("link", name="Todos").click()
    for text in ("Sketch the screens", "Write the API"):
        page.get_by_label("New todo").fill(text)
        page.get_by_label("Milestone", exact=True).last.select_option(label="Prototype")
        page.get_by_role("button", name="Add todo").click()
        expect(column(page, "Unassigned").get_by_text(text, exact=True)).to_be_visible()

    # Edit the text in place, from the card's menu.
    card = page.locator(".todo-card", has_text="Sketch the screens")
    card.locator("summary").click()
    card.get_by_label("Text").fill("Sketch the login screens")
    card.get_by_role("button", name="Save").click()
    settled(page)
    expect(page.locator(".todo-card", has_text="Sketch the login screens")).to_be_visible()
    expect(page.get_by_text("Sketch the screens", exact=True)).to_have_count(0)

    # Drag it to Minho's column.
    card = page.locator(".todo-card", has_text="Sketch the login screens")
    drag(page, card, column(page, "Minho"))
    settled(page)
    expect(
        column(page, "Minho").get_by_text("Sketch the login screens", exact=True)
    ).to_be_visible()
    expect(column(page, "Minho").locator("[data-count]")).to_have_text("1")

    # Complete it from its menu.
    card = column(page, "Minho").locator(".todo-card", has_text="Sketch the login screens")
    card.locator("summary").click()
    card.get_by_role("button", name="Mark done").click()
    settled(page)
    expect(column(page, "Done").get_by_text("Sketch the login screens", exact=True)).to_be_visible()

    # One of the milestone's two todos is done: the team home shows 50 %.
    page.goto(f"/teams/{team.id}/")
    bar = page.locator("[data-timeline]").get_by_role("link", name=re.compile("^Prototype: "))
    expect(bar).to_have_accessible_name(re.compile(r", 50% done$"))
