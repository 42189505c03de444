"""Team events: small typed news for every open page of a team (``/ws/teams/<team_id>/``).

The public surface for every app (documented in docs/team-events.md):

- :func:`publish_team_event` — call it where a change is made, inside its transaction;
  the event leaves after the commit (never for a rolled-back change), reaches this
  process's team sockets at once and the other server processes through the channel
  layer (one subscription per process: ``teammoa.core.websocket.teams``).
- :data:`TEAM_EVENT_TYPES` — the event types and the fields each one carries.
- :func:`captured_team_events` — records what is published, for tests.

Core names the types of every TeamMoa app here (the contract), but imports none of them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction

from teammoa.core.users import actor_id

if TYPE_CHECKING:
    from teammoa.core.users import Actor

logger = logging.getLogger(__name__)

# type -> the fields it carries (besides "type", "team", "by" and "name").
TEAM_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "schedule.week_saved": ("week",),
    "schedule.usual_week_saved": (),
    "todo.changed": ("todo",),
    "todo.deleted": ("todo",),
    "milestone.changed": ("milestone", "deleted"),
    "post.created": ("post",),
    "post.changed": ("post", "deleted"),
    "comment.created": ("post", "comment"),
    "member.joined": ("user",),
    "member.left": ("user", "removed"),
    "meeting.created": ("meeting",),
    "meeting.changed": ("meeting",),
    "meeting.cancelled": ("meeting",),
}
RESERVED = frozenset({"type", "team", "by", "name"})
# A field's string value: short, printable (an ISO week, a slug); events are news, not data.
MAX_STRING = 64
MAX_LIST = 100
_PRINTABLE = re.compile(r"[\x20-\x7e]*")

_captures: list[list[dict[str, Any]]] = []


def _check_value(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str) and len(value) <= MAX_STRING and _PRINTABLE.fullmatch(value):
        return
    if (
        isinstance(value, list)
        and len(value) <= MAX_LIST
        and all(isinstance(item, int) and not isinstance(item, bool) for item in value)
    ):
        return
    raise ValueError(
        f"team event field {key!r}: expected an int, a bool, None, a short ASCII string "
        f"(<= {MAX_STRING}) or a list of ints, not {value!r}"
    )


def team_event(
    team_id: int, type: str, *, by: Actor | int | None = None, **fields: Any
) -> dict[str, Any]:
    """The event as clients receive it (validated; ``name`` still unset)."""
    if type not in TEAM_EVENT_TYPES:
        raise ValueError(f"unknown team event type {type!r}; known: {sorted(TEAM_EVENT_TYPES)}")
    reserved = RESERVED & set(fields)
    if reserved:
        raise ValueError(f"team event fields {sorted(reserved)} are reserved")
    expected = set(TEAM_EVENT_TYPES[type])
    if set(fields) != expected:
        raise ValueError(f"{type} carries exactly {sorted(expected)}, not {sorted(fields)}")
    for key, value in fields.items():
        _check_value(key, value)
    if isinstance(team_id, bool) or not isinstance(team_id, int):
        raise ValueError(f"team_id must be an int, not {team_id!r}")
    return {"type": type, "team": team_id, "by": actor_id(by), "name": None, **fields}


def _actor_name(by: Actor | int | None) -> str | None:
    from teammoa.core.models import display_name

    if by is None or isinstance(by, bool):
        return None
    if isinstance(by, int):
        from django.contrib.auth import get_user_model

        user = get_user_model()._default_manager.filter(pk=by).first()
        return display_name(user) if user is not None else None
    if not by.is_authenticated:
        return None
    return display_name(by)


def publish_team_event(
    team_id: int, type: str, *, by: Actor | int | None = None, **fields: Any
) -> None:
    """Tell every open page of the team that something changed, once this commits.

    ``type`` is one of :data:`TEAM_EVENT_TYPES` and ``fields`` exactly its fields (ids,
    flags, short ASCII strings); ``by`` is the acting user (or their id; None for the
    system). Raises ``ValueError`` at once for anything else, so a typo fails its test;
    delivery problems after the commit are logged, never raised.
    """
    event = team_event(team_id, type, by=by, **fields)
    if isinstance(by, int) and not isinstance(by, bool):
        # Looked up after the commit: the user exists then, and a rollback costs nothing.
        transaction.on_commit(lambda: _send({**event, "name": _actor_name(by)}))
    else:
        event["name"] = _actor_name(by)
        transaction.on_commit(lambda: _send(event))


# When each team's latest events left and who made them (seconds since the epoch, user id
# or None), for pages that connect: a page rendered before a teammate's news and connected
# after it missed it (see ``last_event_at``). A few entries: one per recent actor.
LAST_EVENT_KEY = "teammoa:team-events:recent:%d"
LAST_EVENT_SECONDS = 300  # older news is in every page rendered since
LAST_EVENT_ACTORS = 8


def last_event_at(team_id: int, reader: int | None = None) -> float | None:
    """When the team's latest event not made by ``reader`` was sent, if within the last
    few minutes (a page shows its reader's own changes already); None when there was none,
    the time of the call when the cache cannot say."""
    from django.core.cache import cache

    try:
        recent = cache.get(LAST_EVENT_KEY % team_id)
    except Exception:  # a cache that fails: the page reads everything again, to be safe
        logger.warning("could not read when team %s last changed", team_id, exc_info=True)
        return time.time()
    times = [
        at
        for at, by in (recent if isinstance(recent, list) else [])
        if isinstance(at, (int, float)) and (by is None or by != reader)
    ]
    return float(max(times)) if times else None


def _remember(team_id: int, by: int | None) -> None:
    """Note the event's time and actor (a read and a write: two processes at once may
    lose one entry, which costs at most a page's missed re-read)."""
    from django.core.cache import cache

    key = LAST_EVENT_KEY % team_id
    now = time.time()
    try:
        recent = cache.get(key)
        kept = [
            (at, actor)
            for at, actor in (recent if isinstance(recent, list) else [])
            if actor != by and now - at < LAST_EVENT_SECONDS
        ]
        cache.set(key, [*kept[-(LAST_EVENT_ACTORS - 1) :], (now, by)], LAST_EVENT_SECONDS)
    except Exception:
        logger.warning("could not note when team %s last changed", team_id, exc_info=True)


def _send(event: dict[str, Any]) -> None:
    for capture in _captures:
        capture.append(dict(event))
    _remember(event["team"], event.get("by"))
    try:
        from teammoa.core.websocket.teams import deliver

        deliver(event)
    except Exception:
        logger.exception("could not deliver team event %s", event.get("type"))


@contextlib.contextmanager
def captured_team_events() -> Iterator[list[dict[str, Any]]]:
    """Record every team event sent (after its commit) while the block runs.

    In a test wrapped in a transaction, commit hooks run only when asked, e.g. pytest-django's
    ``django_capture_on_commit_callbacks(execute=True)``.
    """
    events: list[dict[str, Any]] = []
    _captures.append(events)
    try:
        yield events
    finally:
        _captures.remove(events)
