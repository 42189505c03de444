"""The site's user: a username, a unique e-mail, a nickname shown in teams and a short bio."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from teammoa_site.accounts.validators import USERNAME_MAX_LENGTH, username_validators

NICKNAME_MIN_LENGTH = 2
NICKNAME_MAX_LENGTH = 20
BIO_MAX_LENGTH = 300


def normalize_email_address(email: str | None) -> str | None:
    """Lower-case and strip an address; blank becomes ``None`` so it never collides."""
    email = (email or "").strip().lower()
    return email or None


class TeamMoaUserManager(UserManager):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        validators=username_validators,
        help_text=_("3–150 characters: English letters, digits and . _ -"),
        error_messages={"unique": _("A user with that username already exists.")},
    )
    # Stored lower-case, so the unique index makes addresses unique case-insensitively on
    # every database; NULL (not "") for accounts without one, e.g. deactivated ones.
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    nickname = models.CharField(
        _("nickname"),
        max_length=NICKNAME_MAX_LENGTH,
        validators=[MinLengthValidator(NICKNAME_MIN_LENGTH)],
        help_text=_("2–20 characters, shown to your teams."),
    )
    bio = models.CharField(_("short bio"), max_length=BIO_MAX_LENGTH, blank=True)
    deactivated_at = models.DateTimeField(
        _("deactivated at"), null=True, blank=True, editable=False
    )

    objects = TeamMoaUserManager()

    REQUIRED_FIELDS = ["email", "nickname"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs) -> None:
        # Usernames are case-insensitive: stored lower-case, the unique index holds on
        # every backend (MariaDB has no functional indexes for a Lower() constraint).
        self.username = (self.username or "").lower()
        self.email = normalize_email_address(self.email)
        super().save(*args, **kwargs)

    @property
    def is_deactivated(self) -> bool:
        return self.deactivated_at is not None

    @property
    def display_name(self) -> str:
        if self.is_deactivated:
            return str(_("deleted user"))
        return self.nickname or self.username

    def __str__(self) -> str:
        return self.display_name
