"""The one text cleaner: what a stored text may hold, and how each refusal is worded."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from teammoa.core.errors import Invalid
from teammoa.core.testing.text import HOSTILE_TEXT, any_text
from teammoa.core.text import (
    check_text,
    clean_text,
    clean_text_into,
    comparison_key,
    displayable_text,
)


def refusal(value, **rules):
    rules = {"field": "title", "max_length": 20, **rules}
    with pytest.raises(Invalid) as caught:
        clean_text(value, **rules)
    assert list(caught.value.errors) == [rules["field"]]
    (message,) = caught.value.errors[rules["field"]]
    return message


@pytest.mark.parametrize("value", [None, 1, 1.5, True, ["a"], {"a": 1}, b"bytes"])
def test_only_strings_are_text(value):
    assert refusal(value) == "A string is required."


@pytest.mark.parametrize(
    ("value", "code"),
    [("\ud800", "U+D800"), ("ok\udfffok", "U+DFFF"), ("\ud83d\ude00", "U+D83D")],
)
def test_unpaired_surrogates_are_refused_by_code_point(value, code):
    assert refusal(value) == (
        f"This text is not valid Unicode (it holds the unpaired surrogate {code})."
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *[("a\x00", "U+0000"), ("\x07", "U+0007"), ("\x1b[31m", "U+001B"), ("x\x7f", "U+007F")],
        *[("c1\x85", "U+0085"), ("\x9f", "U+009F"), ("\x0b", "U+000B"), ("\x0c", "U+000C")],
    ],
)
def test_control_characters_are_refused_by_code_point(value, code):
    message = f"This text holds the control character {code}, which is not allowed."
    assert refusal(value) == message
    assert refusal(value, multiline=True) == message


@pytest.mark.parametrize("char", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
def test_bidi_embeddings_overrides_and_isolates_are_refused(char):
    assert refusal(f"abc{char}def").startswith(
        f"This text holds the text-direction control U+{ord(char):04X}"
    )


@pytest.mark.parametrize("value", ["עברית", "العربية", "a\u200fb", "a\u200eb", "a\u061cb"])
def test_right_to_left_text_and_marks_are_kept(value):
    assert clean_text(value, field="title", max_length=20) == value


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe"])
def test_noncharacters_are_refused(char):
    assert refusal(f"a{char}") == (
        f"This text holds U+{ord(char):04X}, which is not a character. Remove it and try again."
    )


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "a\u2028b", "a\u2029b"])
def test_a_single_line_field_refuses_line_breaks(value):
    assert refusal(value) == "Line breaks are not allowed here."


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "a\u2028b", "a\u2029b"])
def test_a_multiline_field_normalises_line_breaks_to_line_feeds(value):
    assert clean_text(value, field="body", max_length=20, multiline=True) == "a\nb"


def test_tabs_are_allowed_inside_and_blanks_are_stripped():
    assert clean_text(" \t a\tb \u3000", field="title", max_length=20) == "a\tb"
    assert clean_text("  a  ", field="title", max_length=20, strip=False) == "  a  "


def test_length_is_counted_after_stripping_in_code_points():
    assert clean_text("  " + "😀" * 5 + "  ", field="title", max_length=5) == "😀" * 5
    assert refusal("x" * 21) == "Use at most 20 characters (this has 21)."
    assert refusal("   ") == "This cannot be blank."
    assert refusal("", min_length=1) == "This cannot be blank."
    assert refusal(" ab ", min_length=3) == "Use at least 3 characters (this has 2)."
    assert clean_text("  ", field="intro", max_length=5, min_length=0) == ""


def test_the_first_problem_is_named_even_in_a_long_text():
    value = "a" * 10_000 + "\x00" + "\ud800"
    assert refusal(value, max_length=50_000).endswith("U+0000, which is not allowed.")


def test_the_collecting_variant_records_the_message_under_the_field():
    errors: dict[str, list[str]] = {}
    assert clean_text_into(errors, "\ud800", field="title", max_length=5) is None
    assert clean_text_into(errors, " ok ", field="content", max_length=5) == "ok"
    assert list(errors) == ["title"]
    assert "U+D800" in errors["title"][0]


def test_messages_are_translated():
    with translation.override("ko"):
        messages = [
            check_text(value, max_length=3)[1]
            for value in (1, "\ud800", "\x00", "\u202e", "\ufffe", "a\nb", " ", "abcd")
        ]
        messages.append(check_text("ab", max_length=3, min_length=3)[1])
    assert all(message and not message.isascii() for message in messages), messages


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_every_hostile_string_is_cleaned_or_refused(value):
    cleaned, message = check_text(value, max_length=100, multiline=True)
    assert (cleaned is None) != (message is None)


@given(any_text(), st.booleans(), st.booleans())
def test_anything_kept_is_valid_utf8_and_valid_xml_character_data(value, multiline, strip):
    """The property behind MySQL's utf8mb4 and every XML export: what is kept encodes
    and parses; what is refused is refused with a message, never an exception."""
    cleaned, message = check_text(
        value, max_length=1000, min_length=0, multiline=multiline, strip=strip
    )
    if cleaned is None:
        assert message
        return
    encoded = cleaned.encode("utf-8")  # no lone surrogate survives
    element = ET.fromstring(  # noqa: S314 (our own document, no entities)
        b"<t>" + encoded.replace(b"&", b"&amp;").replace(b"<", b"&lt;") + b"</t>"
    )
    assert (element.text or "") == cleaned
    assert "\r" not in cleaned
    assert multiline or "\n" not in cleaned
    # Cleaning is idempotent: a stored value passes its own rules unchanged.
    again = check_text(cleaned, max_length=1000, min_length=0, multiline=multiline, strip=strip)
    assert again == (cleaned, None)


def test_the_comparison_key_equates_case_and_width_variants():
    assert len({comparison_key(t) for t in ["Plan", "PLAN", "\uff30\uff4c\uff41\uff4e"]}) == 1
    assert comparison_key("Stra\u00dfe") == comparison_key("STRASSE")
    assert comparison_key("\u00e9") == comparison_key("e\u0301")  # composed or not
    assert comparison_key("Plan") != comparison_key("Plans")


@given(any_text(), st.booleans())
def test_displayable_text_keeps_only_what_the_cleaner_accepts(value, multiline):
    shown = displayable_text(value, multiline=multiline)
    rules = {"max_length": len(shown) + 1, "min_length": 0, "multiline": multiline}
    assert check_text(shown, strip=False, **rules) == (shown, None)
    if check_text(value, strip=False, **rules)[1] is None:
        assert shown == check_text(value, strip=False, **rules)[0]  # nothing to drop


def test_displayable_text_drops_controls_and_turns_line_breaks_into_spaces():
    assert displayable_text("a\x00b\u202ec\r\nd\ud800\ufffe") == "abc d"
    assert displayable_text("a\r\nb\rc\u2028d\x0b", multiline=True) == "a\nb\nc\nd"
