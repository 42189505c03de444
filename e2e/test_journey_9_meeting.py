"""Journey 9: a found time becomes the team's meeting; everyone sees it, downloads it and
subscribes to it; the host sets the hours the grid shows so evenings fit at 1366 by 768
(issue 14)."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

import icalendar
from playwright.sync_api import Page, expect

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def next_week() -> tuple[str, datetime.date]:
    """Next week's ISO code and its Tuesday: always ahead, so the meeting is upcoming."""
    day = datetime.date.today() + datetime.timedelta(days=7)
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}", datetime.date.fromisocalendar(year, week, 2)


def paint(page: Page, team_id: int, week: str, days: list[dict]) -> None:
    page.evaluate(
        """async ([url, week, days]) => {
            const { api } = await import("/static/teammoa_core/js/api.js");
            await api(url, { method: "PUT", body: { week, days } });
        }""",
        [f"/api/v1/teams/{team_id}/schedule/me/?week={week}", week, days],
    )


def test_a_best_slot_becomes_the_teams_meeting(browsers, people, teams):
    team = teams["meetup"]
    week, tuesday = next_week()
    host, _ = browsers.open(people["dami"])
    member, _ = browsers.open(people["eun"])
    evening = [{"date": tuesday.isoformat(), "available": [19, 20], "if_needed": []}]
    for page in (host, member):
        page.goto(f"/teams/{team.id}/schedule/?week={week}")
        paint(page, team.id, week, evening)
    host.reload()
    # The teammate waits on the team home: the meeting must appear there by itself.
    member.goto(f"/teams/{team.id}/")
    panel = member.locator("#meetings")
    expect(panel).to_contain_text("No meeting planned yet")
    expect(member.locator("[data-team-panel='meetings']")).to_have_count(1)

    # The best slot is Tuesday 19–21; "Meet then" opens the form filled with it.
    label = f"{tuesday:%a} {tuesday.day} {tuesday:%b}"
    slot = host.locator("[data-best-slots] .slot").first
    expect(slot).to_contain_text(f"{label} 19:00–21:00")
    slot.get_by_role("button", name="Meet then").click()
    title = host.get_by_label("Title")
    expect(title).to_be_focused()
    expect(host.get_by_label("Date")).to_have_value(tuesday.isoformat())
    expect(host.get_by_label("Starts")).to_have_value("19:00")
    expect(host.get_by_label("Ends")).to_have_value("21:00")
    title.fill("Sprint review")
    host.get_by_label("Place").fill("Library room 3")
    host.get_by_label("Video call link").fill("https://meet.example.com/moa")
    host.get_by_role("button", name="Confirm the meeting").click()
    meeting = host.locator("[data-meeting-list] .meeting").first
    expect(meeting).to_contain_text("Sprint review")
    expect(meeting).to_contain_text(f"{label} 19:00–21:00")
    # Focus moves to the new meeting (its first link: the video call).
    expect(meeting.get_by_role("link", name="Join link")).to_be_focused()

    # Its hours are framed on the heatmap, and the tooltip names it.
    heat = host.locator(f"[data-heatmap] td[data-date='{tuesday.isoformat()}'][data-hour='19']")
    expect(heat).to_have_class(re.compile(r"heat--meeting"))
    heat.hover()
    expect(host.locator("[data-heat-tooltip]")).to_contain_text("Meeting: Sprint review")
    expect(host.locator("[data-heat-tooltip]")).to_contain_text("Can come: Dami, Eun")

    # The teammate sees it on the team home within a second, without a reload, and is
    # told who did it; then downloads it.
    expect(member.locator("#meetings")).to_contain_text("Sprint review", timeout=1000)
    expect(member.locator("#team-live-note")).to_contain_text("Dami scheduled a meeting.")
    panel = member.locator("#meetings")
    expect(panel).to_contain_text(f"{label} 19:00–21:00")
    with member.expect_download() as download:
        panel.get_by_role("link", name="Add to calendar").first.click()
    data = Path(download.value.path()).read_bytes()
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.datetime.combine(tuesday, datetime.time(19), SEOUL)
    assert event["dtstart"].params["TZID"] == "Asia/Seoul"

    # The teammate subscribes: the private address serves the meeting in the team's zone.
    member.goto(f"/teams/{team.id}/schedule/?week={week}")
    member.get_by_role("button", name="Get my calendar address").click()
    address = member.get_by_label("Calendar address")
    expect(address).to_be_focused()
    url = address.input_value()
    assert f"/teams/{team.id}/calendar/" in url
    feed = member.context.request.get(url)
    found = {str(e["summary"]): e for e in icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")}
    assert found["Sprint review"]["dtstart"].params["TZID"] == "Asia/Seoul"

    # Moving it (by the teammate) moves it in the feed.
    row = member.locator("[data-meeting-list] .meeting", has_text="Sprint review")
    row.get_by_role("button", name="Move or edit").click()
    member.get_by_label("Starts").fill("18:00")
    member.get_by_role("button", name="Save the meeting").click()
    expect(row).to_contain_text("18:00–21:00")
    moved = icalendar.Calendar.from_ical(member.context.request.get(url).body())
    (event,) = [e for e in moved.walk("VEVENT") if str(e["summary"]) == "Sprint review"]
    assert event.decoded("dtstart").hour == 18


def test_the_host_sets_the_hours_shown_and_evenings_fit(browsers, people, teams):
    team = teams["meetup"]
    page, _ = browsers.open(people["dami"])
    page.goto(f"/teams/{team.id}/schedule/?week=2030-W10")
    row = lambda hour: page.locator(f"[data-my-grid] tbody tr:nth-child({hour + 1})")  # noqa: E731
    page.locator("summary", has_text="Change the hours shown").click()
    page.get_by_label("From").select_option("8")
    page.get_by_label("Until").select_option("24")
    page.get_by_role("button", name="Save for the team").click()
    expect(page.locator("[data-hours-label]")).to_contain_text("08:00–24:00")
    expect(row(7)).to_be_hidden()
    expect(row(23)).to_be_visible()

    # The skip link lands on the grid, and 08:00 to 23:00 fit on the screen at 1366 by 768.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to my week's grid")
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#my-grid")).to_be_focused()
    for hour in (8, 23):
        box = row(hour).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, (hour, box)

    # A member sees the same hours and can show all 24 for themself.
    member, _ = browsers.open(people["eun"])
    member.goto(f"/teams/{team.id}/schedule/?week=2030-W10")
    expect(member.locator("[data-my-grid] tbody tr:nth-child(8)")).to_be_hidden()
    member.get_by_role("button", name="Show all 24 hours").click()
    expect(member.locator("[data-my-grid] tbody tr:nth-child(8)")).to_be_visible()
    expect(member.get_by_text("Change the hours shown")).to_have_count(0)

    # Back to the default for the other journeys.
    page.locator("summary", has_text="Change the hours shown").click()
    page.get_by_role("button", name="Use the painted hours").click()
    expect(page.locator("[data-hours-label]")).to_contain_text("08:00–22:00")


def test_clear_week_asks_first_and_undoes_and_phones_get_the_grid_first(browsers, people, teams):
    team = teams["meetup"]
    week = "2030-W11"
    page, _ = browsers.open(people["eun"])
    page.goto(f"/teams/{team.id}/schedule/?week={week}")
    paint(page, team.id, week, [{"date": "2030-03-12", "available": [10, 11], "if_needed": [12]}])
    page.reload()
    cell = page.locator("[data-my-grid] td[data-date='2030-03-12'][data-hour='10']")
    expect(cell).to_have_attribute("data-state", "free")

    # Asked first: keeping it changes nothing.
    clear = page.get_by_role("button", name="Clear week")
    clear.click()
    expect(page.get_by_text("Clear every hour you painted this week?")).to_be_visible()
    expect(page.get_by_role("button", name="Clear the week")).to_be_focused()
    page.keyboard.press("Escape")
    expect(clear).to_be_focused()
    expect(cell).to_have_attribute("data-state", "free")

    # Cleared, saved, then undone and saved again.
    clear.click()
    page.get_by_role("button", name="Clear the week").click()
    expect(cell).to_have_attribute("data-state", "busy")
    expect(page.locator("[data-save-status]")).to_have_attribute("data-state", "saved")
    page.get_by_role("button", name="Undo").click()
    expect(cell).to_have_attribute("data-state", "free")
    expect(page.locator("[data-save-status]")).to_have_attribute("data-state", "saved")
    # The save refreshes the heatmap (and the team socket echoes it): let that finish
    # before reloading, or the reload aborts it.
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(cell).to_have_attribute("data-state", "free")
    expect(
        page.locator("[data-my-grid] td[data-date='2030-03-12'][data-hour='12']")
    ).to_have_attribute("data-state", "if_needed")

    # On a phone the grid comes before the brushes, and the keyboard help is not shown.
    phone, _ = browsers.open(people["eun"], viewport="phone", has_touch=True, is_mobile=True)
    phone.goto(f"/teams/{team.id}/schedule/?week={week}")
    grid = phone.locator("#my-grid").bounding_box()
    brushes = phone.locator("[data-brush]").bounding_box()
    assert grid and brushes and grid["y"] < brushes["y"]
    expect(phone.locator(".schedule__keys")).to_be_hidden()
