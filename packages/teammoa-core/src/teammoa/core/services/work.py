"""Milestones and todos: who may change what, and auto progress kept in step."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from teammoa.core import permissions
from teammoa.core.dates import parse_date
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.events import publish_team_event
from teammoa.core.limits import (
    MILESTONE_DESCRIPTION_MAX,
    MILESTONE_TITLE_MAX,
    TASK_DESCRIPTION_MAX,
    TODO_CONTENT_MAX,
)
from teammoa.core.models import Membership, Milestone, Priority, ProgressMode, Todo
from teammoa.core.services.teams import lock_membership, member_of_team, membership_of
from teammoa.core.text import clean_text, clean_text_into
from teammoa.core.users import Actor

# --- milestones ----------------------------------------------------------------------------


def _clean_milestone(data: dict[str, Any], current: Milestone | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    creating = current is None
    if "title" in data or creating:
        cleaned["title"] = clean_text_into(
            errors, data.get("title"), field="title", max_length=MILESTONE_TITLE_MAX
        )
    if "description" in data:
        cleaned["description"] = clean_text_into(
            errors,
            data["description"],
            field="description",
            max_length=MILESTONE_DESCRIPTION_MAX,
            min_length=0,
            multiline=True,
        )
    for field in ("start_date", "end_date"):
        if field in data or creating:
            value = data.get(field)
            if value in (None, ""):
                errors[field] = [_("A date in the form YYYY-MM-DD is required.")]
                continue
            try:
                cleaned[field] = parse_date(value, field)
            except Invalid as exc:
                errors.update(exc.errors)
    if "priority" in data:
        if data["priority"] not in Priority.values:
            errors["priority"] = [_("Choose one of: %s.") % ", ".join(Priority.values)]
        cleaned["priority"] = data["priority"]
    if "progress_mode" in data:
        if data["progress_mode"] not in ProgressMode.values:
            errors["progress_mode"] = [_("Choose one of: %s.") % ", ".join(ProgressMode.values)]
        cleaned["progress_mode"] = data["progress_mode"]
    if "progress" in data:
        value = data["progress"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors["progress"] = [_("A whole number from 0 to 100 is required.")]
        cleaned["progress"] = value
    start = cleaned.get("start_date", current.start_date if current else None)
    end = cleaned.get("end_date", current.end_date if current else None)
    if start and end and start > end and "start_date" not in errors and "end_date" not in errors:
        errors["end_date"] = [_("The end date cannot be before the start date.")]
    mode = cleaned.get("progress_mode", current.progress_mode if current else ProgressMode.AUTO)
    if "progress" in cleaned and mode == ProgressMode.AUTO and "progress" not in errors:
        errors["progress"] = [
            _("In automatic mode progress follows the todos; switch to manual to set it.")
        ]
    if errors:
        raise Invalid(errors)
    return cleaned


def _set_completion(milestone: Milestone) -> None:
    if milestone.progress >= 100:
        milestone.completed_at = milestone.completed_at or timezone.now()
    else:
        milestone.completed_at = None


def recompute_progress(milestone_id: int | None) -> None:
    """In auto mode, progress = share of the milestone's todos that are done (floor)."""
    if milestone_id is None:
        return
    milestone = Milestone.objects.select_for_update().filter(pk=milestone_id).first()
    if milestone is None or milestone.progress_mode != ProgressMode.AUTO:
        return
    counts = milestone.todos.aggregate(
        total=Count("id"), done=Count("id", filter=Q(is_completed=True))
    )
    total, done = counts["total"], counts["done"]
    progress = (done * 100 // total) if total else 0
    before = (milestone.progress, milestone.completed_at)
    milestone.progress = progress
    _set_completion(milestone)
    if (milestone.progress, milestone.completed_at) != before:
        milestone.save(update_fields=["progress", "completed_at", "updated_at"])


def milestones_of(user: Actor, team_id: Any) -> QuerySet[Milestone]:
    membership = membership_of(user, team_id)
    return Milestone.objects.filter(team_id=membership.team_id)


def _get_milestone(membership: Membership, milestone_id: Any) -> Milestone:
    try:
        return Milestone.objects.select_for_update().get(
            team_id=membership.team_id, pk=int(milestone_id)
        )
    except (Milestone.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Milestone not found.")) from None


def get_milestone(user: Actor, team_id: Any, milestone_id: Any) -> Milestone:
    try:
        return milestones_of(user, team_id).get(pk=int(milestone_id))
    except (Milestone.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Milestone not found.")) from None


@transaction.atomic
def create_milestone(user: Actor, team_id: Any, **data: Any) -> Milestone:
    _team, membership = lock_membership(user, team_id)
    cleaned = _clean_milestone(data, None)
    milestone = Milestone(team_id=membership.team_id, **cleaned)
    _set_completion(milestone)
    milestone.save()
    _milestone_changed(user, milestone.team_id, milestone.pk)
    return milestone


@transaction.atomic
def update_milestone(user: Actor, team_id: Any, milestone_id: Any, **data: Any) -> Milestone:
    """Any member edits; manual→auto recomputes at once, auto→manual keeps the value."""
    _team, membership = lock_membership(user, team_id)
    milestone = _get_milestone(membership, milestone_id)
    cleaned = _clean_milestone(data, milestone)
    for field, value in cleaned.items():
        setattr(milestone, field, value)
    _set_completion(milestone)
    milestone.save()
    if milestone.progress_mode == ProgressMode.AUTO:
        recompute_progress(milestone.pk)
        milestone.refresh_from_db()
    _milestone_changed(user, milestone.team_id, milestone.pk)
    return milestone


@transaction.atomic
def delete_milestone(user: Actor, team_id: Any, milestone_id: Any) -> None:
    _team, membership = lock_membership(user, team_id)
    milestone = _get_milestone(membership, milestone_id)
    if not permissions.can_delete_milestone(membership, milestone):
        raise Forbidden(_("Only the team's host can delete milestones."))
    milestone_id = milestone.pk
    milestone.delete()
    _milestone_changed(user, membership.team_id, milestone_id, deleted=True)


def _milestone_changed(user: Actor, team_id: int, milestone_id: int, deleted: bool = False) -> None:
    publish_team_event(
        team_id, "milestone.changed", by=user, milestone=milestone_id, deleted=deleted
    )


def _todo_changed(user: Actor, todo: Todo) -> None:
    publish_team_event(todo.team_id, "todo.changed", by=user, todo=todo.pk)


# --- todos ---------------------------------------------------------------------------------


def todos_of(user: Actor, team_id: Any) -> QuerySet[Todo]:
    """The team's todos. Their assignees are not joined: the API and the board read only
    ``assignee_id`` (the board names assignees from the members it lists)."""
    membership = membership_of(user, team_id)
    return Todo.objects.filter(team_id=membership.team_id)


def _get_todo(membership: Membership, todo_id: Any) -> Todo:
    try:
        return Todo.objects.select_for_update().get(team_id=membership.team_id, pk=int(todo_id))
    except (Todo.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Todo not found.")) from None


def get_todo(user: Actor, team_id: Any, todo_id: Any) -> Todo:
    membership = membership_of(user, team_id)
    try:
        return Todo.objects.get(team_id=membership.team_id, pk=int(todo_id))
    except (Todo.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Todo not found.")) from None


def _clean_content(value: Any) -> str:
    return clean_text(value, field="content", max_length=TODO_CONTENT_MAX)


def _clean_details(data: dict[str, Any]) -> dict[str, Any]:
    """The optional description and due date (``None`` or "" clears either)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "description" in data:
        cleaned["description"] = clean_text_into(
            errors,
            data["description"] if data["description"] is not None else "",
            field="description",
            max_length=TASK_DESCRIPTION_MAX,
            min_length=0,
            multiline=True,
        )
    if "due_date" in data:
        value = data["due_date"]
        if value in (None, ""):
            cleaned["due_date"] = None
        else:
            try:
                cleaned["due_date"] = parse_date(value, "due_date")
            except Invalid as exc:
                errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    return cleaned


def _milestone_of_team(team_id: int, milestone_id: Any) -> Milestone | None:
    if milestone_id is None:
        return None
    try:
        return Milestone.objects.get(team_id=team_id, pk=int(milestone_id))
    except (Milestone.DoesNotExist, TypeError, ValueError):
        raise Invalid.field("milestone", _("No such milestone in this team.")) from None


def _next_order(team_id: int) -> int:
    current = Todo.objects.filter(team_id=team_id).aggregate(top=Max("order"))["top"]
    return 0 if current is None else current + 1


@transaction.atomic
def create_todo(
    user: Actor,
    team_id: Any,
    content: Any,
    milestone: Any = None,
    assignee: Any = None,
    **details: Any,
) -> Todo:
    """Any member creates; a member may assign only themself, the host anyone.
    ``details``: ``description`` and ``due_date``, both optional."""
    _team, actor = lock_membership(user, team_id)
    unknown = set(details) - {"description", "due_date"}
    if unknown:
        raise Invalid({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    content = _clean_content(content)
    extra = _clean_details(details)
    milestone_obj = _milestone_of_team(actor.team_id, milestone)
    assignee_obj = None
    if assignee is not None:
        assignee_obj = member_of_team(actor.team_id, assignee, field="assignee")
        if not permissions.can_assign_others(actor) and assignee_obj.pk != actor.pk:
            raise Forbidden(_("Only the host can assign a todo to someone else."))
    todo = Todo.objects.create(
        team_id=actor.team_id,
        content=content,
        milestone=milestone_obj,
        assignee=assignee_obj,
        order=_next_order(actor.team_id),
        **extra,
    )
    recompute_progress(todo.milestone_id)
    _todo_changed(user, todo)
    return todo


@transaction.atomic
def update_todo(user: Actor, team_id: Any, todo_id: Any, **data: Any) -> Todo:
    """Edit content, description, due date, milestone or position (``order``); host any,
    members their own or unassigned todos (position only for their own)."""
    # The team lock first (see lock_membership): a move renumbers a whole column, and
    # two moves locking their own todo before the column deadlocked on MySQL.
    _team, actor = lock_membership(user, team_id)
    todo = _get_todo(actor, todo_id)
    unknown = set(data) - {"content", "description", "due_date", "milestone", "order"}
    if unknown:
        raise Invalid({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    allowed = permissions.can_manage_todo if "order" in data else permissions.can_edit_todo
    if not allowed(actor, todo):
        raise Forbidden(_("You can only change your own todos."))
    if "order" in data:
        position = _clean_position(data["order"])
    old_milestone = todo.milestone_id
    if "content" in data:
        todo.content = _clean_content(data["content"])
    for name, value in _clean_details(data).items():
        setattr(todo, name, value)
    if "milestone" in data:
        todo.milestone = _milestone_of_team(actor.team_id, data["milestone"])
    todo.save(update_fields=["content", "description", "due_date", "milestone"])
    if "order" in data:
        _move_in_column(todo, position)
    if todo.milestone_id != old_milestone:
        recompute_progress(old_milestone)
        recompute_progress(todo.milestone_id)
    _todo_changed(user, todo)
    return todo


def _column(todo: Todo) -> QuerySet[Todo]:
    todos = Todo.objects.filter(team_id=todo.team_id, is_completed=todo.is_completed)
    if not todo.is_completed:
        todos = todos.filter(assignee_id=todo.assignee_id)
    return todos.order_by("order", "id")


def _clean_position(position: Any) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise Invalid.field("order", _("A position of 0 or more is required."))
    return position


def _move_in_column(todo: Todo, position: int) -> None:
    """Put the todo at ``position`` (0-based, clamped to the end) of its board column and
    renumber the column 0, 1, 2, ... so each todo's ``order`` is its position."""
    others = [t for t in _column(todo).select_for_update() if t.pk != todo.pk]
    position = min(position, len(others))
    ordered = [*others[:position], todo, *others[position:]]
    changed = []
    for index, item in enumerate(ordered):
        if item.order != index:
            item.order = index
            changed.append(item)
    Todo.objects.bulk_update(changed, ["order"])


@transaction.atomic
def assign_todo(user: Actor, team_id: Any, todo_id: Any, member: Any) -> Todo:
    """Host: assign to any member or nobody. Member: take an unassigned todo, or release
    their own."""
    _team, actor = lock_membership(user, team_id)
    todo = _get_todo(actor, todo_id)
    if _assign(actor, todo, member):
        todo.order = _next_order(actor.team_id)  # to the end of its new column
        todo.save(update_fields=["assignee", "order"])
        _todo_changed(user, todo)
    return todo


@transaction.atomic
def complete_todo(user: Actor, team_id: Any, todo_id: Any, is_completed: Any) -> Todo:
    _team, actor = lock_membership(user, team_id)
    todo = _get_todo(actor, todo_id)
    if _complete(actor, todo, is_completed):
        todo.order = _next_order(actor.team_id)
        todo.save(update_fields=["is_completed", "completed_at", "order"])
        recompute_progress(todo.milestone_id)
        _todo_changed(user, todo)
    return todo


UNCHANGED: Any = object()


@transaction.atomic
def move_todo(
    user: Actor,
    team_id: Any,
    todo_id: Any,
    *,
    assignee: Any = UNCHANGED,
    is_completed: Any = UNCHANGED,
    order: Any = UNCHANGED,
) -> Todo:
    """One drag on the board as one change: reopen or complete, take, hand over or
    release, and place at ``order`` in the todo's (new) column, under one team lock and in
    one transaction, with the same rules as ``assign_todo``, ``complete_todo`` and
    ``update_todo``, applied in that order. Without ``order`` a todo that changed column
    goes to its end. Nothing is saved when any part is refused."""
    _team, actor = lock_membership(user, team_id)
    todo = _get_todo(actor, todo_id)
    position = None if order is UNCHANGED else _clean_position(order)
    if is_completed is not UNCHANGED and not isinstance(is_completed, bool):
        raise Invalid.field("is_completed", _("Must be true or false."))
    reopened = is_completed is False and _complete(actor, todo, False)
    # A drop into the column it is already in changes no assignee (and needs no right to).
    same = (assignee is None or type(assignee) is int) and assignee == todo.assignee_id
    moved = assignee is not UNCHANGED and not same and _assign(actor, todo, assignee)
    completed = is_completed is True and _complete(actor, todo, True)
    if position is not None and not permissions.can_manage_todo(actor, todo):
        raise Forbidden(_("You can only change your own todos."))
    if reopened or moved or completed:
        todo.order = _next_order(actor.team_id)
        todo.save(update_fields=["assignee", "is_completed", "completed_at", "order"])
    if position is not None:
        _move_in_column(todo, position)
    if reopened or completed:
        recompute_progress(todo.milestone_id)
    if reopened or moved or completed or position is not None:
        _todo_changed(user, todo)
    return todo


def _assign(actor: Membership, todo: Todo, member: Any) -> bool:
    """Set the assignee in memory if the actor may; True when it changed."""
    target = None if member is None else member_of_team(actor.team_id, member)
    if not permissions.can_reassign_todo(actor, todo, target.pk if target else None):
        raise Forbidden(
            _("Members can take an unassigned todo for themselves or release their own.")
        )
    if todo.assignee_id == (target.pk if target else None):
        return False
    todo.assignee = target
    return True


def _complete(actor: Membership, todo: Todo, is_completed: Any) -> bool:
    """Set completion in memory if the actor may; True when it changed."""
    if not isinstance(is_completed, bool):
        raise Invalid.field("is_completed", _("Must be true or false."))
    if not permissions.can_manage_todo(actor, todo):
        raise Forbidden(_("You can only complete your own todos."))
    if todo.is_completed == is_completed:
        return False
    todo.is_completed = is_completed
    todo.completed_at = timezone.now() if is_completed else None
    return True


@transaction.atomic
def delete_todo(user: Actor, team_id: Any, todo_id: Any) -> None:
    _team, actor = lock_membership(user, team_id)
    todo = _get_todo(actor, todo_id)
    if not permissions.can_delete_todo(actor, todo):
        raise Forbidden(_("Only the team's host can delete todos."))
    milestone_id, pk = todo.milestone_id, todo.pk
    todo.delete()
    recompute_progress(milestone_id)
    publish_team_event(actor.team_id, "todo.deleted", by=user, todo=pk)
