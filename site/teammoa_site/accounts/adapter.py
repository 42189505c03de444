"""allauth adapter: sign-up can be closed from the environment; e-mail is stored lower-case."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from teammoa_site.accounts.models import normalize_email_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(settings, "TEAMMOA_SIGNUP_OPEN", True)

    def clean_email(self, email: str) -> str:
        return normalize_email_address(super().clean_email(email)) or ""
