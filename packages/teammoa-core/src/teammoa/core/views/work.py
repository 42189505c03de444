"""Milestone forms and the todo board (columns: unassigned, one per member, done)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teammoa.core import permissions, services
from teammoa.core.errors import Conflict, Invalid
from teammoa.core.forms import MilestoneForm, TodoForm
from teammoa.core.models import Membership, Milestone, Todo
from teammoa.core.views.common import add_service_errors, render_team_page, team_page

# --- milestones ----------------------------------------------------------------------------


def _home(team_id: int) -> str:
    return reverse("teammoa_core:team_home", kwargs={"team": team_id}) + "#milestones"


@require_http_methods(["GET", "POST"])
@team_page()
def milestone_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        form = MilestoneForm(request.POST, auto_id="milestone_%s")
        if form.is_valid():
            try:
                milestone = services.create_milestone(
                    request.user, membership.team_id, **form.service_data()
                )
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Milestone “%(title)s” added.") % {"title": milestone.title}
                )
                # Back to the home with the add panel still open, ready for the next one.
                home = reverse("teammoa_core:team_home", kwargs={"team": membership.team_id})
                return redirect(f"{home}?adding=milestones#milestones")
    else:
        form = MilestoneForm(auto_id="milestone_%s")
    return render_team_page(
        request,
        membership,
        "teammoa_core/milestones/form.html",
        {"form": form, "milestone": None},
        tab="home",
    )


@require_http_methods(["GET", "POST"])
@team_page()
def milestone_edit(request: HttpRequest, membership: Membership, milestone: int) -> HttpResponse:
    current = services.get_milestone(request.user, membership.team_id, milestone)
    if request.method == "POST":
        form = MilestoneForm(request.POST, auto_id="milestone_%s")
        if form.is_valid():
            try:
                services.update_milestone(
                    request.user, membership.team_id, current.pk, **form.service_data()
                )
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Milestone saved."))
                return redirect(_home(membership.team_id))
    else:
        form = MilestoneForm.for_milestone(current)
        form.auto_id = "milestone_%s"
    return render_team_page(
        request,
        membership,
        "teammoa_core/milestones/form.html",
        {"form": form, "milestone": current},
        tab="home",
    )


@require_http_methods(["GET", "POST"])
@team_page(host=True)
def milestone_delete(request: HttpRequest, membership: Membership, milestone: int) -> HttpResponse:
    current = services.get_milestone(request.user, membership.team_id, milestone)
    if request.method == "POST":
        services.delete_milestone(request.user, membership.team_id, current.pk)
        messages.success(request, _("Milestone “%(title)s” deleted.") % {"title": current.title})
        return redirect(_home(membership.team_id))
    context = {
        "heading": _("Delete the milestone “%(title)s”?") % {"title": current.title},
        "message": _("Its todos stay on the board without a milestone."),
        "button": _("Delete milestone"),
        "cancel_url": reverse(
            "teammoa_core:milestone_edit",
            kwargs={"team": membership.team_id, "milestone": current.pk},
        ),
    }
    return render_team_page(request, membership, "teammoa_core/confirm.html", context, tab="home")


# --- the todo board ------------------------------------------------------------------------

UNASSIGNED = "none"  # the "member" a todo is assigned to when it goes back to Unassigned


@dataclass
class Card:
    """A todo on the board with what the visitor may do with it. The services decide;
    these flags only leave out buttons the services would refuse."""

    todo: Todo
    position: int  # in the todo's whole column, as the service counts it
    assignee_name: str = ""
    last: bool = False
    can_manage: bool = False  # complete, reorder (host: any todo; member: their own)
    can_assign: bool = False  # host: move to any column
    can_take: bool = False  # member: an unassigned todo for themself
    can_release: bool = False  # member: give their own todo back
    can_edit: bool = False  # the text (host: any todo; member: their own or unassigned)
    can_delete: bool = False
    overdue: bool = False

    @property
    def draggable(self) -> bool:
        return self.can_manage or self.can_take

    @property
    def has_actions(self) -> bool:
        return self.can_manage or self.can_take or self.can_edit or self.can_delete


@dataclass
class Column:
    key: str
    label: str
    kind: str  # "unassigned" | "member" | "done"
    member: Membership | None = None
    cards: list[Card] = field(default_factory=list)


def _columns(
    me: Membership, members: list[Membership], todos: list[Todo], today: datetime.date
) -> list[Column]:
    unassigned = Column("unassigned", _("Unassigned"), "unassigned")
    by_member = {m.pk: Column(f"member-{m.pk}", m.name, "member", member=m) for m in members}
    done = Column("done", _("Done"), "done")
    for todo in todos:  # ordered by (order, id): positions follow the service's columns
        column = done if todo.is_completed else by_member.get(todo.assignee_id, unassigned)
        assignee = by_member.get(todo.assignee_id)
        open_ = not todo.is_completed
        # The services' own policies; the host picks any member from a menu, a member
        # sees "take" or "release" where the policy allows it (open todos only).
        host_menu = permissions.can_assign_others(me)
        column.cards.append(
            Card(
                todo=todo,
                position=len(column.cards),
                assignee_name=assignee.label if assignee else "",
                can_manage=permissions.can_manage_todo(me, todo),
                can_assign=host_menu and open_,
                can_take=not host_menu
                and open_
                and todo.assignee_id is None
                and permissions.can_reassign_todo(me, todo, me.pk),
                can_release=not host_menu
                and open_
                and permissions.owns_todo(me, todo)
                and permissions.can_reassign_todo(me, todo, None),
                can_edit=permissions.can_edit_todo(me, todo),
                can_delete=permissions.can_delete_todo(me, todo),
                overdue=todo.is_overdue_on(today),
            )
        )
    columns = [unassigned, *by_member.values(), done]
    for column in columns:
        if column.cards:
            column.cards[-1].last = True
    return columns


def _member_options(members: list[Membership]) -> str:
    """The "move to" choices, rendered once for every card of the host's board."""
    return format_html_join("", '<option value="{}">{}</option>', ((m.pk, m.name) for m in members))


