"""Username rules: ASCII letters, digits, '.', '_' and '-', 3 to 150 characters.

Names starting with ``deleted-`` are reserved for deactivated accounts, which are renamed
``deleted-<id>``: a person who could sign up as ``deleted-10`` could block user 10's
deactivation (the unique index would refuse the rename).
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150
# Lower-case: usernames are stored lower-case, and the check below ignores case.
DEACTIVATED_USERNAME_PREFIX = "deleted-"

ascii_username_validator = RegexValidator(
    r"\A[A-Za-z0-9._-]+\Z",
    _("Use only English letters, digits and the characters . _ -"),
    code="invalid_username",
)

reserved_username_validator = RegexValidator(
    r"\A(?i:deleted-)",
    _("Usernames starting with “deleted-” are reserved for deactivated accounts."),
    code="reserved_username",
    inverse_match=True,
)

# allauth reads this list through ACCOUNT_USERNAME_VALIDATORS; the model field uses it too,
# so the admin and createsuperuser refuse the same names.
username_validators = [
    ascii_username_validator,
    reserved_username_validator,
    MinLengthValidator(USERNAME_MIN_LENGTH),
    MaxLengthValidator(USERNAME_MAX_LENGTH),
]
