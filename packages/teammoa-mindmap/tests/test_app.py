"""The mindmap app as a library: its AppConfig, migrations, URLs and the user model."""

from __future__ import annotations

from pathlib import Path

from teammoa.core.testing.library import AppLibraryChecks


class TestMindmapAsLibrary(AppLibraryChecks):
    label = "teammoa_mindmap"
    module = "teammoa.mindmap"
    verbose_name = "TeamMoa mindmaps"
    forbidden_imports = ("teammoa_site", "teammoa.schedule")
    pyproject = Path(__file__).parents[1] / "pyproject.toml"


def test_websocket_routes_live_under_ws():
    # nginx sends /ws/ to the WebSocket server (SPEC section 8).
    from teammoa.mindmap.routing import websocket_urlpatterns

    assert isinstance(websocket_urlpatterns, list)
    for pattern in websocket_urlpatterns:
        assert str(pattern.pattern).startswith("ws/"), pattern
