"""The one cleaner for text a person types that ends in a stored value.

Every title, name, introduction, comment and the like goes through :func:`clean_text`
(REST, forms and WebSocket frames alike, through the services), so one set of rules
decides what can be stored:

* a ``str`` (a number or a list is an error, never silently converted);
* valid Unicode: no unpaired surrogate (``"\\ud800"``; MySQL's utf8mb4 rejects it and
  takes the whole write with it) and none of the 66 noncharacters (U+FFFE, U+FDD0…), which
  XML cannot hold and no text needs;
* no control character except tab, and line feed in multi-line fields (CRLF, CR, U+2028
  and U+2029 become a line feed there); a line break in a single-line field is an error;
* none of the explicit bidirectional embedding, override and isolate controls
  (U+202A…U+202E, U+2066…U+2069, the "Trojan Source" characters): they reorder the text
  around them and make a title read differently from what it holds. Right-to-left text
  itself is welcome, and so are the invisible marks U+200E, U+200F and U+061C, which
  affect only their neighbours;
* ``min_length``…``max_length`` characters (code points, as MySQL counts them) after
  blanks are stripped from both ends.

What is stored is the input stripped (``strip=True``) with line breaks normalised; any
other input is refused with :class:`~teammoa.core.errors.Invalid` naming the field and
the first offending character by code point (never echoing it: a lone surrogate in an
error message would break the JSON response too).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid

__all__ = [
    "TextErrors",
    "check_text",
    "clean_text",
    "clean_text_into",
    "comparison_key",
    "displayable_text",
]

TextErrors = dict[str, list[str]]

LINE_FEED = "\n"
# Line breaks a multi-line field turns into a line feed; a single-line field refuses them.
_LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029")
_LINE_BREAK_CHARS = frozenset("\n\r\u2028\u2029")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
# Every character the rules refuse, found at C speed (a title can be scanned per keystroke
# of a whole team): controls except tab and line feed, the line breaks a multi-line field
# normalises away, surrogates, noncharacters and the bidi controls.
_REFUSED = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_MULTILINE_REFUSED = re.compile(f"[{_REFUSED}{_NONCHARACTERS}]")
_SINGLE_LINE_REFUSED = re.compile(f"[\n{_REFUSED}{_NONCHARACTERS}]")


def _code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def _problem(char: str) -> str:
    """The message for the first refused character."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return _("This text is not valid Unicode (it holds the unpaired surrogate %(char)s).") % {
            "char": _code_point(char)
        }
    if char in _LINE_BREAK_CHARS:
        return _("Line breaks are not allowed here.")
    if char in _BIDI_CONTROLS:
        return _(
            "This text holds the text-direction control %(char)s, which is not allowed: "
            "it makes the text read differently from what it holds."
        ) % {"char": _code_point(char)}
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return _("This text holds the control character %(char)s, which is not allowed.") % {
            "char": _code_point(char)
        }
    return _("This text holds %(char)s, which is not a character. Remove it and try again.") % {
        "char": _code_point(char)
    }


def check_text(
    value: Any,
    *,
    max_length: int,
    min_length: int = 1,
    multiline: bool = False,
    strip: bool = True,
) -> tuple[str | None, str | None]:
    """``(cleaned, None)`` when the value may be stored, else ``(None, message)``.

    The building block of :func:`clean_text` and :func:`clean_text_into`, for callers
    with their own way of reporting (a form's ``add_error``).
    """
    if not isinstance(value, str):
        return None, _("A string is required.")
    if multiline:
        for line_break in _LINE_BREAKS:
            value = value.replace(line_break, LINE_FEED)
    refused = (_MULTILINE_REFUSED if multiline else _SINGLE_LINE_REFUSED).search(value)
    if refused:
        return None, _problem(refused.group())
    if strip:
        value = value.strip()
    # Messages of our own wording: DRF and Django translate "This field may not be
    # blank." differently, and the first installed app's catalog would win.
    if len(value) < min_length:
        if not value:
            return None, _("This cannot be blank.")
        return None, _("Use at least %(min)d characters (this has %(count)d).") % {
            "min": min_length,
            "count": len(value),
        }
    if len(value) > max_length:
        return None, _("Use at most %(max)d characters (this has %(count)d).") % {
            "max": max_length,
            "count": len(value),
        }
    return value, None


def clean_text(
    value: Any,
    *,
    field: str,
    max_length: int,
    min_length: int = 1,
    multiline: bool = False,
    strip: bool = True,
) -> str:
    """The value as it may be stored, or :class:`Invalid` ``{field: [message]}``."""
    cleaned, message = check_text(
        value, max_length=max_length, min_length=min_length, multiline=multiline, strip=strip
    )
    if message is not None:
        raise Invalid({field: [message]})
    return cleaned  # type: ignore[return-value]


def clean_text_into(
    errors: TextErrors,
    value: Any,
    *,
    field: str,
    max_length: int,
    min_length: int = 1,
    multiline: bool = False,
    strip: bool = True,
) -> str | None:
    """Like :func:`clean_text`, but records the message in ``errors[field]`` and returns
    None, for validators that report every field's problem at once."""
    cleaned, message = check_text(
        value, max_length=max_length, min_length=min_length, multiline=multiline, strip=strip
    )
    if message is not None:
        errors[field] = [message]
        return None
    return cleaned


def comparison_key(value: str) -> str:
    """The form in which two texts are "the same" for a uniqueness rule: Unicode NFKC
    compatibility normalisation and case folding, so ``"Plan"``, ``"PLAN"`` and "Plan" in
    full-width letters share one key (MySQL's ``*_ci`` collations call them equal
    too; a service compares keys so SQLite and MySQL agree)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


def displayable_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without any character :func:`clean_text` refuses, for text stored before
    the rules (or by other means) on its way into an export or another format: controls,
    surrogates, noncharacters and bidi controls are dropped; line breaks become a line
    feed (``multiline``) or a space. Every XML 1.0 document can hold the result."""
    if multiline:
        for line_break in _LINE_BREAKS:
            value = value.replace(line_break, LINE_FEED)
        return _MULTILINE_REFUSED.sub("", value)
    for line_break in (*_LINE_BREAKS, LINE_FEED):
        value = value.replace(line_break, " ")
    return _SINGLE_LINE_REFUSED.sub("", value)
