"""Logging in and out, rate limiting, password reset and change, and social login."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from teammoa_site.accounts.services import deactivate_account
from tests.accounts_support import (
    NEW_PASSWORD,
    PASSWORD,
    Page,
    link_in_last_mail,
    log_in,
    logged_in_user_id,
    make_user,
)

SITE_DIR = Path(__file__).resolve().parents[1]
TOO_MANY = "Too many failed login attempts. Try again later."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "login", ["alice", "ALICE", "Alice", "alice@example.com", "Alice@Example.COM"]
)
def test_log_in_by_username_or_email_in_any_case(client, login):
    user = make_user("alice", "alice@example.com")

    response = log_in(client, login)

    assert response.status_code == 302
    assert response["Location"] == "/teams/"  # signed in, a person wants their teams
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("alice", "The username and/or password you specified are not correct."),
        ("alice@example.com", "The email address and/or password you specified are not correct."),
        ("nobody", "The username and/or password you specified are not correct."),
    ],
)
def test_a_wrong_password_is_refused_with_an_alert(client, login, message):
    make_user("alice", "alice@example.com")

    response = client.post("/accounts/login/", {"login": login, "password": "not-it-at-all"})

    assert response.status_code == 200
    page = Page(response.content)
    assert message in page.alert_text()
    assert page.by_id("id_login").attrs["value"] == login  # kept for the next try
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_an_empty_login_form_marks_both_fields(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})

    page = Page(response.content)
    assert "required" in page.field_error("login")
    assert "required" in page.field_error("password")


@pytest.mark.django_db
def test_log_out_takes_a_post(client):
    make_user()
    log_in(client, "alice")

    confirm = client.get("/accounts/logout/")  # a GET only asks
    assert confirm.status_code == 200
    assert logged_in_user_id(client) is not None
    assert Page(confirm.content).find_all("form", action="/accounts/logout/")

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_an_unconfirmed_account_cannot_log_in(client):
    make_user(verified=False)

    response = log_in(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302
    # ... and is sent the confirmation link again.
    assert mail.outbox
    assert mail.outbox[-1].to == ["alice@example.com"]


@pytest.mark.django_db
def test_a_deactivated_account_cannot_log_in(client):
    user = make_user()
    deactivate_account(user)

    for login in ("alice", "alice@example.com", f"deleted-{user.pk}"):
        response = log_in(client, login)
        assert response.status_code == 200, login
        assert "not correct" in Page(response.content).alert_text()
        assert logged_in_user_id(client) is None


def _login_failed_limits() -> dict[str, int]:
    """{"ip": 10, "key": 5} from ACCOUNT_RATE_LIMITS["login_failed"] ("10/5m/ip,5/5m/key")."""
    limits = {}
    for rate in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(","):
        amount, _period, kind = rate.strip().split("/")
        limits[kind] = int(amount)
    return limits


@pytest.mark.django_db
def test_after_too_many_failures_even_the_right_password_is_refused(client):
    limit = _login_failed_limits()["key"]
    user = make_user()
    for _ in range(limit):
        response = client.post("/accounts/login/", {"login": "alice", "password": "guess"})
        assert TOO_MANY not in response.content.decode()

    response = log_in(client, "alice")

    assert response.status_code == 200
    assert TOO_MANY in Page(response.content).alert_text()
    assert logged_in_user_id(client) is None
    # Other accounts are not locked out by one account's failures.
    make_user("bob", "bob@example.com")
    assert log_in(client, "bob").status_code == 302
    assert logged_in_user_id(client) != str(user.pk)


@pytest.mark.django_db
def test_one_failure_short_of_the_limit_the_right_password_still_works(client):
    limit = _login_failed_limits()["key"]
    user = make_user()
    for _ in range(limit - 1):
        client.post("/accounts/login/", {"login": "alice", "password": "guess"})

    response = log_in(client, "alice")

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_failures_from_one_address_across_accounts_are_limited(client):
    limit = _login_failed_limits()["ip"]
    make_user()
    for number in range(limit):
        client.post("/accounts/login/", {"login": f"someone{number}", "password": "guess"})

    response = log_in(client, "alice")

    assert TOO_MANY in Page(response.content).alert_text()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_alternating_the_username_and_the_email_shares_one_allowance(client):
    """The per-account limit counts the account, not what was typed: with the limit
    keyed by the typed login, alternating names gave an attacker twice the guesses."""
    limit = _login_failed_limits()["key"]
    user = make_user()
    names = ["alice", "alice@example.com", "ALICE", "Alice@Example.COM"]
    for number in range(limit):
        client.post("/accounts/login/", {"login": names[number % 4], "password": "guess"})

    for login in names:
        response = log_in(client, login)
        assert TOO_MANY in Page(response.content).alert_text(), login
    assert logged_in_user_id(client) is None
    assert log_in(client, "alice").status_code == 200
    assert logged_in_user_id(client) != str(user.pk)


@pytest.mark.django_db
def test_a_secondary_address_counts_against_the_same_account(client):
    limit = _login_failed_limits()["key"]
    user = make_user()
    EmailAddress.objects.create(user=user, email="work@example.com", verified=True)
    for number in range(limit):
        login = "work@example.com" if number % 2 else "alice"
        client.post("/accounts/login/", {"login": login, "password": "guess"})

    assert TOO_MANY in Page(log_in(client, "alice@example.com").content).alert_text()


@pytest.mark.django_db
def test_failures_for_an_unknown_login_are_counted_by_the_normalised_login(client):
    limit = _login_failed_limits()["key"]
    for number in range(limit):
        login = "nobody" if number % 2 else " NoBody "
        client.post("/accounts/login/", {"login": login, "password": "guess"})

    response = client.post("/accounts/login/", {"login": "NOBODY", "password": "guess"})

    assert TOO_MANY in Page(response.content).alert_text()
    # ... and never lock out an account of another name.
    make_user()
    assert log_in(client, "alice").status_code == 302


@pytest.mark.django_db
def test_a_password_reset_lifts_the_limit_however_the_account_was_named(client):
    limit = _login_failed_limits()["key"]
    make_user()
    for _ in range(limit):
        client.post("/accounts/login/", {"login": "alice", "password": "guess"})
    assert TOO_MANY in Page(log_in(client, "alice").content).alert_text()

    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    form_path = client.get(link_in_last_mail("/accounts/password/reset/key/"))["Location"]
    client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert log_in(client, "alice", NEW_PASSWORD).status_code == 302


# --- the admin's login goes through the same limits ---------------------------------------


def _make_admin():
    return make_user("boss", "boss@example.com", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_the_admin_login_page_sends_visitors_to_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_guessing_at_the_admin_login_never_logs_in(client):
    """12 wrong passwords then the right one, at /admin/login/: before, that was a way in
    with no limit at all."""
    admin_user = _make_admin()
    for _ in range(12):
        client.post("/admin/login/", {"username": "boss", "password": "guess"})

    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert logged_in_user_id(client) != str(admin_user.pk)
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_admin_is_reached_through_the_limited_site_login(client):
    admin_user = _make_admin()
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(12):
        client.post(login_url, {"login": "boss", "password": "guess"})

    refused = client.post(login_url, {"login": "boss", "password": PASSWORD})

    assert TOO_MANY in Page(refused.content).alert_text()
    assert logged_in_user_id(client) is None

    cache.clear()  # the limit's window has passed
    response = client.post(login_url, {"login": "boss", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in_user_id(client) == str(admin_user.pk)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_signed_in_member_without_staff_rights_is_refused_by_the_admin_login(client):
    make_user()
    log_in(client, "alice")

    assert client.get("/admin/login/").status_code == 403


@pytest.mark.django_db
def test_password_reset_by_email(client):
    make_user()

    response = client.post("/accounts/password/reset/", {"email": "ALICE@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    key_path = link_in_last_mail("/accounts/password/reset/key/")

    response = client.get(key_path)  # allauth moves the key out of the URL
    assert response.status_code == 302
    form_path = response["Location"]
    page = client.get(form_path)
    assert page.status_code == 200
    assert Page(page.content).unlabelled_controls() == []

    weak = client.post(form_path, {"password1": "password", "password2": "password"})
    assert "too common" in Page(weak.content).field_error("password1")
    mismatch = client.post(form_path, {"password1": NEW_PASSWORD, "password2": PASSWORD})
    assert "same password" in Page(mismatch.content).field_error("password2")

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    assert log_in(client, "alice", PASSWORD).status_code == 200  # the old one is gone
    assert logged_in_user_id(client) is None
    assert log_in(client, "alice", NEW_PASSWORD).status_code == 302
    assert logged_in_user_id(client) is not None

    # The link was spent with the password it set.
    client.post("/accounts/logout/")
    spent = client.get(key_path, follow=True)
    assert "Bad Token" in spent.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_no_reset_link(client):
    make_user()

    response = client.post("/accounts/password/reset/", {"email": "stranger@example.com"})

    assert response.status_code == 302  # the same answer as for a known address
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_password_change_while_logged_in(client):
    user = make_user()
    log_in(client, "alice")
    assert client.get("/accounts/password/change/").status_code == 200

    wrong = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    # It says the password typed is wrong, not that none was typed (allauth's message).
    assert "This is not your current password." in Page(wrong.content).field_error("oldpassword")
    wrong_ko = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert "현재 비밀번호가 아닙니다." in Page(wrong_ko.content).field_error("oldpassword")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    weak = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "alice", "password2": "alice"},
    )
    assert "too short" in Page(weak.content).field_error("password1")

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # This session stays logged in after the change.
    assert client.get("/accounts/profile/").status_code == 200


def test_password_change_needs_a_login(client, db):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- social login: enabled by environment, decided when settings load ------------------------

_REVERSE = """
import django
django.setup()
from django.urls import NoReverseMatch, reverse
for name in ("google_login", "github_login"):
    try:
        print(name, reverse(name))
    except NoReverseMatch:
        print(name, "-")
"""


def _provider_urls(**env: str) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GOOGLE_", "GITHUB_", "DJANGO_SETTINGS_MODULE"))
    }
    result = subprocess.run(
        [sys.executable, "-c", _REVERSE],
        cwd=SITE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_no_social_login_without_credentials():
    assert _provider_urls() == {"google_login": "-", "github_login": "-"}


def test_google_login_when_its_credentials_are_set():
    urls = _provider_urls(GOOGLE_CLIENT_ID="client-id", GOOGLE_CLIENT_SECRET="client-secret")
    assert urls == {"google_login": "/accounts/google/login/", "github_login": "-"}


def test_a_client_id_without_a_secret_enables_nothing():
    assert _provider_urls(GITHUB_CLIENT_ID="client-id")["github_login"] == "-"


def test_github_login_when_its_credentials_are_set():
    urls = _provider_urls(GITHUB_CLIENT_ID="client-id", GITHUB_CLIENT_SECRET="client-secret")
    assert urls == {"google_login": "-", "github_login": "/accounts/github/login/"}
