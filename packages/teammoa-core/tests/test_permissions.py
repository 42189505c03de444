"""The policies the services enforce and the pages show (teammoa.core.permissions)."""

from __future__ import annotations

import pytest

from teammoa.core import permissions as p
from teammoa.core.models import Membership, Post, Role, Todo

HOST, ME, OTHER = 1, 2, 3


def member(pk: int) -> Membership:
    return Membership(pk=pk, role=Role.HOST if pk == HOST else Role.MEMBER)


@pytest.mark.parametrize(
    ("actor", "assignee", "manage", "edit", "take", "release", "delete"),
    [
        (HOST, None, True, True, True, False, True),
        (HOST, OTHER, True, True, True, True, True),
        (ME, None, False, True, True, False, False),
        (ME, ME, True, True, False, True, False),
        (ME, OTHER, False, False, False, False, False),
    ],
)
def test_todo_policies(actor, assignee, manage, edit, take, release, delete):
    who, todo = member(actor), Todo(assignee_id=assignee)
    assert p.can_manage_todo(who, todo) is manage
    assert p.can_edit_todo(who, todo) is edit
    assert p.can_reassign_todo(who, todo, who.pk) is take or who.is_host
    assert p.can_reassign_todo(who, todo, None) is release or who.is_host
    assert p.can_delete_todo(who, todo) is delete


def test_only_the_host_hands_todos_to_others():
    assert p.can_reassign_todo(member(HOST), Todo(assignee_id=ME), OTHER)
    assert not p.can_reassign_todo(member(ME), Todo(assignee_id=None), OTHER)
    assert p.can_assign_others(member(HOST)) and not p.can_assign_others(member(ME))


@pytest.mark.parametrize(
    ("actor", "author", "edit", "delete"),
    [(ME, ME, True, True), (OTHER, ME, False, False), (HOST, ME, False, True)],
)
def test_post_policies(actor, author, edit, delete):
    post = Post(author_id=author)
    assert p.can_edit_post(member(actor), post) is edit
    assert p.can_delete_post(member(actor), post) is delete
