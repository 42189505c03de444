"""JSON that cannot take the server down: nesting is bounded before the parser recurses.

Python's JSON decoder recurses once per ``[`` or ``{``; a request of 100,000 brackets
makes it raise ``RecursionError`` (a 500 through DRF, which only expects ``ValueError``)
after burning the stack. :func:`load_json` refuses anything nested deeper than any
TeamMoa document needs, before decoding, and :class:`JSONParser` is DRF's parser on top
of it. Both are public surface: sibling apps parse request bodies and uploaded files
with them.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

__all__ = ["MAX_JSON_DEPTH", "JSONNestingError", "JSONParser", "load_json"]

# A mindmap export is 3 deep, every request body 1 or 2: 32 is generous and still far
# below the interpreter's recursion limit.
MAX_JSON_DEPTH = 32

# A JSON string literal (escapes included): brackets inside strings do not nest.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONNestingError(ValueError):
    """The document nests arrays/objects deeper than allowed."""


def nesting_exceeds(text: str, limit: int) -> bool:
    """True when arrays/objects in ``text`` nest more than ``limit`` deep."""
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot nest deeper than it has openers (the usual small body)
    depth = 0
    for char in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def load_json(data: str | bytes, *, max_depth: int = MAX_JSON_DEPTH, strict: bool = True) -> Any:
    """Decode JSON text (bytes are UTF-8); ``ValueError`` for anything that is not JSON,
    :class:`JSONNestingError` (a ``ValueError``) when it nests deeper than ``max_depth``.

    ``strict`` refuses ``NaN`` and ``Infinity``, which are not JSON.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data  # UnicodeDecodeError
    if nesting_exceeds(text, max_depth):
        raise JSONNestingError(
            _("The JSON is nested more than %(max)d levels deep.") % {"max": max_depth}
        )
    try:
        return json.loads(text, parse_constant=json.strict_constant if strict else None)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise JSONNestingError(_("The JSON is nested too deeply.")) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting bound: a 400 naming the problem, never a 500."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            raw = stream.read() if stream is not None else b""
            text = raw.decode(encoding) if isinstance(raw, bytes) else raw
            return load_json(text, strict=self.strict)
        except JSONNestingError as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:  # includes UnicodeDecodeError
            raise ParseError(
                _("The body is not valid JSON (%(error)s).") % {"error": exc}
            ) from None
