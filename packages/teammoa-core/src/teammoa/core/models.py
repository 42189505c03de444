"""Teams, memberships, milestones, todos and posts.

Models hold fields, constraints and small derived properties; the rules live in
``teammoa.core.services``. Users are referenced only through ``settings.AUTH_USER_MODEL``.
"""

from __future__ import annotations

import datetime
import os
import secrets
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teammoa.core.dates import EARLIEST_DATE, LATEST_DATE, validate_date_in_range
from teammoa.core.limits import (
    ATTACHMENT_NAME_MAX,
    COMMENT_TEXT_MAX,
    DEFAULT_MAX_MEMBERS,
    MAX_MEMBERS,
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_TITLE_MAX,
    MIN_MEMBERS,
    POST_BODY_MAX,
    POST_TITLE_MAX,
    TASK_DESCRIPTION_MAX,
    TEAM_INTRO_MAX,
    TEAM_TITLE_MAX,
    TODO_CONTENT_MAX,
)

if TYPE_CHECKING:
    from teammoa.core.users import Actor

# Characters a person reads aloud or types from a screen without doubt: no 0/O, 1/l/I,
# no punctuation; capitals only, so a code typed in lower case still matches. Twelve of
# them are 59 bits. Codes made before (URL-safe base64) keep working, matched exactly.
INVITE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
INVITE_CODE_LENGTH = 12


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_CODE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def is_plain_invite_code(code: str) -> bool:
    """A code of the unambiguous alphabet (matched whatever the case it is typed in)."""
    return bool(code) and all(char in INVITE_CODE_ALPHABET for char in code)


def default_timezone() -> str:
    return settings.TIME_ZONE or "UTC"


def display_name(user: Actor) -> str:
    """How a user is shown in teams: the nickname where the user model has one."""
    if user is None:
        return str(_("deleted user"))
    name = getattr(user, "display_name", None) or getattr(user, "nickname", None)
    return str(name or user.get_username())


