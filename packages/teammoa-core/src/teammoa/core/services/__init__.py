"""The rules of teams, milestones, todos and posts.

Every function takes the acting user and plain values, checks permissions inside a
transaction and raises a ``teammoa.core.errors`` error when a rule says no.
"""

from teammoa.core.services.posts import (
    create_post,
    delete_post,
    get_post,
    posts_of,
    update_post,
)
from teammoa.core.services.teams import (
    create_team,
    disband_team,
    join_team,
    leave_all_teams,
    leave_team,
    member_of_team,
    members_of,
    membership_of,
    regenerate_invite_code,
    remove_member,
    require_host,
    teams_of,
    transfer_host,
    update_team,
)
from teammoa.core.services.work import (
    assign_todo,
    complete_todo,
    create_milestone,
    create_todo,
    delete_milestone,
    delete_todo,
    get_milestone,
    get_todo,
    milestones_of,
    recompute_progress,
    todos_of,
    update_milestone,
    update_todo,
)

__all__ = [
    "assign_todo",
    "complete_todo",
    "create_milestone",
    "create_post",
    "create_team",
    "create_todo",
    "delete_milestone",
    "delete_post",
    "delete_todo",
    "disband_team",
    "get_milestone",
    "get_post",
    "get_todo",
    "join_team",
    "leave_all_teams",
    "leave_team",
    "member_of_team",
    "members_of",
    "membership_of",
    "milestones_of",
    "posts_of",
    "recompute_progress",
    "regenerate_invite_code",
    "remove_member",
    "require_host",
    "teams_of",
    "todos_of",
    "transfer_host",
    "update_milestone",
    "update_post",
    "update_team",
    "update_todo",
]
