"""WebSocket routes of the core app; the site mounts them in its ASGI application."""

from __future__ import annotations

from django.urls import URLPattern, path

from teammoa.core.websocket.teams import TeamSocket

websocket_urlpatterns: list[URLPattern] = [
    path("ws/teams/<int:team_id>/", TeamSocket.as_asgi(), name="team_socket"),
]
