"""Team navigation registry: installed TeamMoa apps contribute tabs to the team pages
and panels to the team home.

Core never imports the other apps; each registers its tabs and panels from
``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class TeamTab:
    """One tab of the team page. ``url_name`` is reversed with ``team=<team id>``."""

    key: str
    label: Any
    url_name: str
    order: int = 100


_tabs: dict[str, TeamTab] = {}


def register_team_tab(tab: TeamTab) -> None:
    """Add (or replace, by ``key``) a tab; safe to call again when apps reload."""
    _tabs[tab.key] = tab


def unregister_team_tab(key: str) -> None:
    _tabs.pop(key, None)


def registered_tabs() -> list[TeamTab]:
    return sorted(_tabs.values(), key=lambda tab: (tab.order, tab.key))


@dataclass(frozen=True)
class ResolvedTab:
    key: str
    label: Any
    url: str
    active: bool


def team_tabs(team_id: int, current: str | None = None) -> list[ResolvedTab]:
    """The tabs for one team, in order; a tab whose URL is not installed is left out."""
    resolved = []
    for tab in registered_tabs():
        try:
            url = reverse(tab.url_name, kwargs={"team": team_id})
        except NoReverseMatch:
            continue
        resolved.append(ResolvedTab(tab.key, tab.label, url, tab.key == current))
    return resolved


# --- panels on the team home ---------------------------------------------------------------


@dataclass(frozen=True)
class TeamHomePanel:
    """A card an installed app adds to the team home (core never imports the app).

    ``context(request, membership)`` returns the template's context, or None to show
    nothing for this visit; the template also gets ``team`` and ``membership``. Keep it
    to a constant number of queries: it runs on every visit of the home page.
    """

    key: str
    template_name: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100
    # Team event types (or prefixes ending in "."), e.g. ("meeting.",), after which an open
    # team home reads the panel again (the team socket, docs/team-events.md).
    events: tuple[str, ...] = ()


_panels: dict[str, TeamHomePanel] = {}


def register_team_home_panel(panel: TeamHomePanel) -> None:
    """Add (or replace, by ``key``) a team home panel; call from ``AppConfig.ready()``."""
    _panels[panel.key] = panel


def unregister_team_home_panel(key: str) -> None:
    _panels.pop(key, None)


def team_home_panels(request: HttpRequest, membership: Any) -> list[SafeString]:
    """The registered panels rendered for this visit, in order."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda item: (item.order, item.key)):
        context = panel.context(request, membership)
        if context is None:
            continue
        context = {**context, "team": membership.team, "membership": membership}
        html = render_to_string(panel.template_name, context, request)
        # The wrapper lets the page find the panel again when its events arrive.
        rendered.append(
            format_html(
                '<div class="team-panel" data-team-panel="{}" data-team-panel-events="{}">{}</div>',
                panel.key,
                " ".join(panel.events),
                mark_safe(html),  # noqa: S308 - a template's output
            )
        )
    return rendered
