"""Page forms: they parse and type the input; the services judge it.

Lengths and ranges appear here only as HTML hints (``maxlength``, ``min``); the rules
themselves live in ``teammoa.core.services`` and come back as ``Invalid`` field errors.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from teammoa.core.conf import conf
from teammoa.core.dates import EARLIEST_DATE, LATEST_DATE
from teammoa.core.limits import (
    ATTACHMENTS_PER_POST,
    COMMENT_TEXT_MAX,
    DEFAULT_MAX_MEMBERS,
    JOIN_PASSWORD_MAX,
    JOIN_PASSWORD_MIN,
    MAX_MEMBERS,
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_TITLE_MAX,
    MIN_MEMBERS,
    POST_TITLE_MAX,
    TASK_DESCRIPTION_MAX,
    TEAM_INTRO_MAX,
    TEAM_TITLE_MAX,
    TODO_CONTENT_MAX,
)
from teammoa.core.models import Membership, Milestone, Priority, ProgressMode
from teammoa.core.sizes import file_size_text

_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")


def _text(max_length: int, *, required: bool = True, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(
        attrs={"maxlength": max_length, **({"required": True} if required else {}), **attrs}
    )


class TeamForm(forms.Form):
    title = forms.CharField(
        label=_("Team name"), required=False, widget=_text(TEAM_TITLE_MAX, autocomplete="off")
    )
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        help_text=_("What the team is about; members see it on the team page."),
        widget=forms.Textarea(attrs={"maxlength": TEAM_INTRO_MAX, "rows": 4}),
    )
    max_members = forms.IntegerField(
        label=_("Maximum members"),
        required=False,
        initial=DEFAULT_MAX_MEMBERS,
        widget=forms.NumberInput(attrs={"min": MIN_MEMBERS, "max": MAX_MEMBERS}),
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        required=False,
        help_text=_("An IANA name such as Asia/Seoul; schedules use it."),
        widget=forms.TextInput(
            attrs={"list": "timezone-options", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("timezone"):
            data.pop("timezone", None)
        return data


class TeamCreateForm(TeamForm):
    field_order = ["title", "introduction", "password", "max_members", "timezone"]
    password = forms.CharField(
        label=_("Join password"),
        required=False,
        strip=False,
        help_text=_("People need the invite code and this password to join."),
        widget=forms.PasswordInput(
            attrs={
                "required": True,
                "minlength": JOIN_PASSWORD_MIN,
                "maxlength": JOIN_PASSWORD_MAX,
                "autocomplete": "new-password",
            }
        ),
    )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if data.get("max_members") is None:
            data.pop("max_members", None)  # the model's default
        return data


class TeamSettingsForm(TeamForm):
    password = forms.CharField(
        label=_("New join password"),
        required=False,
        strip=False,
        help_text=_("Leave empty to keep the current password."),
        widget=forms.PasswordInput(
            attrs={
                "minlength": JOIN_PASSWORD_MIN,
                "maxlength": JOIN_PASSWORD_MAX,
                "autocomplete": "new-password",
            }
        ),
    )

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if not data.get("password"):
            data.pop("password", None)
        return data


class JoinTeamForm(forms.Form):
    invite_code = forms.CharField(
        label=_("Invite code"),
        required=False,
        widget=_text(32, autocomplete="off", spellcheck="false", autocapitalize="none"),
    )
    password = forms.CharField(
        label=_("Join password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"required": True, "autocomplete": "off"}),
    )


class TransferHostForm(forms.Form):
    member = forms.TypedChoiceField(label=_("New host"), coerce=int, choices=())

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members if not m.is_host]


class DateInput(forms.DateInput):
    """A browser date picker limited to the dates core accepts (``teammoa.core.dates``)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        bounds = {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        super().__init__(attrs={**bounds, **(attrs or {})}, format="%Y-%m-%d", **kwargs)


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), required=False, widget=_text(MILESTONE_TITLE_MAX, autocomplete="off")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"maxlength": MILESTONE_DESCRIPTION_MAX, "rows": 3}),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=DateInput(attrs={"required": True})
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=DateInput(attrs={"required": True})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    progress_mode = forms.ChoiceField(
        label=_("Progress"),
        choices=ProgressMode.choices,
        initial=ProgressMode.AUTO,
        help_text=_("From todos: the share of this milestone's todos that are done."),
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )

    @classmethod
    def for_milestone(cls, milestone: Milestone) -> MilestoneForm:
        fields = ("title", "description", "start_date", "end_date", "priority")
        initial = {name: getattr(milestone, name) for name in fields}
        initial.update(progress_mode=milestone.progress_mode, progress=milestone.progress)
        return cls(initial=initial)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        # The progress field is only meaningful when it is set by hand.
        if data.get("progress_mode") != ProgressMode.MANUAL or data.get("progress") is None:
            data.pop("progress", None)
        return data


class TodoForm(forms.Form):
    content = forms.CharField(
        label=_("New todo"), required=False, widget=_text(TODO_CONTENT_MAX, autocomplete="off")
    )
    milestone = forms.TypedChoiceField(
        label=_("Milestone"), required=False, coerce=int, empty_value=None, choices=()
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TASK_DESCRIPTION_MAX}),
    )
    due_date = forms.CharField(label=_("Due date (optional)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, milestones: list[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [
            ("", _("No milestone")),
            *((m.pk, m.title) for m in milestones),
        ]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        values = data if isinstance(data, (list, tuple)) else [data]
        return [single(value, initial) for value in values if value]


class PostForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), required=False, widget=_text(POST_TITLE_MAX, autocomplete="off")
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        strip=False,
        help_text=_(
            "Use the toolbar for headings, lists, quotes, code and links; "
            "Ctrl+B and Ctrl+I make text bold or italic. Links open only with "
            "https://, http:// or mailto:."
        ),
        widget=forms.Textarea(attrs={"rows": 12, "data-rich-editor": ""}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("Remove"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, files_of: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = conf.ATTACHMENT_MAX_BYTES
        self.fields["attachments"].widget.attrs["data-max-bytes"] = limit
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files, each up to %(size)s. Drop files here or choose them."
        ) % {"count": ATTACHMENTS_PER_POST, "size": file_size_text(limit)}
        if files_of:
            self.fields["remove_attachments"].choices = [(f.pk, f.name) for f in files_of]
        else:
            del self.fields["remove_attachments"]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        # Text typed without markup (the editor without JavaScript) keeps its paragraphs.
        if body.strip() and not _HTML_TAG.search(body):
            return linebreaks(body, autoescape=True)
        return body

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.cleaned_data["title"],
            "body": self.cleaned_data["body"],
        }
        if self.cleaned_data.get("attachments"):
            data["attachments"] = self.cleaned_data["attachments"]
        if self.cleaned_data.get("remove_attachments"):
            data["remove_attachments"] = self.cleaned_data["remove_attachments"]
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_TEXT_MAX, "required": True}),
    )
