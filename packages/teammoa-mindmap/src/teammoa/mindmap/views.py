"""Pages: the team's mindmaps (create, import, delete) and the editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teammoa.core.errors import Invalid
from teammoa.core.models import Membership
from teammoa.core.views import team_page
from teammoa.mindmap import exports, services
from teammoa.mindmap.conf import conf
from teammoa.mindmap.presence import person

TAB = "mindmap"


def _api_url(name: str, **kwargs: Any) -> str:
    """An API URL when the host project mounts ``teammoa.mindmap.api.urls``, else ``""``."""
    try:
        return reverse(f"teammoa_mindmap_api:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return {"team": membership.team, "membership": membership, "active_tab": TAB, **extra}


@team_page()
@require_http_methods(["GET", "POST"])
def mindmap_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    title = ""
    if request.method == "POST":
        title = request.POST.get("title", "")
        try:
            mindmap = services.create_mindmap(request.user, membership.team_id, title)
        except Invalid as exc:
            errors = exc.errors
        else:
            return redirect(
                "teammoa_mindmap:mindmap_editor", team=membership.team_id, mindmap=mindmap.pk
            )
    mindmaps = services.mindmaps_of(request.user, membership.team_id)
    context = _context(
        membership, mindmaps=mindmaps, errors=errors, title=title, formats=_formats()
    )
    return render(request, "teammoa_mindmap/list.html", context, status=400 if errors else 200)


@team_page()
@require_POST
def mindmap_import(request: HttpRequest, membership: Membership) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        raw = exports.importing.read_upload(upload)
        mindmap = exports.import_mindmap(request.user, membership.team_id, raw)
    except Invalid as exc:
        for messages_of_field in exc.errors.values():
            for message in messages_of_field:
                messages.error(request, message)
        return redirect("teammoa_mindmap:mindmap_list", team=membership.team_id)
    messages.success(request, _("Imported “%(title)s”.") % {"title": mindmap.title})
    return redirect("teammoa_mindmap:mindmap_editor", team=membership.team_id, mindmap=mindmap.pk)


@team_page()
def mindmap_editor(request: HttpRequest, membership: Membership, mindmap: int) -> HttpResponse:
    found = services.get_mindmap(request.user, membership.team_id, mindmap)
    context = _context(
        membership,
        mindmap=found,
        me=person(request.user),
        socket_path=f"/ws/mindmaps/{found.pk}/",  # the protocol's fixed route (routing.py)
        api_url=_api_url("mindmap-detail", team=membership.team_id, id=found.pk),
        canvas_width=conf.CANVAS_WIDTH,
        canvas_height=conf.CANVAS_HEIGHT,
        formats=_formats(),
    )
    return render(request, "teammoa_mindmap/editor.html", context)


@team_page()
@require_POST
def mindmap_delete(request: HttpRequest, membership: Membership, mindmap: int) -> HttpResponse:
    found = services.get_mindmap(request.user, membership.team_id, mindmap)
    services.delete_mindmap(request.user, membership.team_id, found.pk)
    messages.success(request, _("Deleted “%(title)s”.") % {"title": found.title})
    return redirect("teammoa_mindmap:mindmap_list", team=membership.team_id)


@team_page()
def mindmap_export(
    request: HttpRequest, membership: Membership, mindmap: int, fmt: str
) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404(_("Unknown format."))
    from teammoa.mindmap.api.views import export_response

    return export_response(services.get_mindmap(request.user, membership.team_id, mindmap), fmt)


def _formats() -> list[tuple[str, str]]:
    return [
        ("json", _("JSON (re-importable)")),
        ("md", _("Markdown outline")),
        ("opml", "OPML"),
        ("mm", _("FreeMind (.mm)")),
        ("svg", "SVG"),
        ("png", "PNG"),
    ]
