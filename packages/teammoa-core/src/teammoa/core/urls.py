"""Page URLs of the core app; include with ``path("", include("teammoa.core.urls"))``."""

from __future__ import annotations

from django.urls import path

from teammoa.core import downloads
from teammoa.core.views import posts, teams, work

app_name = "teammoa_core"

urlpatterns = [
    # my teams
    path("teams/", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/join/", teams.team_join, name="team_join"),
    path("teams/join/<str:token>/", teams.team_join_link, name="team_join_link"),
    # one team
    path("teams/<int:team>/", teams.team_home, name="team_home"),
    path("teams/<int:team>/settings/", teams.team_settings, name="team_settings"),
    path("teams/<int:team>/invite-code/", teams.team_invite_code, name="team_invite_code"),
    path("teams/<int:team>/transfer-host/", teams.team_transfer_host, name="team_transfer_host"),
    path(
        "teams/<int:team>/members/<int:member>/remove/",
        teams.team_remove_member,
        name="team_remove_member",
    ),
    path("teams/<int:team>/leave/", teams.team_leave, name="team_leave"),
    path("teams/<int:team>/disband/", teams.team_disband, name="team_disband"),
    # milestones
    path("teams/<int:team>/milestones/new/", work.milestone_create, name="milestone_create"),
    path(
        "teams/<int:team>/milestones/<int:milestone>/edit/",
        work.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "teams/<int:team>/milestones/<int:milestone>/delete/",
        work.milestone_delete,
        name="milestone_delete",
    ),
    # the todo board
    path("teams/<int:team>/todos/", work.todo_board, name="todo_board"),
    path("teams/<int:team>/todos/new/", work.todo_create, name="todo_create"),
    path("teams/<int:team>/todos/<int:todo>/assign/", work.todo_assign, name="todo_assign"),
    path("teams/<int:team>/todos/<int:todo>/complete/", work.todo_complete, name="todo_complete"),
    path("teams/<int:team>/todos/<int:todo>/edit/", work.todo_edit, name="todo_edit"),
    path("teams/<int:team>/todos/<int:todo>/move/", work.todo_move, name="todo_move"),
    path("teams/<int:team>/todos/<int:todo>/delete/", work.todo_delete, name="todo_delete"),
    # the board of posts
    path("teams/<int:team>/posts/", posts.post_list, name="post_list"),
    path("teams/<int:team>/posts/new/", posts.post_create, name="post_create"),
    path("teams/<int:team>/posts/<int:post>/", posts.post_detail, name="post_detail"),
    path("teams/<int:team>/posts/<int:post>/edit/", posts.post_edit, name="post_edit"),
    path("teams/<int:team>/posts/<int:post>/delete/", posts.post_delete, name="post_delete"),
    path(
        "teams/<int:team>/posts/<int:post>/attachment/",
        downloads.attachment_download,
        name="post_attachment",
    ),
    path(
        "teams/<int:team>/posts/<int:post>/files/<int:file>/",
        downloads.file_download,
        name="post_file",
    ),
    path(
        "teams/<int:team>/posts/<int:post>/comments/",
        posts.comment_create,
        name="comment_create",
    ),
    path(
        "teams/<int:team>/posts/<int:post>/comments/<int:comment>/edit/",
        posts.comment_edit,
        name="comment_edit",
    ),
    path(
        "teams/<int:team>/posts/<int:post>/comments/<int:comment>/delete/",
        posts.comment_delete,
        name="comment_delete",
    ),
]
