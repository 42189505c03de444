"""Journey 3: each paints availability (mouse drag, touch drag, keyboard); the heatmap and
the best slots show the overlap; the chosen slot is downloaded as a valid .ics.
(Importing a calendar into a painted week is journey 8.)"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

# Far ahead: a slot never starts in the past, and this journey must not expire.
WEEK = "2031-W05"
MONDAY = "2031-01-27"


def my_cell(page: Page, hour: int):
    return page.locator(f"[data-my-grid] td[data-date='{MONDAY}'][data-hour='{hour}']")


def centre(page: Page, hour: int) -> tuple[float, float]:
    box = my_cell(page, hour).bounding_box()
    assert box
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def saved(page: Page) -> None:
    expect(page.locator("[data-save-status]")).to_have_attribute("data-state", "saved")


def free_hours(page: Page) -> list[int]:
    return [
        int(hour)
        for hour in page.locator(
            f"[data-my-grid] td[data-date='{MONDAY}'][data-state='free']"
        ).evaluate_all("els => els.map(e => e.dataset.hour)")
    ]


def test_paint_three_ways_find_the_overlap_and_download_it(browsers, people, teams):
    team = teams["moa"]
    url = f"/teams/{team.id}/schedule/?week={WEEK}"

    # Yuna drags with the mouse from 10:00 to 13:00.
    yuna, _ = browsers.open(people["yuna"])
    yuna.goto(url)
    # Both ends of the drag on screen: the grid may start low on the page.
    my_cell(yuna, 13).scroll_into_view_if_needed()
    my_cell(yuna, 10).scroll_into_view_if_needed()
    yuna.mouse.move(*centre(yuna, 10))
    yuna.mouse.down()
    yuna.mouse.move(*centre(yuna, 13), steps=6)
    yuna.mouse.up()
    saved(yuna)
    assert free_hours(yuna) == [10, 11, 12, 13]

    # Minho drags with a finger on a phone, from 11:00 to 14:00.
    minho, _ = browsers.open(people["minho"], viewport="phone", has_touch=True, is_mobile=True)
    minho.goto(url)
    my_cell(minho, 14).scroll_into_view_if_needed()
    my_cell(minho, 11).scroll_into_view_if_needed()
    touch = minho.context.new_cdp_session(minho)
    (x0, y0), (x1, y1) = centre(minho, 11), centre(minho, 14)
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for step in range(1, 7):
        y = y0 + (y1 - y0) * step / 6
        touch.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x1, "y": y}]}
        )
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    saved(minho)
    assert free_hours(minho) == [11, 12, 13, 14]

    # Seo uses the keyboard: Space on 11:00, then Shift+Down twice.
    seo, _ = browsers.open(people["seo"])
    seo.goto(url)
    my_cell(seo, 11).focus()
    seo.keyboard.press("Space")
    seo.keyboard.press("Shift+ArrowDown")
    seo.keyboard.press("Shift+ArrowDown")
    saved(seo)
    assert free_hours(seo) == [11, 12, 13]

    # Everyone's view: 11:00 to 14:00 has three of the four; it is the best slot.
    yuna.reload()
    heat = yuna.locator(f"[data-heatmap] td[data-date='{MONDAY}'][data-hour='11']")
    expect(heat).to_have_attribute("aria-label", re.compile(r": 3 of 4 free, 0 if needed"))
    first = yuna.locator("[data-best-slots] .slot").first
    expect(first).to_contain_text("11:00–14:00")
    expect(first).to_contain_text("3 of 4 can come")

    with yuna.expect_download() as download:
        first.get_by_role("link", name="Add to calendar").click()
    raw = Path(download.value.path()).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5545 lines
    ics = raw.decode()
    assert download.value.suggested_filename.endswith(".ics")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert ics.rstrip().endswith("END:VCALENDAR")
    assert re.search(r"DTSTART(;TZID=Asia/Seoul)?:20310127T110000", ics), ics
    assert re.search(r"DTEND(;TZID=Asia/Seoul)?:20310127T140000", ics), ics
    assert ics.count("BEGIN:VEVENT") == 1
