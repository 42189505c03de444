"""WebSocket protocol v1 (SPEC section 4) as data and pure functions, testable without a socket.

``parse`` turns a text frame into a :class:`Request` or raises :class:`ProtocolError`
with the error code the client gets; ``error`` builds the error frame. Nothing here
touches the database, the channel layer or the clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from teammoa.core import errors as domain
from teammoa.mindmap.validation import Errors, is_int, position_errors

VERSION = 1

# Close codes (SPEC section 9): only 1000 and 3000-4999, the codes Daphne (autobahn) can
# send when the application asks; anything else never leaves the server.
CLOSE_UNAUTHENTICATED = 4401  # anonymous, or the session that opened the socket ended
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429  # too many sockets for this user
CLOSE_UNAVAILABLE = 4500  # changes cannot be saved right now: reconnect with backoff
CLOSE_CODES = frozenset(
    {
        CLOSE_UNAUTHENTICATED,
        CLOSE_FORBIDDEN,
        CLOSE_NOT_FOUND,
        CLOSE_TOO_MANY,
        CLOSE_UNAVAILABLE,
    }
)

# Error codes.
BAD_JSON = "bad_json"
UNKNOWN_TYPE = "unknown_type"
INVALID = "invalid"
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
RATE_LIMITED = "rate_limited"
TOO_LARGE = "too_large"
# The server could not save the change (not the input's fault); nothing was changed.
UNAVAILABLE = "unavailable"
ERROR_CODES = frozenset(
    {BAD_JSON, UNKNOWN_TYPE, INVALID, NOT_FOUND, FORBIDDEN, RATE_LIMITED, TOO_LARGE, UNAVAILABLE}
)

# Client → server: the fields each type requires and may carry.
STR, INT, ID = "str", "int", "id"
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    # type: {field: (kind, required)}
    "node.create": {
        "title": (STR, True),
        "content": (STR, False),
        "x": (INT, True),
        "y": (INT, True),
    },
    "node.move": {"node": (ID, True), "x": (INT, True), "y": (INT, True)},
    "node.drag": {"node": (ID, True), "x": (INT, True), "y": (INT, True)},
    "node.update": {"node": (ID, True), "title": (STR, False), "content": (STR, False)},
    "node.delete": {"node": (ID, True)},
    "connection.create": {"source": (ID, True), "target": (ID, True)},
    "connection.delete": {"connection": (ID, True)},
    "node.recommend": {"node": (ID, True)},
    "comment.create": {"node": (ID, True), "text": (STR, True)},
    "cursor": {"x": (INT, True), "y": (INT, True)},
    "resync": {},
    # Extension: a client's keepalive; answered with ``pong`` and the version it was sent.
    "ping": {},
}
# Relayed, never persisted; past the per-second limit they are dropped without an answer.
VOLATILE = frozenset({"cursor", "node.drag"})
# Persisted through the services; each answers with its broadcast (or an error).
PERSISTED = frozenset(SCHEMAS) - VOLATILE - {"resync", "ping"}
REQ_MAX = 64

# Server → client message types.
SNAPSHOT = "snapshot"
ERROR = "error"
PONG = "pong"
CURSOR = "cursor"
DRAGGING = "node.dragging"
PRESENCE_JOINED = "presence.joined"
PRESENCE_LEFT = "presence.left"
# Extension for clients that connect with ``?batch=1``: several messages in one frame.
BATCH = "batch"


class ProtocolError(Exception):
    """A frame the server refuses: ``code`` is one of ``ERROR_CODES``."""

    def __init__(
        self, code: str, message: Any, req: Any = None, errors: Errors | None = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.req = req
        self.errors = errors or {}


@dataclass(frozen=True)
class Request:
    type: str
    fields: dict[str, Any] = field(default_factory=dict)
    req: Any = None

    @property
    def volatile(self) -> bool:
        return self.type in VOLATILE


def frame_too_large(text: str | bytes, limit: int) -> bool:
    """More than ``limit`` bytes once UTF-8 encoded (cheap for the common short frame)."""
    if len(text) > limit:
        return True
    if isinstance(text, bytes) or len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


def decode(text: str | bytes | None) -> dict[str, Any]:
    """The frame as a JSON object, or ``bad_json``."""
    if text is None:
        raise ProtocolError(BAD_JSON, _("Frames are JSON text."))
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ProtocolError(BAD_JSON, _("The frame is not valid JSON.")) from None
    if not isinstance(message, dict):
        raise ProtocolError(BAD_JSON, _("A frame is a JSON object with a type."))
    return message


def request_id(message: dict[str, Any]) -> Any:
    """The client's ``req`` if it is usable (a short string or an integer), else None."""
    req = message.get("req")
    if (isinstance(req, str) and len(req) <= REQ_MAX) or is_int(req):
        return req
    return None


