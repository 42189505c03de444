"""allauth adapter: sign-up can be closed from the environment; e-mail is stored lower-case."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from teammoa_site.accounts.models import normalize_email_address


class AccountAdapter(DefaultAccountAdapter):
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
