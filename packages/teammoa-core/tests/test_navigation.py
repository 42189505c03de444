"""The team navigation registry: apps contribute tabs; uninstalled URLs are left out."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.urls import include, path

from teammoa.core import navigation
from teammoa.core.navigation import (
    ResolvedTab,
    TeamTab,
    register_team_tab,
    registered_tabs,
    team_tabs,
    unregister_team_home_panel,
    unregister_team_tab,
)


def _view(request, team):  # pragma: no cover - only reversed, never called
    return HttpResponse()


# This module is the URLconf of the tests marked ``urls(__name__)``: two tab pages.
urlpatterns = [
    path("", include("teammoa.core.urls")),
    path("teams/<int:team>/", _view, name="team_home"),
    path("teams/<int:team>/schedule/", _view, name="team_schedule"),
]


@pytest.fixture(autouse=True)
def empty_registry():
    """Each test starts from an empty registry; whatever apps registered comes back after."""
    saved = dict(navigation._tabs)
    navigation._tabs.clear()
    yield
    navigation._tabs.clear()
    navigation._tabs.update(saved)


def keys() -> list[str]:
    return [tab.key for tab in registered_tabs()]


def test_registered_tabs_come_back_in_order_then_by_key():
    register_team_tab(TeamTab("mindmap", "Mindmaps", "team_mindmaps", order=30))
    register_team_tab(TeamTab("home", "Home", "team_home", order=0))
    register_team_tab(TeamTab("board", "Board", "team_board", order=30))
    register_team_tab(TeamTab("schedule", "Schedule", "team_schedule", order=20))

    assert keys() == ["home", "schedule", "board", "mindmap"]


def test_default_order_puts_a_tab_last():
    register_team_tab(TeamTab("extra", "Extra", "team_extra"))
    register_team_tab(TeamTab("home", "Home", "team_home", order=0))

    assert keys() == ["home", "extra"]
    assert registered_tabs()[1].order == 100


def test_registering_the_same_key_replaces_the_tab():
    register_team_tab(TeamTab("schedule", "Schedule", "team_schedule", order=20))
    register_team_tab(TeamTab("schedule", "Timetable", "team_schedule", order=5))

    (tab,) = registered_tabs()
    assert tab.label == "Timetable"
    assert tab.order == 5


def test_unregister_removes_a_tab_and_ignores_unknown_keys():
    register_team_tab(TeamTab("home", "Home", "team_home"))

    unregister_team_tab("home")
    unregister_team_tab("never-registered")

    assert registered_tabs() == []


@pytest.mark.urls(__name__)
def test_team_tabs_reverse_urls_for_the_team_and_mark_the_current_one():
    register_team_tab(TeamTab("schedule", "Schedule", "team_schedule", order=20))
    register_team_tab(TeamTab("home", "Home", "team_home", order=0))

    tabs = team_tabs(7, current="schedule")

    assert tabs == [
        ResolvedTab("home", "Home", "/teams/7/", active=False),
        ResolvedTab("schedule", "Schedule", "/teams/7/schedule/", active=True),
    ]


@pytest.mark.urls(__name__)
def test_team_tabs_skip_tabs_whose_url_does_not_reverse():
    register_team_tab(TeamTab("home", "Home", "team_home", order=0))
    # An app whose URLs the host project did not include.
    register_team_tab(TeamTab("mindmap", "Mindmaps", "teammoa_mindmap:list", order=30))
    register_team_tab(TeamTab("typo", "Typo", "team_hmoe", order=40))

    assert [tab.key for tab in team_tabs(3)] == ["home"]


@pytest.mark.urls(__name__)
def test_no_tab_is_active_without_a_current_key():
    register_team_tab(TeamTab("home", "Home", "team_home"))

    assert [tab.active for tab in team_tabs(1)] == [False]


def test_team_tabs_is_empty_when_nothing_is_registered():
    assert team_tabs(1) == []


def test_tabs_are_immutable():
    tab = TeamTab("home", "Home", "team_home")

    with pytest.raises(AttributeError):
        tab.order = 1  # type: ignore[misc]


# --- team home panels ----------------------------------------------------------------------

PANEL_TEMPLATES = {
    "panel/a.html": '<section class="card" id="panel-a">A {{ team.title }} {{ note }}</section>',
    "panel/b.html": '<section class="card" id="panel-b">B {{ membership.pk }}</section>',
}


@pytest.fixture
def panel_templates(settings):
    """The core templates plus two panel templates from memory."""
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", PANEL_TEMPLATES),
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]
    saved = dict(navigation._panels)
    navigation._panels.clear()
    yield
    navigation._panels.clear()
    navigation._panels.update(saved)


@pytest.mark.django_db
def test_the_team_home_shows_registered_panels_in_order(panel_templates, client):
    from teammoa.core.navigation import TeamHomePanel, register_team_home_panel
    from teammoa.core.testing.factories import host_of, make_team

    team = make_team(title="Moa")
    host = host_of(team)
    seen = []

    def a_context(request, membership):
        seen.append((request.user.pk, membership.pk))
        return {"note": "hello"}

    register_team_home_panel(
        TeamHomePanel("b", "panel/b.html", lambda r, m: {}, order=20, events=("meeting.", "x.y"))
    )
    register_team_home_panel(TeamHomePanel("a", "panel/a.html", a_context, order=10))
    register_team_home_panel(TeamHomePanel("none", "panel/a.html", lambda r, m: None, order=5))
    client.force_login(host.user)
    html = client.get(f"/teams/{team.pk}/").content.decode()

    assert seen == [(host.user.pk, host.pk)]
    assert '<section class="card" id="panel-a">A Moa hello</section>' in html
    assert f'<section class="card" id="panel-b">B {host.pk}</section>' in html
    assert html.index('id="panel-a"') < html.index('id="panel-b"')
    assert html.count('id="panel-a"') == 1  # the None panel rendered nothing
    # Each panel is wrapped so the page can find it again when its events arrive.
    assert 'data-team-panel="b" data-team-panel-events="meeting. x.y"' in html
    assert 'data-team-panel="none"' not in html


def test_unregister_removes_a_panel(panel_templates):
    from teammoa.core.navigation import TeamHomePanel, register_team_home_panel

    register_team_home_panel(TeamHomePanel("a", "panel/a.html", lambda r, m: {}))
    unregister_team_home_panel("a")
    unregister_team_home_panel("never-registered")
    assert navigation._panels == {}
