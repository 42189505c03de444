"""Deactivation: leave every team, anonymise, keep the row, end every session."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from teammoa.core import services as teams
from teammoa.core.models import Membership, Team
from teammoa.core.models import display_name as team_display_name
from teammoa_site.accounts.services import (
    deactivate_account,
    register_deactivation_hook,
    unregister_deactivation_hook,
)
from tests.accounts_support import PASSWORD, Page, log_in, logged_in_user_id, make_user

DEACTIVATE_URL = "/accounts/deactivate/"


@pytest.fixture
def hook():
    """Register a deactivation hook for one test only."""
    registered = []

    def register(function):
        register_deactivation_hook(function)
        registered.append(function)
        return function

    yield register
    for function in registered:
        unregister_deactivation_hook(function)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DEACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_page_explains_what_happens(client):
    client.force_login(make_user())

    page = Page(client.get(DEACTIVATE_URL).content)

    text = page.by_id("main").text
    assert "leave every team" in text
    assert "anonymised" in text
    assert "deleted user" in text
    buttons = page.find_all("button", type="submit")
    assert any("button--danger" in b.classes() for b in buttons)
    assert page.unlabelled_controls() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "not-my-password", "confirm": "on"}, "password", "not your current"),
        ({"password": "", "confirm": "on"}, "password", "required"),
        ({"password": PASSWORD}, "confirm", "required"),
    ],
)
def test_a_wrong_password_or_no_confirmation_changes_nothing(client, data, field, message):
    user = make_user()
    Token.objects.create(user=user)
    log_in(client, "alice")

    response = client.post(DEACTIVATE_URL, data)

    assert response.status_code == 200
    assert message in Page(response.content).field_error(field)
    user.refresh_from_db()
    assert user.username == "alice"
    assert user.email == "alice@example.com"
    assert user.is_active
    assert user.deactivated_at is None
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user).exists()
    assert Token.objects.filter(user=user).exists()
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_deactivation_anonymises_the_account_and_keeps_the_row(client):
    user = make_user(bio="I like graphs.", first_name="Alice", last_name="Kim")
    Token.objects.create(user=user)
    SocialAccount.objects.create(user=user, provider="github", uid="12345")
    log_in(client, "alice")
    other_device = type(client)()
    log_in(other_device, "alice@example.com")
    assert other_device.get("/accounts/profile/").status_code == 200

    response = client.post(DEACTIVATE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(pk=user.pk)  # the row is still there
    assert user.username == f"deleted-{user.pk}"
    assert user.email is None
    assert (user.nickname, user.bio, user.first_name, user.last_name) == ("", "", "", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not user.check_password(PASSWORD)
    assert user.deactivated_at is not None
    assert user.display_name == "deleted user"
    assert str(user) == "deleted user"
    assert team_display_name(user) == "deleted user"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(email="alice@example.com").exists()
    assert not Token.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    # This session and every other one are over.
    assert logged_in_user_id(client) is None
    assert other_device.get("/accounts/profile/").status_code == 302
    assert not other_device.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_the_freed_username_and_email_can_sign_up_again(client):
    user = make_user()
    deactivate_account(user)

    fresh = make_user("alice", "alice@example.com")

    assert fresh.pk != user.pk
    assert get_user_model().objects.count() == 2


@pytest.mark.django_db
def test_deactivating_twice_changes_nothing_more(client):
    user = make_user()
    first = deactivate_account(user)

    second = deactivate_account(user)

    assert second.deactivated_at == first.deactivated_at
    assert second.username == f"deleted-{user.pk}"


@pytest.mark.django_db
def test_deactivation_leaves_every_team_with_host_succession():
    alice = make_user()
    bob = make_user("bob", "bob@example.com", nickname="Bob")
    shared = teams.create_team(alice, title="Shared", password="join-me")
    alone = teams.create_team(alice, title="Only Alice", password="join-me")
    teams.join_team(bob, shared.invite_code, "join-me")

    deactivate_account(alice)

    assert not Membership.objects.filter(user=alice).exists()
    assert not Team.objects.filter(pk=alone.pk).exists()
    assert Membership.objects.get(team=shared, user=bob).role == "host"


@pytest.mark.django_db
def test_a_deactivation_hook_sees_the_user_before_anonymisation(hook):
    seen = []
    hook(lambda user: seen.append((user.username, user.email)))
    user = make_user()

    deactivate_account(user)

    assert seen == [("alice", "alice@example.com")]


@pytest.mark.django_db(transaction=True)
def test_a_deactivation_hook_runs_inside_the_transaction(hook):
    """A failing hook undoes everything, its own writes included."""
    user = make_user()
    in_transaction = []

    @hook
    def fail_after_writing(hooked_user):
        in_transaction.append(connection.in_atomic_block)
        type(hooked_user).objects.filter(pk=hooked_user.pk).update(first_name="written")
        raise RuntimeError("the hook failed")

    with pytest.raises(RuntimeError):
        deactivate_account(user)

    assert in_transaction == [True]  # no test transaction around it: this one is its own
    user.refresh_from_db()
    assert user.first_name == ""
    assert user.username == "alice"
    assert user.is_active
    assert user.deactivated_at is None
    assert EmailAddress.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_account_without_a_password_confirms_with_the_checkbox_alone(client):
    user = make_user("social", "social@example.com", password=None)
    SocialAccount.objects.create(user=user, provider="google", uid="g-7")
    client.force_login(user)

    page = Page(client.get(DEACTIVATE_URL).content)
    assert page.by_id("id_password") is None
    refused = client.post(DEACTIVATE_URL, {})
    assert "required" in Page(refused.content).field_error("confirm")
    user.refresh_from_db()
    assert user.deactivated_at is None

    assert client.post(DEACTIVATE_URL, {"confirm": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.deactivated_at is not None
    assert not SocialAccount.objects.filter(user=user).exists()


# --- the reserved "deleted-" names ------------------------------------------------------------


@pytest.mark.django_db
def test_an_older_account_holding_the_anonymised_name_cannot_block_deactivation(client):
    """Before the prefix was reserved anyone could sign up as ``deleted-<id>`` of another
    account; that account's deactivation then failed on the unique index (a 500)."""
    user = make_user()
    squatter = make_user("squatter", "squatter@example.com", nickname="Squatter")
    # As an account made before the reservation: the row exists, whatever validators say.
    get_user_model().objects.filter(pk=squatter.pk).update(username=f"deleted-{user.pk}")
    log_in(client, "alice")

    response = client.post(DEACTIVATE_URL, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_deactivated
    assert not user.is_active
    assert user.username.startswith(f"deleted-{user.pk}-")
    assert user.username != f"deleted-{user.pk}"
    squatter.refresh_from_db()
    assert squatter.username == f"deleted-{user.pk}"  # left as it was
    assert squatter.is_active


@pytest.mark.django_db
def test_a_squatter_in_capitals_cannot_block_deactivation_either():
    user = make_user()
    squatter = make_user("squatter", "squatter@example.com", nickname="Squatter")
    get_user_model().objects.filter(pk=squatter.pk).update(username=f"DELETED-{user.pk}")

    deactivate_account(user)

    user.refresh_from_db()
    assert user.is_deactivated
    assert user.username.lower() != f"deleted-{user.pk}"


@pytest.mark.django_db
def test_the_admin_can_still_edit_a_deactivated_account(admin_client):
    user = deactivate_account(make_user())

    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert page.status_code == 200
    assert Page(page.content).by_id("id_username") is None  # shown, not editable