def validate(message: dict[str, Any]) -> Request:
    """Check a decoded frame against its schema: ``unknown_type`` or ``invalid``."""
    req = request_id(message)
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in SCHEMAS:
        raise ProtocolError(UNKNOWN_TYPE, _("Unknown message type."), req)
    errors: Errors = {}
    if "req" in message and req is None:
        errors["req"] = [_("A string of at most %(max)d characters.") % {"max": REQ_MAX}]
    fields: dict[str, Any] = {}
    for name, (kind_of_field, required) in SCHEMAS[kind].items():
        if name not in message:
            if required:
                errors[name] = [_("This field is required.")]
            continue
        value = message[name]
        problem = _field_problem(kind_of_field, value)
        if problem:
            errors[name] = [problem]
        else:
            fields[name] = value
    if kind in VOLATILE and not errors:
        errors.update(position_errors(fields["x"], fields["y"]))
    # What a change must carry beyond its fields' types (a title or content to update) is
    # the service's rule, checked there for REST and sockets alike.
    if errors:
        raise ProtocolError(INVALID, _("Invalid message."), req, errors)
    return Request(kind, fields, req)


def _field_problem(kind: str, value: Any) -> str | None:
    if kind == STR:
        return None if isinstance(value, str) else _("A string is required.")
    if kind == INT:
        return None if is_int(value) else _("An integer is required.")
    if is_int(value) and value > 0:
        return None
    return _("An id (a positive integer) is required.")


def parse(text: str | bytes | None, limit: int) -> Request:
    """A frame as a :class:`Request`, or the :class:`ProtocolError` to answer with."""
    if text is not None and frame_too_large(text, limit):
        raise ProtocolError(TOO_LARGE, _("Frames are limited to %(n)d bytes.") % {"n": limit})
    return validate(decode(text))


def error(code: str, message: str, req: Any = None, errors: Errors | None = None) -> dict:
    frame: dict[str, Any] = {"type": ERROR, "req": req, "code": code, "message": message}
    if errors:
        frame["errors"] = errors
    return frame


def domain_error(exc: domain.DomainError, req: Any = None) -> dict:
    """The one mapping from domain errors to WebSocket error codes."""
    if isinstance(exc, domain.NotFound):
        code = NOT_FOUND
    elif isinstance(exc, domain.Forbidden):
        code = FORBIDDEN
    elif isinstance(exc, domain.RateLimited):
        code = RATE_LIMITED
    else:  # Invalid, and Conflict (the mindmap reports clashes as field errors)
        code = INVALID
    errors = exc.errors if isinstance(exc, domain.Invalid) else None
    return error(code, str(exc.message), req, errors)


def cursor(user_id: int, x: int, y: int) -> dict:
    return {"type": CURSOR, "user": user_id, "x": x, "y": y}


def dragging(user_id: int, node: int, x: int, y: int) -> dict:
    return {"type": DRAGGING, "user": user_id, "node": node, "x": x, "y": y}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def with_req(encoded: str, req: Any) -> str:
    """An encoded message with ``req`` added (the sender's copy of its own change)."""
    if req is None:
        return encoded
    return f'{encoded[:-1]},"req":{dumps(req)}}}'


def batch(encoded: list[str]) -> str:
    """Several encoded messages as one ``batch`` frame (for ``?batch=1`` clients)."""
    return '{"type":"batch","messages":[' + ",".join(encoded) + "]}"
