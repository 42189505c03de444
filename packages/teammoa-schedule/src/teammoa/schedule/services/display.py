"""The hours the schedule page shows: the team's setting, else a default from what the
members painted, so the rows people use fit on one screen (evenings at 1366 by 768)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid
from teammoa.core.models import Team
from teammoa.core.services import membership_of, require_host
from teammoa.core.users import Actor
from teammoa.schedule.availability import DaySummary
from teammoa.schedule.hours import HOURS_PER_DAY
from teammoa.schedule.models import ScheduleSettings
from teammoa.schedule.params import parse_int
from teammoa.schedule.services.weeks import lock_member

# With nothing painted outside them, these hours are shown: a day's usual waking hours.
DEFAULT_FIRST_HOUR = 8
DEFAULT_LAST_HOUR = 22
SETTINGS_FIELDS = ("first_hour", "last_hour")


@dataclass(frozen=True)
class ShownHours:
    first_hour: int
    last_hour: int  # exclusive; 24 is midnight
    is_default: bool

    @property
    def hours(self) -> range:
        return range(self.first_hour, self.last_hour)


def painted_range(days: Iterable[DaySummary]) -> tuple[int, int] | None:
    """The first and last (exclusive) hour anyone painted free or if needed, if any."""
    painted = [
        hour for day in days for hour, who in enumerate(day.who) if who.free or who.if_needed
    ]
    return (min(painted), max(painted) + 1) if painted else None


def default_hours(days: Iterable[DaySummary]) -> ShownHours:
    """08:00–22:00, widened to every hour the team painted in the week shown."""
    first, last = DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR
    painted = painted_range(days)
    if painted:
        first, last = min(first, painted[0]), max(last, painted[1])
    return ShownHours(first, last, True)


def shown_hours(team: Team, days: Iterable[DaySummary]) -> ShownHours:
    """The team's setting, or the default for the week whose ``days`` are shown."""
    setting = ScheduleSettings.objects.filter(team=team).first()
    if setting is not None:
        return ShownHours(setting.first_hour, setting.last_hour, False)
    return default_hours(days)


def schedule_settings(user: Actor, team_id: Any) -> ScheduleSettings | None:
    """The team's saved setting (None: the default applies). Any member reads it."""
    membership = membership_of(user, team_id)
    return ScheduleSettings.objects.filter(team_id=membership.team_id).first()


def save_schedule_settings(user: Actor, team_id: Any, data: Any) -> ScheduleSettings | None:
    """The host sets the hours shown (``first_hour`` 0–23, ``last_hour`` 1–24, exclusive),
    or clears them with ``{"first_hour": null, "last_hour": null}`` (back to the default)."""
    host = require_host(user, team_id)
    if not isinstance(data, dict):
        raise Invalid({"non_field_errors": [_("Send an object with first_hour and last_hour.")]})
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    if unknown:
        raise Invalid({name: [_("Unknown field.")] for name in unknown[:10]})
    first_value, last_value = data.get("first_hour"), data.get("last_hour")
    reset = first_value is None and last_value is None
    if not reset:
        errors: dict[str, list[str]] = {}
        first = last = 0
        try:
            first = parse_int(first_value, "first_hour", 0, HOURS_PER_DAY - 1)
        except Invalid as error:
            errors.update(error.errors)
        try:
            last = parse_int(last_value, "last_hour", 1, HOURS_PER_DAY)
        except Invalid as error:
            errors.update(error.errors)
        if not errors and last <= first:
            errors["last_hour"] = [_("The last hour must come after the first.")]
        if errors:
            raise Invalid(errors)
    with transaction.atomic():
        lock_member(host)
        team = host.team
        if reset:
            ScheduleSettings.objects.filter(team=team).delete()
            return None
        setting, _created = ScheduleSettings.objects.update_or_create(
            team=team, defaults={"first_hour": first, "last_hour": last}
        )
    return setting
