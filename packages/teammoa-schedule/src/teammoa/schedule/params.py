"""Query parameters as the schedule's rules read them: whole numbers, flags, member ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid, shown_value

# Whole numbers a person may type: ASCII digits, at most this many (ids included). Longer
# strings are refused before ``int()`` (which gives up past 4,300 digits with a ValueError).
MAX_DIGITS = 18
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def ascii_number(text: str) -> int | None:
    """``text`` as a whole number when it is 1–18 ASCII digits, else None."""
    if 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


def parse_int(value: Any, field: str, low: int, high: int, default: int | None = None) -> int:
    """A whole number ``low``–``high`` given as an int or as decimal digits."""
    if value is None or value == "":
        if default is not None:
            return default
        raise Invalid.field(field, _("This parameter is required."))
    number: int | None = None
    if type(value) is int:
        number = value
    elif isinstance(value, str):
        number = ascii_number(value.strip())
    if number is None or not low <= number <= high:
        raise Invalid.field(
            field,
            _("“%(value)s” is not valid: enter a whole number from %(low)s to %(high)s.")
            % {"value": shown_value(value), "low": low, "high": high},
        )
    return number


def parse_bool(value: Any, field: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Invalid.field(
        field, _("“%(value)s” is not valid: use true or false.") % {"value": shown_value(value)}
    )


def parse_member_ids(value: Any, field: str, team_member_ids: Iterable[int]) -> tuple[int, ...]:
    """Member (membership) ids as ``3,5`` or repeated parameters; each must be in the team."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    ids: list[int] = []
    for item in items:
        for part in item.split(",") if isinstance(item, str) else [item]:
            text = part.strip() if isinstance(part, str) else part
            if text == "":
                continue
            number = text if type(text) is int else None
            if isinstance(text, str):
                number = ascii_number(text)
            if number is not None:
                ids.append(number)
            else:
                raise Invalid.field(
                    field, _("“%(value)s” is not a member id.") % {"value": shown_value(part)}
                )
    known = set(team_member_ids)
    strangers = sorted({member for member in ids if member not in known})
    if strangers:
        raise Invalid.field(
            field,
            _("Not members of this team: %(ids)s.")
            % {"ids": ", ".join(map(str, strangers[:10])) + (", …" if len(strangers) > 10 else "")},
        )
    return tuple(sorted(set(ids)))
