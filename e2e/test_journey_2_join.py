"""Journey 2: three more people join (by the link alone, by code and password); a wrong
code or password says the attempt failed without revealing which part; everyone sees
everyone."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from support.stack import on_stack
from support.world import TEAM_PASSWORD

WRONG = "The invite code or the password is wrong."


def _join(page: Page, code: str | None, password: str) -> None:
    if code is not None:
        page.get_by_label("Invite code").fill(code)
    page.get_by_label("Join password").fill(password)
    page.get_by_role("button", name="Join team").click()


def test_three_people_join_and_everyone_sees_everyone(browsers, people, teams):
    team = teams["newcomers"]
    host, _ = browsers.open(people["hana"])
    host.goto(f"/teams/{team.id}/")
    invite_link = host.get_by_label("Invite link").input_value()
    code = host.get_by_label("Invite code").input_value()

    # Jun follows the link: it is enough, no code or password to type.
    jun, _ = browsers.open(people["jun"])
    jun.goto(on_stack(invite_link))
    expect(jun.get_by_role("heading", name="Join Newcomers")).to_be_visible()
    expect(jun.get_by_label("Join password")).to_have_count(0)
    jun.get_by_role("button", name="Join team").click()
    expect(jun.get_by_role("heading", name="Newcomers", level=1)).to_be_visible()
    expect(jun.get_by_role("status")).to_contain_text("Welcome to Newcomers!")

    # Sora types the code and the password on "Join a team".
    sora, _ = browsers.open(people["sora"])
    sora.goto("/teams/")
    sora.get_by_role("link", name="Join a team").first.click()
    _join(sora, code, TEAM_PASSWORD)
    expect(sora.get_by_role("heading", name="Newcomers", level=1)).to_be_visible()

    # Tae gets the code wrong, then the password: the same message both times, so the
    # page never tells which part was right.
    tae, tae_monitor = browsers.open(people["tae"])
    tae_monitor.expect(400, r"/teams/join/$")
    tae.goto("/teams/join/")
    _join(tae, code[:-1] + ("2" if code[-1] != "2" else "3"), TEAM_PASSWORD)
    alert = tae.get_by_role("alert")
    expect(alert).to_have_text(WRONG)
    _join(tae, code, "not-the-password")
    expect(alert).to_have_text(WRONG)
    expect(tae.get_by_label("Join password")).to_have_value("")
    _join(tae, code, TEAM_PASSWORD)
    expect(tae.get_by_role("heading", name="Newcomers", level=1)).to_be_visible()

    names = ["Hana", "Jun", "Sora", "Tae"]
    for page in (host, jun, sora, tae):
        page.goto(f"/teams/{team.id}/")
        members = page.get_by_role("region", name="Members", exact=True).get_by_role("listitem")
        expect(members).to_have_count(4)
        for name in names:
            expect(members.filter(has_text=name)).to_have_count(1)
        expect(page.get_by_text("4 members of 10")).to_be_visible()
