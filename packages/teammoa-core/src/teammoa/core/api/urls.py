"""API routes, mounted by the site under ``/api/v1/``."""

from __future__ import annotations

from django.urls import path

from teammoa.core.api import views

app_name = "teammoa_core_api"

TEAM = "teams/<int:team>/"

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("teams/join/", views.TeamJoinView.as_view(), name="team-join"),
    path("teams/join-link/", views.TeamJoinLinkView.as_view(), name="team-join-link"),
    path(TEAM, views.TeamDetailView.as_view(), name="team-detail"),
    path(f"{TEAM}leave/", views.TeamLeaveView.as_view(), name="team-leave"),
    path(f"{TEAM}transfer-host/", views.TransferHostView.as_view(), name="team-transfer-host"),
    path(f"{TEAM}invite-code/", views.InviteCodeView.as_view(), name="team-invite-code"),
    path(f"{TEAM}invite-link/", views.InviteLinkView.as_view(), name="team-invite-link"),
    path(f"{TEAM}members/", views.MemberListView.as_view(), name="member-list"),
    path(f"{TEAM}members/<int:member>/", views.MemberDetailView.as_view(), name="member-detail"),
    path(f"{TEAM}milestones/", views.MilestoneListView.as_view(), name="milestone-list"),
    path(
        f"{TEAM}milestones/<int:id>/",
        views.MilestoneDetailView.as_view(),
        name="milestone-detail",
    ),
    path(f"{TEAM}todos/", views.TodoListView.as_view(), name="todo-list"),
    path(f"{TEAM}todos/<int:id>/", views.TodoDetailView.as_view(), name="todo-detail"),
    path(f"{TEAM}todos/<int:id>/assign/", views.TodoAssignView.as_view(), name="todo-assign"),
    path(f"{TEAM}todos/<int:id>/complete/", views.TodoCompleteView.as_view(), name="todo-complete"),
    path(f"{TEAM}todos/<int:id>/move/", views.TodoMoveView.as_view(), name="todo-move"),
    path(f"{TEAM}posts/", views.PostListView.as_view(), name="post-list"),
    path(f"{TEAM}posts/<int:id>/", views.PostDetailView.as_view(), name="post-detail"),
    path(f"{TEAM}posts/<int:id>/comments/", views.CommentListView.as_view(), name="comment-list"),
    path(
        f"{TEAM}posts/<int:id>/comments/<int:comment>/",
        views.CommentDetailView.as_view(),
        name="comment-detail",
    ),
]
