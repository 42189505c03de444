"""Team navigation registry: installed TeamMoa apps contribute tabs to the team page.

Core never imports the other apps; each registers its tabs from ``AppConfig.ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


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
