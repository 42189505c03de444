"""Public surface for every WebSocket of a TeamMoa site (documented in core's README).

- :class:`OriginValidator` / :func:`origin_allowed`: the Origin rule (SPEC section 9).
- :class:`CloseOnError`: an application failure closes the socket with 4500.
- :class:`ClosesAfterQueuedFrames`: ``close_with(code)`` after the frames already queued.
- :func:`admit` / :func:`release`: register a socket, so it is closed with 4401 when the
  session that opened it ends and refused with 4429 past the per-user cap.
- :func:`end_session` / :func:`recheck_user`: what the signal receivers call; a host
  project that ends sessions its own way may call them too.
- :class:`GroupHub`, :func:`loop_instance`, :func:`current_instance`: one channel-layer
  subscription per server process, shared by its sockets (the team socket's hub).
- :class:`Coalescing`, :func:`loop_coalescing`: the requests of many sockets (a burst of
  them connecting) answered by one call.
- :func:`frames_offered`, :func:`send_frames_message`: frames built once for many sockets,
  where the server offers it (``teammoa.core.websocket.frames``).
- :func:`spawn`, :func:`call_later`, :func:`cancelled`, :func:`own_layer`: what long-lived
  socket tasks need from their event loop.
- :class:`LayerWatch`, :class:`LayerUnavailable`, :func:`unreachable`: a channel layer that
  cannot be reached closes the sockets with 4500 and refuses new ones until it answers.
"""

from __future__ import annotations

from teammoa.core.websocket.batching import Coalescing, loop_coalescing
from teammoa.core.websocket.closing import ClosesAfterQueuedFrames
from teammoa.core.websocket.errors import CLOSE_UNAVAILABLE, CloseOnError
from teammoa.core.websocket.frames import offered as frames_offered
from teammoa.core.websocket.frames import send_frames_message
from teammoa.core.websocket.hub import GroupHub, current_instance, loop_instance
from teammoa.core.websocket.loop import call_later, cancelled, own_layer, spawn
from teammoa.core.websocket.origin import OriginValidator, origin_allowed
from teammoa.core.websocket.outage import LayerUnavailable, LayerWatch, unreachable
from teammoa.core.websocket.sessions import (
    CLOSE_SESSION_ENDED,
    CLOSE_TOO_MANY_SOCKETS,
    OpenSocket,
    TooManySockets,
    admit,
    end_session,
    recheck_user,
    release,
)

__all__ = [
    "CLOSE_SESSION_ENDED",
    "CLOSE_TOO_MANY_SOCKETS",
    "CLOSE_UNAVAILABLE",
    "CloseOnError",
    "ClosesAfterQueuedFrames",
    "Coalescing",
    "GroupHub",
    "LayerUnavailable",
    "LayerWatch",
    "OpenSocket",
    "OriginValidator",
    "TooManySockets",
    "admit",
    "call_later",
    "cancelled",
    "current_instance",
    "end_session",
    "frames_offered",
    "loop_coalescing",
    "loop_instance",
    "origin_allowed",
    "own_layer",
    "recheck_user",
    "release",
    "send_frames_message",
    "spawn",
    "unreachable",
]
