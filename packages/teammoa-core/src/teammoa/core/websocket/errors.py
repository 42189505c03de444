"""A socket whose application fails is closed with 4500, never left to the server's 1011.

Daphne answers an exception raised before the handshake with HTTP 500 and one raised
after it with 1011; neither tells a client to reconnect calmly. A failure there is the
server's (typically the database or the session store being unreachable while
authenticating), so the client gets 4500 (SPEC section 9): reconnect with backoff, then
resync.
"""

from __future__ import annotations

import logging
from typing import Any

from teammoa.core.websocket.origin import ASGIApp, Scope

logger = logging.getLogger(__name__)

CLOSE_UNAVAILABLE = 4500


class CloseOnError:
    """ASGI middleware: an exception from the socket's application closes it with 4500."""

    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "websocket":
            await self.application(scope, receive, send)
            return
        state = {"accepted": False, "closed": False}

        async def watched_send(message: dict[str, Any]) -> None:
            if message.get("type") == "websocket.accept":
                state["accepted"] = True
            elif message.get("type") == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await self.application(scope, receive, watched_send)
        except Exception:
            logger.exception("websocket %s failed; closing with 4500", scope.get("path"))
            if state["closed"]:
                return
            try:
                if not state["accepted"]:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})
            except Exception:  # the client is gone already
                logger.debug("websocket %s: could not send the close", scope.get("path"))
