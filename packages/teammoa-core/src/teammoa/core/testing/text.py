"""Hypothesis strategies for the text-cleaner property tests of every package.

The property every stored text field must have: *any* Unicode string is either stored and
read back exactly as :func:`teammoa.core.text.check_text` cleans it, or refused with a
field error. :func:`any_text` draws the strings that break that property most often.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from teammoa.core.text import check_text

__all__ = ["HOSTILE_TEXT", "any_text", "expected_text"]

# Strings that found real bugs or sit on a rule's edge: lone surrogates (MySQL refuses
# them), controls (invalid XML), bidi overrides, noncharacters, line breaks of every kind,
# characters outside the BMP (utf8mb3 refuses them), case and width variants (MySQL's
# collations call them equal), markup and blanks.
HOSTILE_TEXT: tuple[str, ...] = (
    "\ud800",
    "a\udfffb",
    "\ud83d\ude00",  # an emoji's surrogate pair, unjoined: still invalid in a Python str
    "nul\x00byte",
    "bell\x07",
    "esc\x1b[31m",
    "del\x7f",
    "c1\x85next",
    "\u202eevil.exe",
    "\u2066isolated\u2069",
    "right\u200fmark",
    "\ufffe",
    "\U0010ffff",
    "line\nfeed",
    "carriage\rreturn",
    "crlf\r\nend",
    "line\u2028sep",
    "tab\there",
    "   padded   ",
    "\u3000ideographic\u3000",
    " ",
    "",
    "😀🎉",
    "\U0001d54f \uff26\uff35\uff2c\uff2c \uff57\uff49\uff44\uff54\uff48",  # math X, full width
    "Straße STRASSE",
    "한글 제목",
    "עברית العربية",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "&amp; &lt;",
    "e\u0301",  # a combining accent: not the same code points as "é"
)


def any_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any string, including surrogates and controls, mixed with :data:`HOSTILE_TEXT`."""
    every_character = st.characters(exclude_categories=())
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(every_character, max_size=max_size),
        st.lists(
            st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(every_character, max_size=4)),
            max_size=5,
        ).map("".join),
    )


def expected_text(value: Any, **rules: Any) -> str | None:
    """What a field with these :func:`~teammoa.core.text.clean_text` rules stores for
    ``value``, or None when it must be refused."""
    cleaned, _message = check_text(value, **rules)
    return cleaned
