"""API representations of teams, members, milestones, todos and posts, and the request
bodies the views accept.

Input serializers only parse types (a number is a number, a date is a date, a choice is
one of the model's choices); lengths, ranges and every rule are checked by the services,
so no rule is written twice.
"""

from __future__ import annotations

import copy
import datetime
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from teammoa.core.dates import EARLIEST_DATE, LATEST_DATE, parse_date
from teammoa.core.errors import Invalid
from teammoa.core.models import (
    Membership,
    Milestone,
    MilestoneStatus,
    Post,
    PostAttachment,
    PostComment,
    Priority,
    ProgressMode,
    Role,
    Team,
    Todo,
    display_name,
)
from teammoa.core.users import Actor

# --- representations -----------------------------------------------------------------------


class CachedFieldsModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer`` with its fields introspected once per class.

    DRF's ``get_fields`` reads the model's metadata and builds every field anew for each
    serializer made, i.e. on every API request (0.34 ms of CPU for a todo). What it builds
    depends only on the class (its ``Meta`` and declared fields), so it is built once and
    each serializer gets a deep copy (0.07 ms), as DRF gives each serializer copies of its
    declared fields. Subclasses that vary their fields per instance must not use this.
    """

    _teammoa_built_fields: ClassVar[dict[str, serializers.Field]]

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        built = cls.__dict__.get("_teammoa_built_fields")
        if built is None:  # a race builds it twice, harmlessly
            built = super().get_fields()
            cls._teammoa_built_fields = built
        return copy.deepcopy(built)


class TeamSerializer(CachedFieldsModelSerializer):
    """A team as one of its members sees it. The join password is never returned; the
    invite code is shown to the host only (``null`` for members)."""

    # member_count and my_role are annotations made by services.teams_of().

    member_count = serializers.IntegerField(read_only=True)
    my_role = serializers.SerializerMethodField()
    invite_code = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "id",
            "title",
            "introduction",
            "max_members",
            "member_count",
            "invite_code",
            "timezone",
            "my_role",
            "created_at",
        ]
        read_only_fields = fields

    # Inline, not a second named enum component for the role choices (drf-spectacular
    # warns about one choice set under two names).
    @extend_schema_field({"type": "string", "enum": Role.values, "description": "Your role."})
    def get_my_role(self, team: Team) -> str:
        return team.my_role

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invite_code(self, team: Team) -> str | None:
        return team.invite_code if getattr(team, "my_role", None) == Role.HOST else None


class MemberUserSerializer(serializers.Serializer):
    """The public face of a user inside a team."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.SerializerMethodField()
    nickname = serializers.SerializerMethodField()

    def get_username(self, user: Actor) -> str:
        return user.get_username()

    def get_nickname(self, user: Actor) -> str:
        """The name shown in teams (the nickname, or "deleted user" for a closed account)."""
        return display_name(user)


class MemberSerializer(CachedFieldsModelSerializer):
    """A membership; its ``id`` is what the API calls ``member`` everywhere."""

    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "joined_at"]
        read_only_fields = fields


class MilestoneSerializer(CachedFieldsModelSerializer):
    """A milestone with its status derived for today in the team's time zone."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "title",
            "description",
            "start_date",
            "end_date",
            "priority",
            "progress_mode",
            "progress",
            "status",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=MilestoneStatus.choices))
    def get_status(self, milestone: Milestone) -> str:
        return milestone.status_on(self._today(milestone.team))

    def _today(self, team: Team) -> datetime.date:
        # One date per team and response, even for a long list.
        cache = self.context.setdefault("_today_by_timezone", {})
        if team.timezone not in cache:
            cache[team.timezone] = datetime.datetime.now(tz=_zone(team.timezone)).date()
        return cache[team.timezone]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE or "UTC")


class TodoSerializer(CachedFieldsModelSerializer):
    assignee = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The assignee's member id, or null."
    )
    milestone = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Todo
        fields = [
            "id",
            "content",
            "description",
            "due_date",
            "assignee",
            "milestone",
            "is_completed",
            "completed_at",
            "order",
            "created_at",
        ]
        read_only_fields = fields


def _absolute(context: dict[str, Any], url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class AttachmentSerializer(serializers.Serializer):
    """The post's first file (the API's first contract): the original file name, its size
    in bytes and the member-only download URL."""

    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment: PostAttachment) -> str:
        kwargs = {"team": attachment.post.team_id, "post": attachment.post_id}
        return _absolute(self.context, reverse("teammoa_core:post_attachment", kwargs=kwargs))


class PostFileSerializer(serializers.Serializer):
    """One of a post's files: its id (for ``remove_attachments``), name, size and URL."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment: PostAttachment) -> str:
        kwargs = {
            "team": attachment.post.team_id,
            "post": attachment.post_id,
            "file": attachment.pk,
        }
        return _absolute(self.context, reverse("teammoa_core:post_file", kwargs=kwargs))


class PostSerializer(CachedFieldsModelSerializer):
    author = MemberSerializer(read_only=True, allow_null=True)
    attachment = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "title",
            "body",
            "author",
            "created_at",
            "updated_at",
            "attachment",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_attachment(self, post: Post) -> dict[str, Any] | None:
        files = post.attachments.all()
        if not files:
            return None
        return AttachmentSerializer(files[0], context=self.context).data

    @extend_schema_field(PostFileSerializer(many=True))
    def get_attachments(self, post: Post) -> list[dict[str, Any]]:
        return PostFileSerializer(post.attachments.all(), many=True, context=self.context).data


class PostCommentSerializer(CachedFieldsModelSerializer):
    author = MemberSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PostComment
        fields = ["id", "post", "text", "author", "created_at", "updated_at"]
        read_only_fields = fields


