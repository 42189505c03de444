"""Team pages: my teams, create and join, the team home and the host's powers."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teammoa.core import services
from teammoa.core.errors import Conflict, Invalid, NotFound, RateLimited
from teammoa.core.forms import (
    JoinTeamForm,
    MilestoneForm,
    TeamCreateForm,
    TeamSettingsForm,
    TransferHostForm,
)
from teammoa.core.models import Membership, MilestoneStatus
from teammoa.core.navigation import team_home_panels
from teammoa.core.views.common import (
    add_service_errors,
    render_team_page,
    team_page,
)
from teammoa.core.views.timeline import build_timeline


@cache
def _timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _home(team_id: int, anchor: str = "") -> str:
    url = reverse("teammoa_core:team_home", kwargs={"team": team_id})
    return f"{url}#{anchor}" if anchor else url


# --- my teams, create, join ----------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(services.teams_of(request.user))
    return render(request, "teammoa_core/teams/list.html", {"teams": teams})


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TeamCreateForm(request.POST)
        if form.is_valid():
            try:
                team = services.create_team(request.user, **form.service_data())
            except Invalid as error:
                add_service_errors(form, error)
            else:
                ready = _("Your team is ready. Invite people with the invite link.")
                messages.success(request, ready)
                return redirect(_home(team.pk, "invite"))
    else:
        form = TeamCreateForm(initial={"timezone": settings.TIME_ZONE})
    context = {"form": form, "timezones": _timezone_names()}
    return render(request, "teammoa_core/teams/create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_join(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = JoinTeamForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.join_team(request.user, data["invite_code"], data["password"])
            except Invalid as error:
                add_service_errors(form, error)
            except (Conflict, RateLimited) as error:
                form.add_error(None, str(error.message))
                status = 429 if isinstance(error, RateLimited) else 409
            else:
                messages.success(
                    request, _("Welcome to %(team)s!") % {"team": membership.team.title}
                )
                return redirect(_home(membership.team_id))
    else:
        form = JoinTeamForm(initial={"invite_code": request.GET.get("code", "")[:64]})
    return render(request, "teammoa_core/teams/join.html", {"form": form}, status=status)


def _invite_link_problem(request: HttpRequest, error: Invalid) -> HttpResponse:
    problem = (error.errors.get("token") or [str(error.message)])[0]
    context = {"problem": problem}
    return render(request, "teammoa_core/teams/join_link.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def team_join_link(request: HttpRequest, token: str) -> HttpResponse:
    """An invite link: the team's name and one button; no code or password to type."""
    try:
        team = services.team_of_invite_link(token)
    except Invalid as error:
        return _invite_link_problem(request, error)
    try:
        services.membership_of(request.user, team.pk)
    except NotFound:
        pass
    else:
        messages.info(request, _("You are already a member of %(team)s.") % {"team": team.title})
        return redirect(_home(team.pk))
    status = 200
    problem = ""
    if request.method == "POST":
        try:
            membership = services.join_team_by_link(request.user, token)
        except Invalid as error:
            return _invite_link_problem(request, error)
        except Conflict as error:
            problem, status = str(error.message), 409
        else:
            messages.success(request, _("Welcome to %(team)s!") % {"team": team.title})
            return redirect(_home(membership.team_id))
    context = {"team": team, "member_count": team.memberships.count(), "conflict": problem}
    return render(request, "teammoa_core/teams/join_link.html", context, status=status)


# --- the team home -------------------------------------------------------------------------


@team_page()
def team_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    members = list(services.members_of(request.user, team.pk))
    milestones = list(services.milestones_of(request.user, team.pk))
    today = team.today()
    context = {
        "members": members,
        "timeline": build_timeline(milestones, today),
        "statuses": MilestoneStatus.choices,
        "panels": team_home_panels(request, membership),
        # After adding a milestone the panel stays open for the next one.
        "adding_milestones": request.GET.get("adding") == "milestones",
        "milestone_form": MilestoneForm(
            auto_id="milestone_%s",
            initial={"start_date": today, "end_date": today + datetime.timedelta(days=7)},
        ),
    }
    if membership.is_host:
        link = services.invite_link(request.user, team.pk)
        context["invite_link"] = link
        context["invite_url"] = request.build_absolute_uri(
            reverse("teammoa_core:team_join_link", kwargs={"token": link.token})
        )
        # A team of one has one thing to do first: invite. The card then leads the page
        # (on a phone it would come after the milestones otherwise).
        context["inviting_first"] = len(members) == 1
    return render_team_page(
        request, membership, "teammoa_core/teams/home.html", context, tab="home"
    )


