"""A team disbanded while a member has its todo board open (exploratory testing, #11):
the page said "You are no longer a member of this team." (the team was gone, not the
membership) and a todo typed afterwards was lost without a word. Now the socket closes
with 4404, the page says the team was disbanded, and the refused write is shown."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_disbanded_team_says_so_and_a_later_write_shows_its_error(browsers, people, teams):
    team = teams["doomed"]
    board = f"/teams/{team.id}/todos/"
    woojin, monitor = browsers.open(people["woojin"], lang="ko")
    ivy, _ = browsers.open(people["ivy"])
    woojin.goto(board)
    expect(woojin.locator("html")).to_have_attribute("data-team-live", "connected")

    ivy.goto(f"/teams/{team.id}/disband/")
    ivy.get_by_role("button", name="Disband team").click()
    expect(ivy).to_have_url(re.compile(r"/teams/$"))

    expect(woojin.locator("html")).to_have_attribute("data-team-live", "gone")
    note = woojin.locator("#team-live-note")
    expect(note).to_have_text("이 팀은 해체되었습니다.")
    woojin.wait_for_timeout(8500)  # the teammates' notes fade after 8 s; this one stays
    expect(note).to_have_text("이 팀은 해체되었습니다.")

    # A todo typed now is refused (the team is gone): the page says so where it is seen.
    monitor.expect(404, rf"/api/v1/teams/{team.id}/todos/$")
    woojin.get_by_label("새 할 일").fill("Book a room")
    woojin.get_by_label("새 할 일").press("Enter")
    error = woojin.locator("#tm-error-note")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_text("이 팀은 해체되었습니다. 여기서는 더 이상 바꿀 수 없습니다.")
    expect(error).to_be_visible()
