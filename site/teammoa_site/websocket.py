"""WebSocket pieces of the site itself: who is signed in, and the route for the rest."""

from __future__ import annotations

import logging
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.auth import UserLazyObject
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.urls import re_path

from teammoa.core.websocket import loop_coalescing
from teammoa_site.accounts import usercache

logger = logging.getLogger(__name__)


def _users(sessions: list[Any]) -> list[Any]:
    """The user of each session (``AnonymousUser`` when none): usercache's rule, with
    one cache round trip for all of them. One failing lookup fails alone."""
    requests = [SimpleNamespace(session=session) for session in sessions]
    try:
        return usercache.get_users(requests)
    except Exception:
        logger.warning("socket users: the batch failed; one by one", exc_info=True)
    answers: list[Any] = []
    for request in requests:
        try:
            answers.append(usercache.get_user(request))  # type: ignore[arg-type]
        except Exception as exc:
            answers.append(exc)
    return answers


async def _resolve_all(sessions: list[Any]) -> list[Any]:
    # One hop for all sockets arriving together; the database only on a cache miss (its
    # connection closed after the hop, as channels' own lookup does).
    return await database_sync_to_async(_users)(sessions)


class CachedUserAuthMiddleware(BaseMiddleware):
    """channels' ``AuthMiddleware`` with the site's cached user
    (``teammoa_site.accounts.usercache``): ``scope["user"]`` verified against the session
    exactly as for HTTP requests, resolved for all the sockets arriving together in one
    thread hop and one Redis round trip rather than a hop and a database connection each.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if "session" not in scope:
            raise ValueError("CachedUserAuthMiddleware needs channels' SessionMiddleware above it")
        scope = dict(scope)
        user = UserLazyObject()
        user._wrapped = await loop_coalescing(_resolve_all, _resolve_all)(scope["session"])
        scope["user"] = user
        return await super().__call__(scope, receive, send)


class SocketSessionMiddleware:
    """channels' ``SessionMiddleware`` for sockets: ``scope["session"]``, the session of
    the cookie (read on first use), without wrapping every frame the socket sends.

    channels' wrapper looks at the session on every ``send`` to decide whether to save
    it, which it does only for HTTP responses (``http.response.start``), never for a
    socket: an eighth of the event loop's time with fifty plain protocol-v1 editors
    (py-spy, 2026-12-07). Other scopes go through channels' middleware.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.channels = SessionMiddleware(inner)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket" or "session" in scope:
            return await self.channels(scope, receive, send)
        store = import_module(settings.SESSION_ENGINE).SessionStore
        key = scope["cookies"].get(settings.SESSION_COOKIE_NAME)
        return await self.inner({**scope, "session": store(key)}, receive, send)


def AuthMiddlewareStack(inner: Any) -> Any:
    """channels' ``AuthMiddlewareStack`` with :class:`SocketSessionMiddleware` and
    :class:`CachedUserAuthMiddleware`."""
    return CookieMiddleware(SocketSessionMiddleware(CachedUserAuthMiddleware(inner)))


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
