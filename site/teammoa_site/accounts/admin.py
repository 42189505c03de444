from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from teammoa_site.accounts.models import User


@admin.register(User)
class TeamMoaUserAdmin(UserAdmin):
    list_display = ("username", "email", "nickname", "is_active", "is_staff", "date_joined")
    search_fields = ("username", "email", "nickname")
    readonly_fields = ("deactivated_at", "last_login", "date_joined")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        fields = tuple(super().get_readonly_fields(request, obj))
        # A deactivated account's "deleted-<id>" name is in the reserved range that the
        # username validators refuse; it is not for editing anyway.
        if obj is not None and obj.is_deactivated:
            fields += ("username",)
        return fields

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("TeamMoa"), {"fields": ("nickname", "bio", "deactivated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "nickname", "password1", "password2"),
            },
        ),
    )
