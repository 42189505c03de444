"""Domain errors: one code per kind, a default message, field errors for bad input."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from teammoa.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, RateLimited

KINDS = [
    (NotFound, "not_found", "Not found."),
    (Forbidden, "forbidden", "You do not have permission to do this."),
    (Conflict, "conflict", "This conflicts with the current state."),
    (Invalid, "invalid", "Invalid input."),
    (RateLimited, "rate_limited", "Too many attempts. Try again later."),
]


@pytest.mark.parametrize(("kind", "code", "message"), KINDS)
def test_each_kind_has_its_code_and_default_message(kind, code, message):
    error = kind()

    assert isinstance(error, DomainError)
    assert error.code == code
    assert str(error.message) == message
    assert str(error) == message


def test_codes_are_distinct():
    codes = [kind.code for kind, _code, _message in KINDS]
    assert len(set(codes)) == len(codes)
    assert DomainError.code not in codes


@pytest.mark.parametrize(("kind", "code", "message"), KINDS)
def test_a_custom_message_replaces_the_default(kind, code, message):
    error = kind(message="Team 7 is full.")

    assert error.message == "Team 7 is full."
    assert str(error) == "Team 7 is full."
    assert error.code == code


def test_caught_as_a_domain_error():
    with pytest.raises(DomainError) as caught:
        raise Forbidden("Only the host may do this.")

    assert caught.value.code == "forbidden"
    assert caught.value.message == "Only the host may do this."


def test_invalid_carries_field_errors_as_strings():
    error = Invalid({"name": [_("Too long."), "Taken."], "password": ["Wrong."]})

    assert error.errors == {"name": ["Too long.", "Taken."], "password": ["Wrong."]}
    assert all(isinstance(m, str) for messages in error.errors.values() for m in messages)
    assert str(error) == "Invalid input."


def test_invalid_without_field_errors_has_an_empty_mapping():
    assert Invalid().errors == {}


def test_invalid_field_shortcut():
    error = Invalid.field("invite_code", "No team has this code.")

    assert isinstance(error, Invalid)
    assert error.errors == {"invite_code": ["No team has this code."]}
    assert error.code == "invalid"


def test_invalid_does_not_share_the_callers_mapping():
    messages = {"name": ["Too long."]}
    error = Invalid(messages)
    messages["name"].append("later")

    assert error.errors == {"name": ["Too long."]}


def test_rate_limited_carries_retry_after():
    assert RateLimited(retry_after=120).retry_after == 120
    assert RateLimited().retry_after is None
    assert RateLimited("Slow down.", retry_after=5).message == "Slow down."


def test_default_messages_are_translatable():
    # Lazy: the message is translated in the language active when it is rendered.
    error = NotFound()
    with translation.override("en"):
        assert str(error.message) == "Not found."
    assert isinstance(error.message, Promise)
