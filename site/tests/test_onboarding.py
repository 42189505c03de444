"""Onboarding as a new person meets it: the confirmation e-mail names TeamMoa and puts its
link on a line of its own, greetings use the nickname, and Korean dates and times read as
Koreans write them."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import formats, translation

from tests.accounts_support import PASSWORD, link_in_last_mail, log_in

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "minji",
    "email": "minji@example.com",
    "nickname": "민지",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.mark.parametrize(
    ("language", "hello", "brand"),
    [("en", "Hello 민지,", "— TeamMoa"), ("ko", "민지님, 안녕하세요.", "— TeamMoa 드림")],
)
def test_the_confirmation_mail_greets_by_nickname_and_names_teammoa(client, language, hello, brand):
    client.post("/accounts/signup/", SIGNUP, HTTP_ACCEPT_LANGUAGE=language)

    (message,) = mail.outbox
    lines = message.body.splitlines()
    assert lines[0] == hello
    assert brand in lines
    assert "testserver" not in message.body.replace(link_line(lines), "")
    assert message.subject.startswith("[TeamMoa] ")
    # The link alone on its line: a mail program makes all of it clickable.
    assert re.fullmatch(r"https?://testserver/accounts/confirm-email/\S+/", link_line(lines))


def link_line(lines: list[str]) -> str:
    (line,) = [line for line in lines if "/accounts/confirm-email/" in line]
    return line


def test_confirming_signs_in_and_greets_by_nickname_on_my_teams(client):
    client.post("/accounts/signup/", SIGNUP)
    response = client.post(link_in_last_mail("/accounts/confirm-email/"), follow=True)

    assert response.redirect_chain[-1][0] == "/teams/"
    html = response.content.decode()
    assert "Successfully signed in as 민지." in html
    assert "signed in as minji" not in html


def test_a_password_login_greets_by_nickname(client):
    client.post("/accounts/signup/", SIGNUP)
    client.post(link_in_last_mail("/accounts/confirm-email/"))
    client.post("/accounts/logout/")
    response = log_in(client, "minji")
    page = client.get(response["Location"]).content.decode()
    assert "Successfully signed in as 민지." in page


def test_the_password_reset_mail_names_teammoa(client):
    client.post("/accounts/signup/", SIGNUP)
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": "minji@example.com"})

    (message,) = mail.outbox
    lines = message.body.splitlines()
    assert lines[0] == "Hello 민지,"
    assert "— TeamMoa" in lines
    assert "Hello from" not in message.body and "Thank you for using" not in message.body
    assert any(
        re.fullmatch(r"https?://testserver/accounts/password/reset/key/\S+", line) for line in lines
    )


def test_korean_dates_and_times():
    moment = datetime.datetime(2026, 12, 7, 15, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))
    with translation.override("ko"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2026년 12월 7일 오후 3:05"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026. 12. 7. 오후 3:05"
        assert formats.time_format(moment.time()) == "오후 3:05"
        assert formats.date_format(moment, "DATE_FORMAT") == "2026년 12월 7일"
    with translation.override("en"):
        assert formats.date_format(moment, "DATE_FORMAT") == "Dec. 7, 2026"


def test_allauth_messages_shown_in_korean_write_no_particle_in_both_forms():
    """allauth's Korean catalog writes "을(를)", "(으)로", "이(가)", "%(email)s 으로" and
    "로그인 하세요"; the site's catalog (which wins) rephrases every such message
    (teammoa_site/accounts/allauth_messages.py)."""
    from pathlib import Path

    import allauth
    import polib

    double = re.compile(
        r"\((?:을|를|이|가|은|는|과|와|으|아|야)\)"
        # a particle spaced off the value before it: "%(email)s 으로", "{email} 을"
        r"|(?:%\(\w+\)[sd]|\{\w+\}|%s)\s+(?:으로|로|을|를|이|가|은|는|과|와|의)(?!\w)"
        # "로그인 하세요", "로그인 되었습니다": one word in Korean
        r"|로그인 [하되]"
    )
    catalog = Path(allauth.__file__).parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    affected = [
        entry
        for entry in polib.pofile(str(catalog))
        if not entry.obsolete and not entry.msgid_plural and double.search(entry.msgstr)
    ]
    assert affected, "allauth's Korean catalog changed: check this test still tests something"
    with translation.override("ko"):
        shown = {entry.msgid: translation.gettext(entry.msgid) for entry in affected}
    assert {msgid: text for msgid, text in shown.items() if double.search(text)} == {}


def test_a_newcomer_with_an_invite_link_signs_up_and_lands_on_the_join_page(client):
    """The link survives sign-up: log-in page → its sign-up link → confirmation → the
    team's join page, one button from membership."""
    from teammoa.core import services
    from teammoa.core.testing.factories import make_team

    team = make_team(title="Rocket crew")
    host = team.memberships.get().user
    page = f"/teams/join/{services.invite_link(host, team.pk).token}/"

    login_page = client.get(client.get(page)["Location"]).content.decode()
    (signup,) = re.findall(r'href="(/accounts/signup/\?next=[^"]+)"', login_page)
    response = client.post(signup.replace("&amp;", "&"), SIGNUP)
    assert response["Location"] == "/accounts/confirm-email/"
    response = client.post(link_in_last_mail("/accounts/confirm-email/"))
    assert response["Location"] == page
    assert "Join Rocket crew" in client.get(page).content.decode()
    assert client.post(page)["Location"] == f"/teams/{team.pk}/"
