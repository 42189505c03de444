"""purge_unconfirmed_accounts: only old accounts that never confirmed an e-mail go."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from teammoa_site.accounts.services import deactivate_account
from tests.accounts_support import make_user

pytestmark = pytest.mark.django_db


def _age(user, days: float) -> None:
    joined = timezone.now() - datetime.timedelta(days=days)
    get_user_model().objects.filter(pk=user.pk).update(date_joined=joined)


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_unconfirmed_accounts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def accounts():
    """One account of every kind, all 30 days old unless said otherwise."""
    made = {
        "unconfirmed": make_user("unconfirmed", "u@example.com", verified=False),
        "no-email": make_user("no-email", None, nickname="NoMail"),
        "confirmed": make_user("confirmed", "c@example.com"),
        "young": make_user("young", "y@example.com", verified=False),
        "deactivated": make_user("deactivated", "d@example.com", verified=False),
        "disabled": make_user("disabled", "x@example.com", verified=False, is_active=False),
        "staff": make_user("staff", "s@example.com", verified=False, is_staff=True),
        "superuser": make_user("superuser", "r@example.com", verified=False, is_superuser=True),
        "social": make_user("social", "g@example.com", verified=False, password=None),
    }
    SocialAccount.objects.create(user=made["social"], provider="google", uid="g-1")
    deactivate_account(made["deactivated"])
    for name, user in made.items():
        _age(user, 2 if name == "young" else 30)
    return made


def _remaining() -> set[int]:
    return set(get_user_model().objects.values_list("pk", flat=True))


def test_only_old_unconfirmed_accounts_are_deleted(accounts):
    output = _purge("--days", "7")

    gone = {name for name, user in accounts.items() if user.pk not in _remaining()}
    assert gone == {"unconfirmed", "no-email"}
    assert "Deleted 2" in output


def test_a_dry_run_lists_the_names_and_deletes_nothing(accounts):
    before = _remaining()

    output = _purge("--days", "7", "--dry-run")

    assert _remaining() == before
    listed = set(output.splitlines()[:-1])
    assert listed == {"unconfirmed", "no-email"}
    assert output.splitlines()[-1].startswith("2 ")


def test_the_age_counts(accounts):
    _purge("--days", "3")
    assert accounts["young"].pk in _remaining()

    _purge("--days", "1")
    assert accounts["young"].pk not in _remaining()
    assert accounts["confirmed"].pk in _remaining()


def test_the_default_age_comes_from_the_settings(settings):
    settings.TEAMMOA_UNCONFIRMED_ACCOUNT_DAYS = 7
    old = make_user("old", "old@example.com", verified=False)
    recent = make_user("recent", "recent@example.com", verified=False)
    _age(old, 8)
    _age(recent, 6)

    _purge()

    assert _remaining() == {recent.pk}


@pytest.mark.parametrize("days", ["0", "-3"])
def test_days_below_one_is_an_error(accounts, days):
    before = _remaining()

    with pytest.raises(CommandError, match="at least 1"):
        _purge("--days", days)

    assert _remaining() == before
