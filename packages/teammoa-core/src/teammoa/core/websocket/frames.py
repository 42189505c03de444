"""Frames built once and sent to many sockets: the ``teammoa.websocket.frames`` extension.

A message sent to fifty sockets is framed fifty times by the server (header, UTF-8, a
write per frame), and a client of protocol v1 without ``?batch=1`` gets one frame per
message: most of a busy server's time. A server that offers this ASGI extension
(``scope["extensions"]["teammoa.websocket.frames"]``; ``deploy/serve.py``'s Daphne does)
accepts ``{"type": "websocket.send_frames", "frames": bytes, "texts": [str, ...]}``: the
text frames of ``texts`` exactly as the server would build them (unmasked, unfragmented,
uncompressed: RFC 6455 section 5.2), joined, written to the socket in one go; ``texts``
is there for whoever counts frames on the way. :func:`text_frame` builds each frame once
for every socket that sends it. Without the extension, send each text as usual.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

EXTENSION = "teammoa.websocket.frames"
SEND_FRAMES = "websocket.send_frames"

_TEXT_FIN = 0x81  # FIN, opcode 1 (text)


def offered(scope: dict[str, Any]) -> bool:
    """Whether the server of this socket accepts ``websocket.send_frames``."""
    return EXTENSION in (scope.get("extensions") or {})


@lru_cache(maxsize=8192)
def text_frame(text: str) -> bytes:
    """The WebSocket frame of one text message, as a server sends it (cached: the same
    message goes to every socket of a room)."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = bytes((_TEXT_FIN, size))
    elif size < 1 << 16:
        header = bytes((_TEXT_FIN, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((_TEXT_FIN, 127)) + size.to_bytes(8, "big")
    return header + payload


def send_frames_message(texts: list[str]) -> dict[str, Any]:
    """The ``websocket.send_frames`` message for these texts, in order."""
    return {"type": SEND_FRAMES, "frames": b"".join(map(text_frame, texts)), "texts": texts}
