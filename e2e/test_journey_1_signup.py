"""Journey 1: sign up, confirm the e-mail from the outbox, arrive signed in on "My teams",
create a team, copy the invite."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from playwright.sync_api import expect
from support.stack import Stack, on_stack, wait_until


def _mails_to(outbox: Path, address: str) -> list[Message]:
    mails = [message_from_bytes(path.read_bytes()) for path in sorted(outbox.glob("*.log"))]
    return [mail for mail in mails if address in (mail["To"] or "")]


def _body(mail: Message) -> str:
    if mail.is_multipart():
        for part in mail.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return mail.get_payload(decode=True).decode(mail.get_content_charset() or "utf-8")


def test_sign_up_confirm_create_a_team_and_copy_the_invite(stack: Stack, browsers, base_url):
    page, _ = browsers.open(permissions=["clipboard-read", "clipboard-write"])
    address = "minji@example.com"

    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("minji")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Nickname").fill("Minji")
    page.get_by_label("Password", exact=True).fill("correct-Horse-42")
    page.get_by_label("Password (again)").fill("correct-Horse-42")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name=re.compile("Verify your email", re.I))).to_be_visible()

    (mail,) = wait_until(lambda: _mails_to(stack.outbox, address), 10, "the confirmation mail")
    body = _body(mail)
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert links, body
    # Greeted by nickname, from TeamMoa (not the server's address), the link on its own line.
    lines = body.splitlines()
    assert lines[0] == "Hello Minji,", body
    assert "— TeamMoa" in lines and links[0] in lines, body
    page.goto(on_stack(links[0]))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{base_url}/teams/")
    expect(page.get_by_role("heading", name="My teams", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Minji")
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in as Minji.")

    page.get_by_role("link", name="Create a team").first.click()
    page.get_by_label("Team name").fill("Capstone Crew")
    page.get_by_label("Join password").fill("crew-pass-77")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", name="Capstone Crew", level=1)).to_be_visible()

    invite_link = page.get_by_label("Invite link").input_value()
    code = page.get_by_label("Invite code").input_value()
    assert code and "/teams/join/" in invite_link
    page.locator("#invite").get_by_role("button", name="Copy").first.click()
    expect(page.locator("#invite").get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == invite_link
