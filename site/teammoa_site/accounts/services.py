"""Account rules: deactivation with anonymisation, and purging unconfirmed accounts."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from teammoa_site.accounts.models import User
from teammoa_site.accounts.validators import DEACTIVATED_USERNAME_PREFIX

# Called with the user inside the deactivation transaction, before anonymisation, so
# installed apps can let the user leave what they belong to (teams, with host succession).
DeactivationHook = Callable[[User], None]
_deactivation_hooks: list[DeactivationHook] = []


def register_deactivation_hook(hook: DeactivationHook) -> None:
    if hook not in _deactivation_hooks:
        _deactivation_hooks.append(hook)


def unregister_deactivation_hook(hook: DeactivationHook) -> None:
    if hook in _deactivation_hooks:
        _deactivation_hooks.remove(hook)


def anonymised_username(user: User) -> str:
    """``deleted-<id>``, or with a random suffix when an older account already holds it.

    The prefix is reserved at sign-up, so only accounts made before the reservation (or
    by hand in the database) can hold such a name; deactivation must still never fail.
    """
    candidate = f"{DEACTIVATED_USERNAME_PREFIX}{user.pk}"
    others = get_user_model().objects.exclude(pk=user.pk)
    while others.filter(username__iexact=candidate).exists():
        candidate = f"{DEACTIVATED_USERNAME_PREFIX}{user.pk}-{secrets.token_hex(6)}"
    return candidate


@transaction.atomic
def deactivate_account(user: User) -> User:
    """Leave everything, anonymise personal data and disable the login; keep the row."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.is_deactivated:
        return user
    for hook in _deactivation_hooks:
        hook(user)
    EmailAddress.objects.filter(user=user).delete()
    from allauth.socialaccount.models import SocialAccount
    from rest_framework.authtoken.models import Token

    SocialAccount.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    user.username = anonymised_username(user)
    user.email = None
    user.nickname = ""
    user.first_name = ""
    user.last_name = ""
    user.bio = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new (unusable) password hash invalidates every session of the account.
    user.set_unusable_password()
    user.deactivated_at = timezone.now()
    user.save()
    return user


def unconfirmed_accounts(days: int, now: datetime.datetime | None = None) -> QuerySet[User]:
    """Accounts older than ``days`` that never confirmed an e-mail address.

    Deactivated, admin-disabled (inactive), staff and social-login accounts are kept.
    """
    from allauth.socialaccount.models import SocialAccount

    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    social = SocialAccount.objects.filter(user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(
            date_joined__lt=cutoff,
            is_active=True,
            deactivated_at__isnull=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(Exists(verified))
        .exclude(Exists(social))
    )


@transaction.atomic
def purge_unconfirmed_accounts(days: int) -> int:
    """Delete the accounts :func:`unconfirmed_accounts` finds; return how many."""
    ids = list(unconfirmed_accounts(days).values_list("pk", flat=True))
    get_user_model().objects.filter(pk__in=ids).delete()
    return len(ids)
