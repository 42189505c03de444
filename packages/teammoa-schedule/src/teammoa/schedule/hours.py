"""Hours of a day (0–23, in the team's timezone): strict validation and normal form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core.errors import shown_value

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class DayHours:
    """One member's hours on one day: sorted, distinct and disjoint."""

    available: tuple[int, ...] = ()
    if_needed: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.available and not self.if_needed


EMPTY_DAY = DayHours()


def is_hour(value: Any) -> bool:
    # bool is an int subclass; ``true`` is not an hour.
    return type(value) is int and 0 <= value < HOURS_PER_DAY


def clean_hour_list(value: Any, field: str, errors: dict[str, list[str]]) -> tuple[int, ...]:
    """A JSON list of distinct whole hours 0–23, sorted; problems go to ``errors[field]``."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        errors.setdefault(field, []).append(_("Expected a list of hours from 0 to 23."))
        return ()
    if len(value) > HOURS_PER_DAY:
        # A day has 24 hours; a longer list is junk, refused before any per-item work.
        errors.setdefault(field, []).append(
            _("A day has 24 hours; this list has %(count)s items.") % {"count": len(value)}
        )
        return ()
    bad = [item for item in value if not is_hour(item)]
    if bad:
        errors.setdefault(field, []).append(
            _("Hours must be whole numbers from 0 to 23; got %(values)s.")
            % {"values": ", ".join(_show(item) for item in bad[:5])}
        )
        return ()
    if len(set(value)) != len(value):
        repeated = sorted({hour for hour in value if value.count(hour) > 1})
        errors.setdefault(field, []).append(
            _("Each hour may appear once; repeated: %(hours)s.")
            % {"hours": ", ".join(map(str, repeated))}
        )
        return ()
    return tuple(sorted(value))


def clean_day_hours(
    available: Any, if_needed: Any, prefix: str, errors: dict[str, list[str]]
) -> DayHours:
    """Both lists of one day, checked on their own and against each other."""
    free = clean_hour_list(available, f"{prefix}available", errors)
    maybe = clean_hour_list(if_needed, f"{prefix}if_needed", errors)
    overlap = sorted(set(free) & set(maybe))
    if overlap:
        errors.setdefault(f"{prefix}if_needed", []).append(
            _("An hour is either available or if needed, not both: %(hours)s.")
            % {"hours": ", ".join(map(str, overlap))}
        )
    return DayHours(free, maybe)


def stored_hours(value: Any) -> tuple[int, ...]:
    """Hours read back from the database, defensively normalised (rows are written clean)."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({item for item in value if is_hour(item)}))


def _show(item: Any) -> str:
    if isinstance(item, str):
        return f"“{shown_value(item, 20)}”"
    if isinstance(item, bool):
        return "true" if item else "false"
    if item is None:
        return "null"
    return shown_value(item, 20)
