"""WebSocket routing pieces of the site itself."""

from __future__ import annotations

from typing import Any

from django.urls import re_path

UNKNOWN_ROUTE = 4404


async def unknown_route(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Closes sockets opened on paths no app serves with 4404, instead of a traceback.

    A plain ASGI application, not a channels consumer: it needs no channel-layer channel
    (a consumer would open one, and a Redis round trip, per stray socket). It accepts
    first: a close before the handshake reaches the client as a bare HTTP 403 without
    the code.
    """
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": UNKNOWN_ROUTE})
    while (await receive()).get("type") != "websocket.disconnect":
        pass


fallback_routes = [re_path(r"", unknown_route)]
