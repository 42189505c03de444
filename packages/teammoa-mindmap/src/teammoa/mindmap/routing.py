"""WebSocket routes of the mindmap app; the site mounts them in its ASGI application."""

from __future__ import annotations

from django.urls import URLPattern, path

from teammoa.mindmap.consumers import MindmapConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/mindmaps/<int:mindmap_id>/", MindmapConsumer.as_asgi(), name="mindmap_socket"),
]
