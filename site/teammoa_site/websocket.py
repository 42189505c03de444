"""WebSocket routing pieces of the site itself."""

from __future__ import annotations

from channels.generic.websocket import WebsocketConsumer
from django.urls import re_path

UNKNOWN_ROUTE = 4404


class UnknownRouteConsumer(WebsocketConsumer):
    """Closes sockets opened on paths no app serves, instead of a server-side traceback."""

    def connect(self) -> None:
        # Accept first: a close before the handshake reaches the client as a bare HTTP 403
        # without the code.
        self.accept()
        self.close(code=UNKNOWN_ROUTE)


fallback_routes = [re_path(r"", UnknownRouteConsumer.as_asgi())]
