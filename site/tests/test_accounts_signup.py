"""Sign-up: the account works only after the e-mail link is confirmed; bad input is refused."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from tests.accounts_support import (
    PASSWORD,
    Page,
    link_in_last_mail,
    log_in,
    logged_in_user_id,
    make_user,
)

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
VALID = {
    "username": "Newbie.dev-1",
    "email": "Newbie@Example.COM",
    "nickname": "새내기 🚀",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_sign_up_sends_a_confirmation_and_login_waits_for_it(client):
    response = client.post(SIGNUP_URL, VALID)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get()
    assert user.username == "newbie.dev-1"  # usernames are kept lower-case
    assert user.email == "newbie@example.com"
    assert user.nickname == "새내기 🚀"
    assert user.check_password(PASSWORD)
    assert not EmailAddress.objects.get(user=user).verified
    assert logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@example.com"]
    assert mail.outbox[0].subject.startswith("[TeamMoa] ")
    confirm_path = link_in_last_mail("/accounts/confirm-email/")

    # Not yet: the correct password leads to "confirm your e-mail", not into the site.
    response = log_in(client, "newbie.dev-1")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user_id(client) is None

    # The link shows a confirmation page; its button (a POST) confirms.
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert Page(page.content).find_all("form", method="post")
    assert not EmailAddress.objects.get(user=user).verified  # a GET changes nothing
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = log_in(client, "newbie.dev-1")
    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    assert logged_in_user_id(client) == str(user.pk)


def test_confirming_in_the_signing_up_browser_signs_in_and_lands_on_my_teams(client):
    client.post(SIGNUP_URL, VALID)
    confirm_path = link_in_last_mail("/accounts/confirm-email/")

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    user = get_user_model().objects.get()
    assert logged_in_user_id(client) == str(user.pk)


def test_a_confirmation_link_opened_elsewhere_confirms_but_signs_no_one_in(client):
    client.post(SIGNUP_URL, VALID)
    confirm_path = link_in_last_mail("/accounts/confirm-email/")
    elsewhere = type(client)()

    response = elsewhere.post(confirm_path)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified
    assert logged_in_user_id(elsewhere) is None


def test_a_confirmation_link_works_once(client):
    client.post(SIGNUP_URL, VALID)
    confirm_path = link_in_last_mail("/accounts/confirm-email/")
    assert client.post(confirm_path).status_code == 302

    again = client.post(confirm_path)
    assert again.status_code == 404
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "expired or is invalid" in page.content.decode()
    assert not Page(page.content).find_all("form", action=confirm_path)


def test_a_made_up_confirmation_key_confirms_nothing(client):
    client.post(SIGNUP_URL, VALID)
    assert client.post("/accounts/confirm-email/not-a-real-key/").status_code == 404
    assert not EmailAddress.objects.filter(verified=True).exists()


def _signup_with(**changes: str | None) -> dict[str, str]:
    data = {**VALID, **changes}
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("username", _signup_with(username="홍길동"), "Use only English letters"),
        ("username", _signup_with(username="two words"), "Use only English letters"),
        ("username", _signup_with(username="ab"), "at least 3 characters"),
        ("username", _signup_with(username="a" * 151), "at most 150 characters"),
        ("username", _signup_with(username=""), "This field is required."),
        ("username", _signup_with(username="deleted-10"), "reserved for deactivated"),
        ("username", _signup_with(username="Deleted-1"), "reserved for deactivated"),
        ("email", _signup_with(email="not-an-address"), "Enter a valid email address."),
        ("email", _signup_with(email="two@@example.com"), "Enter a valid email address."),
        ("nickname", _signup_with(nickname="x"), "at least 2 characters"),
        ("nickname", _signup_with(nickname="x" * 21), "at most 20 characters"),
        ("nickname", _signup_with(nickname=None), "This field is required."),
        ("nickname", _signup_with(nickname="   "), "This field is required."),
        (
            "password1",
            _signup_with(password1="password123", password2="password123"),
            "too common",
        ),
        ("password1", _signup_with(password1="short", password2="short"), "too short"),
        (
            "password1",
            _signup_with(password1="58203917465", password2="58203917465"),
            "entirely numeric",
        ),
        ("password2", _signup_with(password2=PASSWORD + "x"), "same password"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_bad_sign_up_input_is_shown_beside_the_field_and_creates_nothing(
    client, field, data, message
):
    make_user("existing", "existing@example.com")
    users_before = get_user_model().objects.count()

    response = client.post(SIGNUP_URL, data)

    assert response.status_code == 200
    assert message in Page(response.content).field_error(field)
    assert get_user_model().objects.count() == users_before
    assert mail.outbox == []


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
def test_a_taken_username_is_refused_whatever_its_case(client, taken):
    make_user("alice", "alice@example.com")
    users_before = get_user_model().objects.count()

    response = client.post(SIGNUP_URL, _signup_with(username=taken))

    assert "already exists" in Page(response.content).field_error("username")
    assert get_user_model().objects.count() == users_before


def test_a_username_made_with_capitals_elsewhere_is_still_taken(client):
    # createsuperuser and the admin keep the case they are given; sign-up must still refuse
    # the same name in other letters (MySQL's collation would fail the insert otherwise).
    get_user_model().objects.create_user("Carol", "carol@example.com", PASSWORD)
    users_before = get_user_model().objects.count()

    response = client.post(SIGNUP_URL, _signup_with(username="carol"))

    assert "already exists" in Page(response.content).field_error("username")
    assert get_user_model().objects.count() == users_before


def test_a_taken_email_in_other_letters_creates_nothing_and_reveals_nothing(client):
    """allauth prevents account enumeration: the page looks like a normal sign-up.

    The owner of the address gets an "account already exists" e-mail instead, and no
    second account is made.
    """
    owner = make_user("alice", "alice@example.com")
    users_before = get_user_model().objects.count()

    response = client.post(SIGNUP_URL, _signup_with(email="ALICE@Example.com"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert get_user_model().objects.count() == users_before
    assert not get_user_model().objects.filter(username="newbie.dev-1").exists()
    assert EmailAddress.objects.filter(email__iexact="alice@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert "already" in mail.outbox[0].subject.lower()


def test_sign_up_page_shows_the_rules_beside_each_field(client):
    page = Page(client.get(SIGNUP_URL).content)

    for name in ("username", "nickname", "password1"):
        control = page.by_id(f"id_{name}")
        help_block = page.by_id(f"id_{name}_helptext")
        assert help_block is not None, name
        assert f"id_{name}_helptext" in control.attrs["aria-describedby"].split()
    assert "English letters" in page.by_id("id_username_helptext").text
    assert "2–20" in page.by_id("id_nickname_helptext").text
    assert page.unlabelled_controls() == []