class Team(models.Model):
    title = models.CharField(_("title"), max_length=TEAM_TITLE_MAX)
    introduction = models.TextField(_("introduction"), max_length=TEAM_INTRO_MAX, blank=True)
    max_members = models.PositiveSmallIntegerField(
        _("maximum members"),
        default=DEFAULT_MAX_MEMBERS,
        validators=[MinValueValidator(MIN_MEMBERS), MaxValueValidator(MAX_MEMBERS)],
    )
    # A hash made by Django's password hashers; the plain password is never stored.
    join_password = models.CharField(_("join password"), max_length=128)
    invite_code = models.CharField(
        _("invite code"), max_length=32, unique=True, default=new_invite_code
    )
    timezone = models.CharField(_("time zone"), max_length=64, default=default_timezone)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_members__gte=MIN_MEMBERS) & Q(max_members__lte=MAX_MEMBERS),
                name="teammoa_team_max_members_range",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1),
                name="teammoa_team_title_not_empty",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("invite_code"), 10),
                name="teammoa_team_invite_code_length",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The team's timezone; a name no longer known falls back to the site's, then UTC."""
        for name in (self.timezone, settings.TIME_ZONE, "UTC"):
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
                continue
        raise AssertionError("UTC is always available")  # pragma: no cover

    def today(self) -> datetime.date:
        """Today in the team's calendar (milestone status, the schedule's current week)."""
        return timezone.localdate(timezone=self.zone)

    def set_join_password(self, raw_password: str) -> None:
        self.join_password = make_password(raw_password)

    def check_join_password(self, raw_password: str) -> bool:
        return check_password(raw_password, self.join_password)


class Role(models.TextChoices):
    HOST = "host", _("Host")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teammoa_memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    # 1 for the host, NULL otherwise: with the unique (team, host_slot) constraint the
    # database itself refuses a second host on every backend (NULLs never collide).
    host_slot = models.GeneratedField(
        expression=models.Case(
            models.When(role=Role.HOST, then=models.Value(1)),
            default=models.Value(None),
            output_field=models.PositiveSmallIntegerField(null=True),
        ),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="teammoa_membership_unique"),
            models.UniqueConstraint(fields=["team", "host_slot"], name="teammoa_one_host"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="teammoa_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{display_name(self.user)} @ {self.team_id}"

    @property
    def is_host(self) -> bool:
        return self.role == Role.HOST

    @property
    def name(self) -> str:
        return display_name(self.user)


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    MINIMAL = "minimal", _("Minimal")


class ProgressMode(models.TextChoices):
    AUTO = "auto", _("From todos")
    MANUAL = "manual", _("Manual")


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    OVERDUE = "overdue", _("Overdue")


class Milestone(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(
        _("title"), max_length=MILESTONE_TITLE_MAX, validators=[MinLengthValidator(1)]
    )
    description = models.TextField(
        _("description"), max_length=MILESTONE_DESCRIPTION_MAX, blank=True
    )
    start_date = models.DateField(_("start date"), validators=[validate_date_in_range])
    end_date = models.DateField(_("end date"), validators=[validate_date_in_range])
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    progress_mode = models.CharField(
        _("progress mode"), max_length=6, choices=ProgressMode.choices, default=ProgressMode.AUTO
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)]
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["start_date", "end_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1),
                name="teammoa_milestone_title_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(start_date__lte=models.F("end_date")),
                name="teammoa_milestone_dates_ordered",
            ),
            # Backs the service's bounds (teammoa.core.dates): the team home's timeline
            # and every date computation stay within sane years whatever gets stored.
            models.CheckConstraint(
                condition=Q(start_date__gte=EARLIEST_DATE, end_date__lte=LATEST_DATE),
                name="teammoa_milestone_dates_in_range",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="teammoa_milestone_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="teammoa_milestone_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress_mode__in=ProgressMode.values),
                name="teammoa_milestone_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, day: datetime.date) -> str:
        """The derived status on ``day`` (in the team's calendar)."""
        if self.progress >= 100:
            return MilestoneStatus.COMPLETED
        if day < self.start_date:
            return MilestoneStatus.NOT_STARTED
        if day > self.end_date:
            return MilestoneStatus.OVERDUE
        return MilestoneStatus.IN_PROGRESS


class Todo(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="todos")
    content = models.CharField(_("content"), max_length=TODO_CONTENT_MAX)
    description = models.TextField(_("description"), max_length=TASK_DESCRIPTION_MAX, blank=True)
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    # A todo whose assignee leaves the team becomes unassigned.
    assignee = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_todos",
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="todos"
    )
    is_completed = models.BooleanField(_("done"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("todo")
        verbose_name_plural = _("todos")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["team", "is_completed", "order"])]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("content"), 1),
                name="teammoa_todo_content_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:50]

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Open and past its due date on ``day`` (in the team's calendar)."""
        return not self.is_completed and self.due_date is not None and self.due_date < day


def attachment_path(instance: PostAttachment, filename: str) -> str:
    """A random stored name: the original name is kept in ``name`` only."""
    extension = os.path.splitext(filename)[1].lower()[:16]
    if not (extension[1:].isascii() and extension[1:].isalnum()):
        extension = ""
    return f"teammoa/attachments/{instance.post.team_id}/{secrets.token_hex(16)}{extension}"


class Post(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(_("title"), max_length=POST_TITLE_MAX)
    body = models.TextField(_("body"), max_length=POST_BODY_MAX, blank=True)
    # The body's words without markup, kept in step by the services: search matches what
    # readers see, not tag or attribute names ("strong", "nofollow").
    body_text = models.TextField(_("body text"), blank=True, editable=False)
    # Kept (as "deleted user") when the author leaves the team.
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1),
                name="teammoa_post_title_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PostAttachment(models.Model):
    """A file of a post: stored under a random name, served only to the team's members."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=ATTACHMENT_NAME_MAX)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PostComment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # Kept (as "deleted user") when the author leaves the team.
    author = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="post_comments",
    )
    text = models.TextField(_("text"), max_length=COMMENT_TEXT_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("text"), 1),
                name="teammoa_post_comment_text_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]
