"""Username rules: ASCII letters, digits, '.', '_' and '-', 3 to 150 characters."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150

ascii_username_validator = RegexValidator(
    r"\A[A-Za-z0-9._-]+\Z",
    _("Use only English letters, digits and the characters . _ -"),
    code="invalid_username",
)

# allauth reads this list through ACCOUNT_USERNAME_VALIDATORS.
username_validators = [
    ascii_username_validator,
    MinLengthValidator(USERNAME_MIN_LENGTH),
    MaxLengthValidator(USERNAME_MAX_LENGTH),
]
