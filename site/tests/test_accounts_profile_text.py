"""Nickname and bio through TeamMoa's one text cleaner: any string is either stored and
read back as cleaned, or refused beside its field (issue 9)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from teammoa.core.testing.text import any_text
from teammoa.core.text import check_text
from teammoa_site.accounts.forms import ProfileForm
from teammoa_site.accounts.models import BIO_MAX_LENGTH, NICKNAME_MAX_LENGTH, NICKNAME_MIN_LENGTH
from tests.accounts_support import Page, make_user

pytestmark = pytest.mark.django_db

PROFILE_URL = "/accounts/profile/"
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def user():
    return make_user(nickname="Alice", bio="old bio")


@PROPERTY
@given(nickname=any_text(max_size=30), bio=any_text(max_size=30))
def test_the_profile_stores_what_the_cleaner_keeps_or_names_the_field(user, nickname, bio):
    user.refresh_from_db()
    before = (user.nickname, user.bio)
    form = ProfileForm(data={"nickname": nickname, "bio": bio}, instance=user)
    if not form.is_valid():
        assert set(form.errors) <= {"nickname", "bio"} and form.errors
        user.refresh_from_db()
        assert (user.nickname, user.bio) == before
        return
    form.save()
    user.refresh_from_db()
    assert user.nickname == form.cleaned_data["nickname"]
    assert user.bio == form.cleaned_data["bio"]
    # What was stored passes the rules unchanged: no surrogate, control or bidi override.
    rules = {"max_length": NICKNAME_MAX_LENGTH, "min_length": NICKNAME_MIN_LENGTH}
    assert check_text(user.nickname, **rules) == (user.nickname, None)
    bio_rules = {"max_length": BIO_MAX_LENGTH, "min_length": 0, "multiline": True}
    assert check_text(user.bio, **bio_rules) == (user.bio, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nickname": "Al\x07ice", "bio": ""}, "nickname", "control character U+0007"),
        ({"nickname": "\u202eecilA", "bio": ""}, "nickname", "text-direction control U+202E"),
        ({"nickname": "Alice", "bio": "hi\x1b[31m"}, "bio", "control character U+001B"),
        ({"nickname": "Alice", "bio": "\ufdd0"}, "bio", "U+FDD0, which is not a character"),
        ({"nickname": "Al\u2028ice", "bio": ""}, "nickname", "Line breaks are not allowed"),
    ],
)
def test_hostile_profile_text_is_refused_beside_the_field(client, user, data, field, message):
    client.force_login(user)
    response = client.post(PROFILE_URL, data)
    assert response.status_code == 200
    assert message in Page(response.content).field_error(field)
    user.refresh_from_db()
    assert (user.nickname, user.bio) == ("Alice", "old bio")


def test_a_lone_surrogate_is_refused_by_the_form():
    # A browser cannot send one in a form post (its UTF-8 encoder replaces it), but a
    # form is also called from code: it must refuse, not save.
    form = ProfileForm(data={"nickname": "Al\ud800ice", "bio": "\udfff"})
    assert not form.is_valid()
    assert "unpaired surrogate U+D800" in form.errors["nickname"][0]
    assert "unpaired surrogate U+DFFF" in form.errors["bio"][0]


def test_a_multiline_bio_keeps_its_lines_with_plain_line_feeds(client, user):
    client.force_login(user)
    response = client.post(PROFILE_URL, {"nickname": "Alice", "bio": "one\r\ntwo"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.bio == "one\ntwo"
