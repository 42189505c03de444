"""Journey 8: import a calendar into a painted week, by keyboard: the page shows what will
change, saves it only when asked, and undoes it (SPEC section 9, issues 9 and 14)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

CALENDAR = (
    Path(__file__).resolve().parents[1]
    / "packages/teammoa-schedule/tests/data/class-and-tentative.ics"
)
WEEK = "2026-W48"  # the calendar's weekly class and its tentative meeting fall in it


def cell(page: Page, date: str, hour: int):
    return page.locator(f"[data-my-grid] td[data-date='{date}'][data-hour='{hour}']")


def test_import_previews_saves_and_undoes_by_keyboard(browsers, people, teams):
    team = teams["moa"]
    page, _ = browsers.open(people["seo"])
    page.goto(f"/teams/{team.id}/schedule/?week={WEEK}")

    # Paint Monday 09-12 and the evening 19-22 free, through the page's own API client.
    days = [
        {"date": f"2026-11-{n}", "available": [9, 10, 11, 12, 19, 20, 21, 22], "if_needed": []}
        for n in range(23, 30)
    ]
    page.evaluate(
        """async ([url, days]) => {
            const { api } = await import("/static/teammoa_core/js/api.js");
            await api(url, { method: "PUT", body: { week: "2026-W48", days } });
        }""",
        [f"/api/v1/teams/{team.id}/schedule/me/?week={WEEK}", days],
    )
    page.reload()
    expect(cell(page, "2026-11-23", 9)).to_have_attribute("data-state", "free")

    # Open the import with the keyboard and choose the file (the one step a file dialog does).
    summary = page.get_by_text("Import from a calendar (.ics)")
    summary.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Calendar file").set_input_files(str(CALENDAR))
    page.get_by_role("button", name="Preview the import").focus()
    page.keyboard.press("Enter")

    # The preview: focus on its heading, the changes listed and outlined, nothing saved.
    heading = page.get_by_role("heading", name="Changes to your week")
    expect(heading).to_be_focused()
    preview = page.locator("[data-import-preview]")
    expect(preview).to_contain_text("6 hours")
    expect(preview.get_by_role("listitem")).to_have_count(3)
    expect(cell(page, "2026-11-23", 9)).to_have_class("cell cell--free is-import-change")
    expect(cell(page, "2026-11-23", 9)).to_have_attribute("data-state", "free")

    # Escape cancels: nothing changes.
    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()
    expect(page.locator("[data-my-grid] .is-import-change")).to_have_count(0)

    # Preview again and save.
    page.get_by_role("button", name="Preview the import").focus()
    page.keyboard.press("Enter")
    expect(heading).to_be_focused()
    page.keyboard.press("Tab")  # the list holds nothing to focus: next is the save button
    expect(page.get_by_role("button", name="Save these changes")).to_be_focused()
    page.keyboard.press("Enter")
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(page.locator("[data-import-done]")).to_contain_text("6 hours changed")
    # The class made Monday 9 and 10 busy; the evenings stayed; the tentative meeting
    # made Friday 11 and 12 "if needed".
    expect(cell(page, "2026-11-23", 9)).to_have_attribute("data-state", "busy")
    expect(cell(page, "2026-11-23", 20)).to_have_attribute("data-state", "free")
    expect(cell(page, "2026-11-27", 11)).to_have_attribute("data-state", "if_needed")

    # Undo puts the week back as it was, saved.
    page.keyboard.press("Enter")
    expect(page.locator("[data-import-done]")).to_be_hidden()
    expect(cell(page, "2026-11-23", 9)).to_have_attribute("data-state", "free")
    expect(cell(page, "2026-11-27", 11)).to_have_attribute("data-state", "free")
    page.reload()
    expect(cell(page, "2026-11-23", 9)).to_have_attribute("data-state", "free")
    expect(cell(page, "2026-11-23", 20)).to_have_attribute("data-state", "free")