def _milestone_filter(request: HttpRequest, milestones: list[Milestone]) -> Milestone | None:
    wanted = request.GET.get("milestone", "")
    return next((m for m in milestones if str(m.pk) == wanted), None)


def _board(
    request: HttpRequest, membership: Membership, form: TodoForm | None = None
) -> HttpResponse:
    team_id = membership.team_id
    members = list(services.members_of(request.user, team_id))
    milestones = list(services.milestones_of(request.user, team_id))
    todos = list(services.todos_of(request.user, team_id).select_related("milestone"))
    columns = _columns(membership, members, todos, membership.team.today())
    selected = _milestone_filter(request, milestones)
    if selected is not None:
        for column in columns:
            column.cards = [card for card in column.cards if card.todo.milestone_id == selected.pk]
    if form is None:
        initial = {"milestone": selected.pk} if selected else {}
        form = TodoForm(milestones=milestones, initial=initial, auto_id="todo_%s")
    context = {
        "columns": columns,
        "members": members,
        "member_options": _member_options(members) if membership.is_host else "",
        "unassigned": UNASSIGNED,
        "milestones": milestones,
        "selected_milestone": selected,
        "form": form,
        "board_url": request.get_full_path(),
    }
    return render_team_page(
        request, membership, "teammoa_core/todos/board.html", context, tab="todos"
    )


@team_page()
def todo_board(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _board(request, membership)


def _back(request: HttpRequest, team_id: int, anchor: str = "") -> HttpResponse:
    """Back to the board the form was posted from (keeping its filter)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("teammoa_core:todo_board", kwargs={"team": team_id})
    return redirect(f"{target.split('#')[0]}#{anchor}" if anchor else target)


@require_POST
@team_page()
def todo_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    milestones = list(services.milestones_of(request.user, membership.team_id))
    form = TodoForm(request.POST, milestones=milestones, auto_id="todo_%s")
    if form.is_valid():
        try:
            todo = services.create_todo(
                request.user,
                membership.team_id,
                form.cleaned_data["content"],
                milestone=form.cleaned_data["milestone"],
                description=form.cleaned_data["description"],
                due_date=form.cleaned_data["due_date"] or None,
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Todo added."))
            return _back(request, membership.team_id, f"todo-{todo.pk}")
    return _board(request, membership, form)


def _todo_action(request: HttpRequest, membership: Membership, todo: int, act: Any) -> HttpResponse:
    try:
        message = act()
    except (Invalid, Conflict) as error:
        detail = error.errors if isinstance(error, Invalid) and error.errors else None
        text = " ".join(m for msgs in detail.values() for m in msgs) if detail else error.message
        messages.error(request, str(text))
    else:
        messages.success(request, message)
    return _back(request, membership.team_id, f"todo-{todo}")


@require_POST
@team_page()
def todo_assign(request: HttpRequest, membership: Membership, todo: int) -> HttpResponse:
    raw = request.POST.get("member", "")
    if not raw:
        messages.error(request, _("Choose where to move the todo."))
        return _back(request, membership.team_id, f"todo-{todo}")
    member = None if raw == UNASSIGNED else raw

    def act() -> str:
        services.assign_todo(request.user, membership.team_id, todo, member)
        return _("Todo assigned.") if member else _("Todo moved to Unassigned.")

    return _todo_action(request, membership, todo, act)


@require_POST
@team_page()
def todo_complete(request: HttpRequest, membership: Membership, todo: int) -> HttpResponse:
    done = request.POST.get("is_completed") == "true"

    def act() -> str:
        services.complete_todo(request.user, membership.team_id, todo, done)
        return _("Todo done.") if done else _("Todo reopened.")

    return _todo_action(request, membership, todo, act)


@require_POST
@team_page()
def todo_edit(request: HttpRequest, membership: Membership, todo: int) -> HttpResponse:
    def act() -> str:
        changes = {
            name: request.POST[name]
            for name in ("content", "description", "due_date")
            if name in request.POST
        }
        services.update_todo(request.user, membership.team_id, todo, **changes)
        return _("Todo saved.")

    return _todo_action(request, membership, todo, act)


@require_POST
@team_page()
def todo_move(request: HttpRequest, membership: Membership, todo: int) -> HttpResponse:
    def act() -> str:
        try:
            order: Any = int(request.POST.get("order", ""))
        except ValueError:
            order = None  # the service names the bad field
        services.update_todo(request.user, membership.team_id, todo, order=order)
        return _("Todo moved.")

    return _todo_action(request, membership, todo, act)


@require_POST
@team_page()
def todo_delete(request: HttpRequest, membership: Membership, todo: int) -> HttpResponse:
    def act() -> str:
        services.delete_todo(request.user, membership.team_id, todo)
        return _("Todo deleted.")

    return _todo_action(request, membership, todo, act)
