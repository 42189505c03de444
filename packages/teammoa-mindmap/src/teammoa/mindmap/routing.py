"""WebSocket routes of the mindmap app; the site mounts them in its ASGI application."""

from __future__ import annotations

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
