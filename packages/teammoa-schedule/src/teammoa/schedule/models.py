"""A member's painted days and their usual week.

Hours are whole hours 0–23 in the team's timezone, stored as sorted, distinct, disjoint
JSON lists; ``teammoa.schedule.hours`` validates them and the services write only clean
rows (portable database checks on JSON contents do not exist across SQLite and MariaDB).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teammoa.core.models import Membership, Team
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


# --- meetings, calendar feeds and the hours the page shows --------------------------------

MEETING_TITLE_MAX = 100
MEETING_PLACE_MAX = 200
MEETING_LINK_MAX = 500
MEETING_NOTES_MAX = 2000
FEED_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


class Meeting(models.Model):
    """A time the team agreed to meet. Cancelling keeps the row (``cancelled_at``), so a
    subscribed calendar hears of it; every change raises ``sequence`` (iCalendar SEQUENCE)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=MEETING_TITLE_MAX)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=MEETING_PLACE_MAX, blank=True)
    link = models.URLField(_("link"), max_length=MEETING_LINK_MAX, blank=True)
    notes = models.TextField(_("notes"), max_length=MEETING_NOTES_MAX, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at"], name="teammoa_sched_meeting_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="teammoa_schedule_meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class CalendarFeed(models.Model):
    """A member's private calendar subscription: whoever holds the token reads the team's
    meetings and milestones, so it is random, regenerable and revocable, and it ends with
    the membership."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.membership_id}"


class ScheduleSettings(models.Model):
    """Team-wide display settings of the schedule page (hours ``first_hour`` to
    ``last_hour``, exclusive; 24 is midnight). No row: the default from painted hours."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="schedule_settings")
    first_hour = models.PositiveSmallIntegerField(_("first hour shown"))
    last_hour = models.PositiveSmallIntegerField(_("last hour shown"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("schedule settings")
        verbose_name_plural = _("schedule settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_hour__gte=0)
                & Q(last_hour__lte=24)
                & Q(last_hour__gt=models.F("first_hour")),
                name="teammoa_schedule_settings_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.first_hour}-{self.last_hour}"
