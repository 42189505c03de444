"""A member's painted days and their usual week.

Hours are whole hours 0–23 in the team's timezone, stored as sorted, distinct, disjoint
JSON lists; ``teammoa.schedule.hours`` validates them and the services write only clean
rows (portable database checks on JSON contents do not exist across SQLite and MariaDB).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teammoa.core.models import Membership
from teammoa.schedule.hours import DayHours, stored_hours


class DayAvailability(models.Model):
    """The hours a member painted for one date; a row with empty lists is a painted,
    fully busy day (so the usual week does not fill it)."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="day_availabilities"
    )
    date = models.DateField(_("date"))
    available_hours = models.JSONField(_("available hours"), default=list, blank=True)
    if_needed_hours = models.JSONField(_("hours free if needed"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("day availability")
        verbose_name_plural = _("day availabilities")
        ordering = ["membership", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "date"], name="teammoa_schedule_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.date}"

    @property
    def hours(self) -> DayHours:
        return DayHours(stored_hours(self.available_hours), stored_hours(self.if_needed_hours))


class UsualDay(models.Model):
    """One weekday of a member's usual week (ISO weekday: 1 = Monday … 7 = Sunday)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="usual_days")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    available_hours = models.JSONField(_("available hours"), default=list, blank=True)
    if_needed_hours = models.JSONField(_("hours free if needed"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("usual day")
        verbose_name_plural = _("usual days")
        ordering = ["membership", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "weekday"], name="teammoa_schedule_usual_unique"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1) & Q(weekday__lte=7),
                name="teammoa_schedule_usual_weekday_iso",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} weekday {self.weekday}"

    @property
    def hours(self) -> DayHours:
        return DayHours(stored_hours(self.available_hours), stored_hours(self.if_needed_hours))
