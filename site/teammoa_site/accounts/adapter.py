"""allauth adapter: sign-up can be closed from the environment; e-mail is stored lower-case;
failed logins are counted per account, whichever of its names was typed."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from teammoa_site.accounts.models import normalize_email_address


def login_attempts_key(login: str) -> str:
    """The account a login names (``user:<id>``), else the login itself, normalised.

    Counting by what was typed let an attacker alternate a username and its e-mail
    address and get the per-account allowance twice.
    """
    login = " ".join(str(login).split()).lower()
    if not login:
        return ""
    users = get_user_model().objects
    if "@" in login:  # the username alphabet has no "@"
        pk = users.filter(email=normalize_email_address(login)).values_list("pk", flat=True).first()
        if pk is None:
            pk = (
                EmailAddress.objects.filter(email__iexact=login)
                .values_list("user_id", flat=True)
                .first()
            )
    else:
        pk = users.filter(username__iexact=login).values_list("pk", flat=True).first()
    return f"user:{pk}" if pk is not None else f"login:{login}"


def user_display(user: Any) -> str:
    """How allauth names a person ("Signed in as …", e-mail greetings): the nickname their
    teams see, the username only when there is none."""
    return str(getattr(user, "display_name", "") or user.get_username())


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth raises this when the current password typed on the password change form
        # is wrong, but its wording ("Please type your current password.") reads as if
        # none was typed: the site says what the account deactivation form says.
        "enter_current_password": _("This is not your current password."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(settings, "TEAMMOA_SIGNUP_OPEN", True)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        # allauth looks for the lower-cased name only (ACCOUNT_PRESERVE_USERNAME_CASING is
        # off), but names made in the admin or by createsuperuser may keep their capitals.
        if not shallow and get_user_model().objects.filter(username__iexact=username).exists():
            raise self.validation_error("username_taken")
        return username

    def clean_email(self, email: str) -> str:
        return normalize_email_address(super().clean_email(email)) or ""

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the "login_failed" per-key limit (and its reset after a password
        # reset) by this value; tests in test_accounts_login.py pin that it is used.
        login = credentials.get("email", credentials.get("username", "")) or ""
        return f"{get_current_site(request).domain}:{login_attempts_key(login)}"
