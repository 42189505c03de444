"""Journey 5: milestones and todos: create, edit a todo's text, drag it to a member,
complete it; the milestone's progress moves on the team home."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import Locator, Page, expect
from support.browser import axe_violations, describe


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


def test_details_due_dates_the_done_box_the_menu_and_the_timeline(browsers, people, teams):
    """Issue 15: the add-milestone panel stays open for the next one; a bar too short for
    its title shows it beside the bar; a todo takes a description and a due date (overdue
    shown), a checkbox completes it, its text is edited in place; the card menu floats at
    its own width, so the Korean labels fit."""
    team = teams["desk"]
    page, _ = browsers.open(people["dana"])
    page.goto(f"/teams/{team.id}/")

    today = datetime.date.today()
    page.get_by_label("Title").fill("Launch")
    page.get_by_label("Start date").fill((today - datetime.timedelta(days=3)).isoformat())
    page.get_by_label("End date").fill((today + datetime.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Add milestone").click()
    panel = page.locator("#add-milestone")
    expect(panel).to_have_attribute("open", "")
    expect(page.get_by_label("Title")).to_have_value("")
    page.get_by_label("Title").fill("QA pass before the launch")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill(today.isoformat())
    page.get_by_role("button", name="Add milestone").click()
    expect(panel).to_have_attribute("open", "")

    timeline = page.locator("[data-timeline]")
    short = timeline.get_by_role("link", name=re.compile("^QA pass before the launch: "))
    expect(short).to_have_attribute("title", re.compile("^QA pass before the launch "))
    beside = timeline.locator("[data-outside-label]:visible")
    expect(beside).to_have_text(["QA pass before the launch"])
    bar_box, label_box = short.bounding_box(), beside.bounding_box()
    assert bar_box and label_box
    assert label_box["x"] >= bar_box["x"] + bar_box["width"] or (
        label_box["x"] + label_box["width"] <= bar_box["x"]
    )
    # The long bar has room for its own title: nothing beside it.
    expect(timeline.locator(".timeline__bar:not(.is-cramped) .timeline__bar-text")).to_have_text(
        ["Launch"]
    )

    # A todo with a description and a due date that has passed.
    page.get_by_role("link", name="Todos").click()
    page.get_by_label("New todo").fill("Book the venue")
    page.get_by_text("Description and due date").click()
    page.get_by_label("Description (optional)").fill("Call two places first")
    page.get_by_label("Due date (optional)").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add todo").click()
    card = column(page, "Unassigned").locator(".todo-card", has_text="Book the venue")
    expect(card).to_contain_text("Call two places first")
    expect(card.locator(".due--overdue")).to_contain_text("Overdue")

    # Edit the text in place, from the card.
    card.locator("summary").click()
    card.get_by_label("Text").fill("Book the venue for 30")
    card.get_by_role("button", name="Save").click()
    settled(page)
    card = column(page, "Unassigned").locator(".todo-card", has_text="Book the venue for 30")
    expect(card).to_be_visible()

    # One click on the box: done.
    card.get_by_role("checkbox", name=re.compile("^Done: ")).click()
    settled(page)
    done = column(page, "Done").locator(".todo-card", has_text="Book the venue for 30")
    expect(done.get_by_role("checkbox")).to_have_attribute("aria-checked", "true")
    expect(done.locator(".due--overdue")).to_have_count(0)  # done is never overdue

    # In Korean, on a phone and on a desktop, the open menu is wide enough for its labels.
    for viewport, text in (("desktop", "발표 자료 만들기"), ("phone", "회의실 예약하기")):
        korean, _ = browsers.open(people["dana"], lang="ko", viewport=viewport)
        korean.goto(f"/teams/{team.id}/todos/")
        korean.get_by_label("새 할 일").fill(text)
        korean.get_by_role("button", name="할 일 추가").click()
        item = korean.locator(".todo-card", has_text=text)
        item.locator("summary").click()
        menu = item.locator(".menu__panel")
        expect(menu).to_be_visible()
        box = menu.bounding_box()
        width = korean.viewport_size["width"]
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
        clipped = menu.evaluate(
            "m => [...m.querySelectorAll('button, select, label:not(.visually-hidden)')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"
        )
        assert clipped == [], clipped
        korean.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        assert not axe_violations(korean), describe(axe_violations(korean))
