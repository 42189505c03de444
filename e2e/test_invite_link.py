"""The invite link (issue 15, "Onboarding and language"): one link is enough to join; the
host ends every link by making a new code; a new team shows its invite card first on a
phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import world
from support.stack import Stack, on_stack


@pytest.fixture(scope="module")
def invite_world(stack: Stack) -> tuple[dict[str, world.Person], dict[str, world.Team]]:
    return world.make(
        stack,
        [("dahye", "Dahye"), ("joon", "Joon"), ("late", "Late")],
        {"links": {"title": "Link Club", "host": "dahye", "members": []}},
    )


def test_a_new_team_on_a_phone_shows_the_invite_card_first(browsers, invite_world):
    people, _ = invite_world
    page, _ = browsers.open(people["dahye"], lang="ko", viewport="phone")
    page.goto("/teams/new/")
    page.get_by_label("팀 이름").fill("폰으로 만든 팀")
    page.get_by_label("참여 비밀번호").fill("phone-pass-77")
    page.get_by_role("button", name="팀 만들기").click()
    card = page.locator("#invite")
    expect(card).to_be_in_viewport()
    expect(card.get_by_label("초대 링크")).to_be_in_viewport()
    card_top = card.bounding_box()["y"]
    milestones_top = page.locator("#milestones").bounding_box()["y"]
    assert card_top < milestones_top
    expect(card).to_contain_text("비밀번호 없이 참여할 수 있습니다")


def test_one_link_joins_and_a_new_code_ends_it(browsers, invite_world):
    people, teams = invite_world
    team = teams["links"]
    host, _ = browsers.open(people["dahye"])
    host.goto(f"/teams/{team.id}/")
    old_link = host.get_by_label("Invite link").input_value()
    assert re.search(r"/teams/join/[^/]+/$", old_link)

    joon, _ = browsers.open(people["joon"])
    joon.goto(on_stack(old_link))
    joon.get_by_role("button", name="Join team").click()
    expect(joon.get_by_role("heading", name="Link Club", level=1)).to_be_visible()
    expect(joon.get_by_role("status")).to_contain_text("Welcome to Link Club!")

    # The host makes a new code: every link sent so far stops working.
    host.once("dialog", lambda dialog: dialog.accept())
    host.get_by_role("button", name="Make a new invite code and link").click()
    expect(host.get_by_role("status")).to_contain_text("no longer work")
    new_link = host.get_by_label("Invite link").input_value()
    assert new_link != old_link

    late, late_monitor = browsers.open(people["late"])
    late_monitor.expect(400, r"/teams/join/[^/]+/$")
    late.goto(on_stack(old_link))
    expect(late.get_by_role("heading", name="This invite link does not work")).to_be_visible()
    expect(late.get_by_role("alert")).to_have_text(
        "This invite link no longer works. Ask the host for a new one."
    )
    late.get_by_role("link", name="Join with a code").click()
    expect(late.get_by_label("Invite code")).to_be_visible()
    late.goto(on_stack(new_link))
    late.get_by_role("button", name="Join team").click()
    expect(late.get_by_role("heading", name="Link Club", level=1)).to_be_visible()
