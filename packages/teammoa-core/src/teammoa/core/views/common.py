"""What every page view shares: team access, domain errors → HTTP, form errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_resolver, get_script_prefix
from django.utils import timezone

from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.models import Membership
from teammoa.core.services import membership_of, memberships_reused, require_host

API_NAMESPACE = "teammoa_core_api"
READ_ONLY = frozenset({"GET", "HEAD"})

TeamView = Callable[..., HttpResponse]


def team_page(*, host: bool = False) -> Callable[[TeamView], Callable[..., HttpResponse]]:
    """Resolve ``team`` to the visitor's membership and pass it as the second argument.

    Anonymous visitors go to the login page; non-members get a 404 (no existence leak);
    ``host=True`` pages answer 403 to members. ``NotFound``/``Forbidden`` raised by a
    service inside the view become 404/403 the same way.
    """

    def decorator(view: TeamView) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, team: int, *args: Any, **kwargs: Any) -> HttpResponse:
            # A page read (GET, HEAD) reuses this membership in the services it calls.
            reusing = memberships_reused() if request.method in READ_ONLY else nullcontext()
            with domain_errors_as_http(), reusing:
                lookup = require_host if host else membership_of
                membership = lookup(request.user, team)
                # Times on a team's pages are the team's clock (Team.timezone), whoever reads.
                with timezone.override(membership.team.zone):
                    return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


@contextmanager
def domain_errors_as_http() -> Iterator[None]:
    """``NotFound`` → 404 and ``Forbidden`` → 403; other domain errors pass through."""
    try:
        yield
    except NotFound as error:
        raise Http404(str(error.message)) from error
    except Forbidden as error:
        raise PermissionDenied(str(error.message)) from error


def add_service_errors(form: forms.Form, error: Invalid) -> None:
    """Show a service's ``Invalid`` next to the fields it names (the rest above the form)."""
    if not error.errors:
        form.add_error(None, str(error.message))
        return
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def api_team_url(team_id: int) -> str:
    """Where the REST API answers for this team, or ``""`` when the host project has not
    mounted ``teammoa.core.api.urls`` (the page scripts then leave the plain forms be)."""
    found = get_resolver().namespace_dict.get(API_NAMESPACE)
    if found is None:
        return ""
    prefix = found[0].removeprefix("^")
    return f"{get_script_prefix()}{prefix}teams/{team_id}/"


def render_team_page(
    request: HttpRequest,
    membership: Membership,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    tab: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a page inside a team: the team, my membership and the active tab."""
    base = {
        "team": membership.team,
        "membership": membership,
        "active_tab": tab,
        "api_team_url": api_team_url(membership.team_id),
    }
    return render(request, template, {**base, **(context or {})}, status=status)
