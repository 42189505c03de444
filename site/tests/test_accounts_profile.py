"""The profile page: nickname and bio, validated beside each field."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tests.accounts_support import Page, make_user

pytestmark = pytest.mark.django_db

PROFILE_URL = "/accounts/profile/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"
    assert client.post(PROFILE_URL, {"nickname": "Mallory", "bio": ""}).status_code == 302


def test_edit_nickname_and_bio(client):
    user = make_user()
    client.force_login(user)

    response = client.post(PROFILE_URL, {"nickname": "  Alice   K. ", "bio": "Backend, coffee."})

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    user.refresh_from_db()
    assert user.nickname == "Alice K."  # runs of spaces collapse
    assert user.bio == "Backend, coffee."
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your profile was saved."]
    page = Page(client.get(PROFILE_URL).content)
    assert page.by_id("id_nickname").attrs["value"] == "Alice K."
    assert page.by_id("id_bio").text == "Backend, coffee."


@pytest.mark.parametrize("nickname", ["김철수", "🚀🚀", "팀장🚀", "Zoë ✨"])
def test_korean_and_emoji_nicknames_round_trip(client, nickname):
    user = make_user()
    client.force_login(user)

    response = client.post(PROFILE_URL, {"nickname": nickname, "bio": "안녕하세요 👋"})
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.nickname == nickname
    assert user.bio == "안녕하세요 👋"
    assert user.display_name == nickname
    page = client.get(PROFILE_URL).content.decode()
    assert f'value="{nickname}"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nickname": "K", "bio": "new bio"}, "nickname", "at least 2 characters"),
        ({"nickname": "N" * 21, "bio": "new bio"}, "nickname", "at most 20 characters"),
        ({"nickname": "", "bio": "new bio"}, "nickname", "This field is required."),
        ({"nickname": "Alice K.", "bio": "b" * 301}, "bio", "at most 300 characters"),
    ],
)
def test_bad_profile_input_is_shown_beside_the_field_and_nothing_is_saved(
    client, data, field, message
):
    user = make_user(nickname="Alice", bio="old bio")
    client.force_login(user)

    response = client.post(PROFILE_URL, data)

    assert response.status_code == 200
    page = Page(response.content)
    assert message in page.field_error(field)
    assert "Please correct" in page.alert_text()
    user.refresh_from_db()
    assert (user.nickname, user.bio) == ("Alice", "old bio")


def test_a_bio_of_exactly_300_characters_is_kept(client):
    user = make_user()
    client.force_login(user)

    assert client.post(PROFILE_URL, {"nickname": "Alice", "bio": "b" * 300}).status_code == 302

    user.refresh_from_db()
    assert len(user.bio) == 300


def test_the_profile_links_to_the_other_account_pages(client):
    user = make_user()
    client.force_login(user)

    page = Page(client.get(PROFILE_URL).content)

    links = {a.attrs.get("href") for a in page.find_all("a")}
    assert {"/accounts/password/change/", "/accounts/email/", "/accounts/deactivate/"} <= links


@pytest.mark.django_db
def test_usernames_are_stored_lower_case_so_case_duplicates_cannot_exist():
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    model = get_user_model()
    model.objects.create_user(
        "Bob", email="bob@example.com", password="x-pass-1234", nickname="Bob"
    )
    assert model.objects.get().username == "bob"
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create_user(
            "BOB", email="b2@example.com", password="x-pass-1234", nickname="B2"
        )