# --- host powers ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@team_page(host=True)
def team_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    if request.method == "POST":
        form = TeamSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_team(request.user, team.pk, **form.service_data())
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The team settings are saved."))
                return redirect(_home(team.pk))
    else:
        fields = ("title", "introduction", "max_members", "timezone")
        form = TeamSettingsForm(initial={name: getattr(team, name) for name in fields})
    context = {"form": form, "timezones": _timezone_names()}
    return render_team_page(
        request, membership, "teammoa_core/teams/settings.html", context, tab="home"
    )


@require_POST
@team_page(host=True)
def team_invite_code(request: HttpRequest, membership: Membership) -> HttpResponse:
    services.regenerate_invite_code(request.user, membership.team_id)
    messages.success(
        request, _("A new invite code and link are ready; the old code and links no longer work.")
    )
    return redirect(_home(membership.team_id, "invite"))


@require_http_methods(["GET", "POST"])
@team_page(host=True)
def team_transfer_host(request: HttpRequest, membership: Membership) -> HttpResponse:
    members = list(services.members_of(request.user, membership.team_id))
    if request.method == "POST":
        form = TransferHostForm(request.POST, members=members)
        if form.is_valid():
            try:
                new_host = services.transfer_host(
                    request.user, membership.team_id, form.cleaned_data["member"]
                )
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is now the host.") % {"name": new_host.name})
                return redirect(_home(membership.team_id))
    else:
        form = TransferHostForm(members=members, initial={"member": request.GET.get("member")})
    return render_team_page(
        request,
        membership,
        "teammoa_core/teams/transfer_host.html",
        {"form": form, "has_candidates": len(members) > 1},
        tab="home",
    )


@require_http_methods(["GET", "POST"])
@team_page(host=True)
def team_remove_member(request: HttpRequest, membership: Membership, member: int) -> HttpResponse:
    try:
        target = services.member_of_team(membership.team_id, member)
    except Invalid:
        raise Http404 from None
    if request.method == "POST":
        try:
            services.remove_member(request.user, membership.team_id, target.pk)
        except Conflict as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("%(name)s was removed from the team.") % {"name": target.name}
            )
        return redirect(_home(membership.team_id, "members"))
    return _confirm(
        request,
        membership,
        heading=_("Remove %(name)s?") % {"name": target.name},
        message=_(
            "They lose access to the team at once. Their todos become unassigned; their posts stay."
        ),
        button=_("Remove member"),
    )


@require_http_methods(["GET", "POST"])
@team_page()
def team_leave(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        services.leave_team(request.user, membership.team_id)
        messages.success(request, _("You left %(team)s.") % {"team": membership.team.title})
        return redirect("teammoa_core:team_list")
    if membership.is_host:
        message = _(
            "The longest-standing member becomes the host. If you are the last member, "
            "the team is deleted."
        )
    else:
        message = _("You need the invite code and the password to join again.")
    return _confirm(
        request,
        membership,
        heading=_("Leave %(team)s?") % {"team": membership.team.title},
        message=message,
        button=_("Leave team"),
    )


@require_http_methods(["GET", "POST"])
@team_page(host=True)
def team_disband(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        services.disband_team(request.user, membership.team_id)
        messages.success(request, _("%(team)s was disbanded.") % {"team": membership.team.title})
        return redirect("teammoa_core:team_list")
    return _confirm(
        request,
        membership,
        heading=_("Disband %(team)s?") % {"team": membership.team.title},
        message=_(
            "The team, its milestones, todos, posts and files are deleted for everyone. "
            "This cannot be undone."
        ),
        button=_("Disband team"),
    )


def _confirm(
    request: HttpRequest, membership: Membership, *, heading: str, message: str, button: str
) -> HttpResponse:
    """A confirmation page whose button posts back to the same URL."""
    context = {
        "heading": heading,
        "message": message,
        "button": button,
        "cancel_url": _home(membership.team_id),
    }
    return render_team_page(request, membership, "teammoa_core/confirm.html", context, tab="home")
