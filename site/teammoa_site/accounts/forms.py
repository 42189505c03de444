"""Account forms: the nickname at sign-up, the profile, and deactivation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from teammoa.core.text import check_text
from teammoa_site.accounts.models import (
    BIO_MAX_LENGTH,
    NICKNAME_MAX_LENGTH,
    NICKNAME_MIN_LENGTH,
    User,
)


def _checked(value: Any, **rules: Any) -> str:
    """The text through TeamMoa's one text cleaner, or a form error with its message."""
    cleaned, message = check_text(value, **rules)
    if message is not None:
        raise forms.ValidationError(message, code="invalid_text")
    return cleaned  # type: ignore[return-value]


def clean_nickname(value: Any) -> str:
    # Characters first (a control character must be refused, not collapsed into a space;
    # the form field has already bounded the length), then runs of blanks collapse, then
    # the length of what is shown.
    value = " ".join(_checked(value, max_length=NICKNAME_MAX_LENGTH, min_length=0).split())
    return _checked(value, max_length=NICKNAME_MAX_LENGTH, min_length=NICKNAME_MIN_LENGTH)


def clean_bio(value: Any) -> str:
    return _checked(value, max_length=BIO_MAX_LENGTH, min_length=0, multiline=True)


class NicknameSignupForm(forms.Form):
    """Extra sign-up field; allauth mixes this into its sign-up form."""

    nickname = forms.CharField(
        label=_("Nickname"),
        min_length=NICKNAME_MIN_LENGTH,
        max_length=NICKNAME_MAX_LENGTH,
        help_text=_("2–20 characters, shown to your teams."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Mixed into allauth's sign-up form, whose username field says nothing of the rules.
        username = self.fields.get("username")
        if username is not None and not username.help_text:
            username.help_text = User._meta.get_field("username").help_text

    def clean_nickname(self) -> str:
        return clean_nickname(self.cleaned_data["nickname"])

    def signup(self, request: HttpRequest, user: User) -> None:
        user.nickname = self.cleaned_data["nickname"]
        user.save(update_fields=["nickname"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nickname", "bio"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3, "maxlength": BIO_MAX_LENGTH}),
        }
        help_texts = {"bio": _("Up to 300 characters.")}

    def clean_nickname(self) -> str:
        return clean_nickname(self.cleaned_data["nickname"])

    def clean_bio(self) -> str:
        return clean_bio(self.cleaned_data["bio"])


class DeactivateForm(forms.Form):
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        required=True,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # Social-only accounts have no password to confirm with.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."), code="password")
        return password
