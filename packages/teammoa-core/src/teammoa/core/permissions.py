"""Who may do what: one set of policies for the services (which enforce them) and the
pages (which show only the actions a visitor may take).

Each takes the acting membership and the object; none touches the database.
"""

from __future__ import annotations

from teammoa.core.models import Membership, Milestone, Post, PostComment, Todo


def owns_todo(actor: Membership, todo: Todo) -> bool:
    return todo.assignee_id is not None and todo.assignee_id == actor.pk


def can_manage_todo(actor: Membership, todo: Todo) -> bool:
    """Complete, reopen or reorder: the host any todo, a member their own."""
    return actor.is_host or owns_todo(actor, todo)


def can_edit_todo(actor: Membership, todo: Todo) -> bool:
    """Change the text or milestone: who may manage it, and anyone while it is unassigned."""
    return can_manage_todo(actor, todo) or todo.assignee_id is None


def can_reassign_todo(actor: Membership, todo: Todo, target_id: int | None) -> bool:
    """Give ``todo`` to the member ``target_id`` (None: nobody). The host to anyone; a
    member takes an unassigned todo for themself or releases their own."""
    if actor.is_host:
        return True
    taking = todo.assignee_id is None and target_id == actor.pk
    releasing = owns_todo(actor, todo) and target_id is None
    return taking or releasing


def can_assign_others(actor: Membership) -> bool:
    """Choose any member as a todo's assignee (at creation or later)."""
    return actor.is_host


def can_delete_todo(actor: Membership, todo: Todo | None = None) -> bool:
    return actor.is_host


def can_delete_milestone(actor: Membership, milestone: Milestone | None = None) -> bool:
    return actor.is_host


def can_edit_post(actor: Membership, post: Post) -> bool:
    return post.author_id == actor.pk


def can_delete_post(actor: Membership, post: Post) -> bool:
    return post.author_id == actor.pk or actor.is_host


def can_edit_comment(actor: Membership, comment: PostComment) -> bool:
    return comment.author_id == actor.pk


def can_delete_comment(actor: Membership, comment: PostComment) -> bool:
    return comment.author_id == actor.pk or actor.is_host