# --- request bodies ------------------------------------------------------------------------


class TextField(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn ``12345`` into ``"12345"``.

    Otherwise passed on as sent: blanks, lengths and characters are judged by the
    service's text cleaner (``teammoa.core.text``), so the API, the pages and the sockets
    accept and word the same things the same way.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
        # DRF's own null-character and surrogate checks would answer before the cleaner,
        # in other words; the cleaner refuses both.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(
                validator, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DATE_HELP = f"YYYY-MM-DD, {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}."


class DateField(serializers.DateField):
    """A date typed as ASCII ``YYYY-MM-DD`` within core's bounds (``teammoa.core.dates``).

    DRF's own field reads Arabic-Indic digits and a trailing newline as a date and lets
    year 1 through; the one parser in ``teammoa.core.dates`` decides instead."""

    def to_internal_value(self, value: Any) -> datetime.date:
        try:
            return parse_date(value, self.field_name or "date")
        except Invalid as exc:
            raise serializers.ValidationError(
                [message for messages in exc.errors.values() for message in messages]
            ) from None


class TeamCreateSerializer(serializers.Serializer):
    title = TextField()
    introduction = TextField(required=False, allow_blank=True)
    max_members = serializers.IntegerField(required=False)
    password = TextField(
        write_only=True, trim_whitespace=False, help_text="The password needed to join."
    )
    timezone = TextField(required=False, help_text="An IANA name like Asia/Seoul.")


class TeamUpdateSerializer(serializers.Serializer):
    title = TextField(required=False)
    introduction = TextField(required=False, allow_blank=True)
    max_members = serializers.IntegerField(required=False)
    password = TextField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        help_text="A new join password.",
    )
    timezone = TextField(required=False)


class JoinSerializer(serializers.Serializer):
    invite_code = TextField()
    password = TextField(write_only=True, trim_whitespace=False)


class JoinLinkSerializer(serializers.Serializer):
    token = TextField(help_text="The token of an invite link (the last part of its path).")


class InviteLinkSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()

    def get_url(self, link: Any) -> str:
        """The page that joins: ``/teams/join/<token>/`` on this site."""
        path = reverse("teammoa_core:team_join_link", kwargs={"token": link.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MemberChoiceSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="A member id of this team.")


class MilestoneCreateSerializer(serializers.Serializer):
    title = TextField()
    description = TextField(required=False, allow_blank=True)
    start_date = DateField(help_text=DATE_HELP)
    end_date = DateField(help_text=DATE_HELP)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    progress_mode = serializers.ChoiceField(choices=ProgressMode.choices, required=False)
    progress = serializers.IntegerField(
        required=False, help_text="0-100; only in manual progress mode."
    )


class MilestoneUpdateSerializer(MilestoneCreateSerializer):
    title = TextField(required=False)
    start_date = DateField(required=False)
    end_date = DateField(required=False)


class TodoCreateSerializer(serializers.Serializer):
    content = TextField()
    description = TextField(required=False, allow_null=True, help_text="Optional details.")
    due_date = DateField(required=False, allow_null=True, help_text=DATE_HELP + " Optional.")
    milestone = serializers.IntegerField(required=False, allow_null=True)
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member id (members may pick only themself)."
    )


class TodoUpdateSerializer(serializers.Serializer):
    """Content, milestone and position; assignee and done have their own endpoints."""

    content = TextField(required=False)
    description = TextField(required=False, allow_null=True)
    due_date = DateField(required=False, allow_null=True, help_text=DATE_HELP + " null clears it.")
    milestone = serializers.IntegerField(required=False, allow_null=True)
    order = serializers.IntegerField(
        required=False, help_text="The 0-based position in the todo's board column."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A client sending {"assignee": ...} or {"is_completed": ...} here must learn that
        # nothing happened, rather than get a 200 for a silently dropped change.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be changed here.")] for name in unknown}
            )
        return attrs


class TodoAssignSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        allow_null=True, help_text="A member id, or null to unassign."
    )


class TodoCompleteSerializer(serializers.Serializer):
    is_completed = serializers.BooleanField()


class TodoMoveSerializer(serializers.Serializer):
    """A drop on the board: any of the three; what is left out stays as it is."""

    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member id, or null for unassigned."
    )
    is_completed = serializers.BooleanField(required=False)
    order = serializers.IntegerField(
        required=False, help_text="The 0-based position in the todo's (new) column."
    )


class TodoFilterSerializer(serializers.Serializer):
    """``?assignee=`` (member id or ``none``), ``?done=true|false``, ``?milestone=`` (id or
    ``none``)."""

    assignee = TextField(required=False)
    done = serializers.BooleanField(required=False)
    milestone = TextField(required=False)

    def validate_assignee(self, value: str) -> int | None:
        return _id_or_none(value)

    def validate_milestone(self, value: str) -> int | None:
        return _id_or_none(value)


def _id_or_none(value: str) -> int | None:
    if value.lower() == "none":
        return None
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    raise serializers.ValidationError(_("An id or 'none' is required."))


class PostCreateSerializer(serializers.Serializer):
    title = TextField()
    body = TextField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="HTML; sanitised."
    )
    attachment = serializers.FileField(
        required=False,
        allow_empty_file=True,
        use_url=False,
        help_text="One file (on PATCH it replaces every file of the post).",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text="Files to add (repeat the multipart field).",
    )


class PostUpdateSerializer(PostCreateSerializer):
    title = TextField(required=False)
    remove_attachment = serializers.BooleanField(
        required=False, help_text="Remove every file of the post."
    )
    remove_attachments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the post's files to remove.",
    )


class PostCommentWriteSerializer(serializers.Serializer):
    text = TextField(help_text="1 to 2,000 characters.")
