"""Query parameters as the schedule's rules read them: whole numbers, flags, member ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_int(value: Any, field: str, low: int, high: int, default: int | None = None) -> int:
    """A whole number ``low``–``high`` given as an int or as decimal digits."""
    if value is None or value == "":
        if default is not None:
            return default
        raise Invalid.field(field, _("This parameter is required."))
    number: int | None = None
    if type(value) is int:
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise Invalid.field(
            field,
            _("“%(value)s” is not valid: enter a whole number from %(low)s to %(high)s.")
            % {"value": str(value)[:40], "low": low, "high": high},
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
        field, _("“%(value)s” is not valid: use true or false.") % {"value": str(value)[:40]}
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
            if type(text) is int:
                ids.append(text)
            elif isinstance(text, str) and text.isascii() and text.isdigit():
                ids.append(int(text))
            else:
                raise Invalid.field(
                    field, _("“%(value)s” is not a member id.") % {"value": str(part)[:40]}
                )
    known = set(team_member_ids)
    strangers = sorted({member for member in ids if member not in known})
    if strangers:
        raise Invalid.field(
            field,
            _("Not members of this team: %(ids)s.") % {"ids": ", ".join(map(str, strangers))},
        )
    return tuple(sorted(set(ids)))
