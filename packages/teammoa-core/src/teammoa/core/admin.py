"""Admin pages for the core models (the join password's hash is never shown or edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from teammoa.core.models import (
    Membership,
    Milestone,
    Post,
    PostAttachment,
    PostComment,
    Team,
    Todo,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("title", "member_count", "max_members", "timezone", "created_at")
    search_fields = ("title", "invite_code")
    date_hierarchy = "created_at"
    exclude = ("join_password",)
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team: Any) -> int:
        return team.member_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("user", "team")
    search_fields = ("team__title",)
    raw_id_fields = ("user", "team")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "start_date", "end_date", "priority", "progress")
    list_filter = ("priority", "progress_mode")
    list_select_related = ("team",)
    search_fields = ("title", "team__title")
    raw_id_fields = ("team",)


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ("content", "team", "is_completed", "order", "created_at")
    list_filter = ("is_completed",)
    list_select_related = ("team",)
    search_fields = ("content", "team__title")
    raw_id_fields = ("team", "assignee", "milestone")


class PostAttachmentInline(admin.TabularInline):
    model = PostAttachment
    extra = 0
    fields = ("name", "size", "created_at")
    readonly_fields = fields


class PostCommentInline(admin.TabularInline):
    model = PostComment
    extra = 0
    raw_id_fields = ("author",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "created_at")
    list_select_related = ("team",)
    search_fields = ("title", "team__title")
    raw_id_fields = ("team", "author")
    readonly_fields = ("created_at", "updated_at")
    inlines = [PostAttachmentInline, PostCommentInline]
