"""Public surface for every WebSocket of a TeamMoa site (documented in core's README).

- :class:`OriginValidator` / :func:`origin_allowed`: the Origin rule (SPEC section 9).
- :class:`CloseOnError`: an application failure closes the socket with 4500.
- :func:`admit` / :func:`release`: register a socket, so it is closed with 4401 when the
  session that opened it ends and refused with 4429 past the per-user cap.
- :func:`end_session` / :func:`recheck_user`: what the signal receivers call; a host
  project that ends sessions its own way may call them too.
"""

from __future__ import annotations

from teammoa.core.websocket.errors import CLOSE_UNAVAILABLE, CloseOnError
from teammoa.core.websocket.origin import OriginValidator, origin_allowed
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
    "OpenSocket",
    "OriginValidator",
    "TooManySockets",
    "admit",
    "end_session",
    "origin_allowed",
    "recheck_user",
    "release",
]
