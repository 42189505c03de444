"""Getting changes and notices to every server process: the channel layer's groups.

Each server process (event loop) subscribes once per open mindmap through its hub (see
``teammoa.mindmap.rooms``) and fans messages out to its own sockets; a process delivers
what it publishes to its own sockets directly, so its clients never wait on Redis.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from teammoa.mindmap.local import current_hub
from teammoa.mindmap.services.changes import Change, subscribe

logger = logging.getLogger(__name__)

CONTROL_GROUP = "teammoa.mindmap.control"


def room_group(mindmap_id: int) -> str:
    return f"teammoa.mindmap.{int(mindmap_id)}"


def layer() -> Any:
    return get_channel_layer()


async def apublish(mindmap_id: int, changes: list[Change]) -> None:
    """Deliver persisted changes here, then to every other process."""
    hub = current_hub()
    if hub is not None:
        # Here at once; to the other processes with the hub's next channel-layer message.
        hub.deliver_changes(mindmap_id, changes)
        hub.queue_changes(mindmap_id, changes)
        return
    channel_layer = layer()
    if channel_layer is None:
        return
    message = {
        "type": "mindmap.changes",
        "origin": "",
        "mindmap": int(mindmap_id),
        "changes": [change.as_message() for change in changes],
    }
    try:
        await channel_layer.group_send(room_group(mindmap_id), message)
    except Exception:
        # Other processes notice the gap (or the periodic version check) and resync.
        logger.exception("could not broadcast mindmap %s changes", mindmap_id)


async def aend_membership(team_id: int, user_id: int) -> None:
    """Close the user's editors of this team's mindmaps in every process (4403)."""
    hub = current_hub()
    if hub is not None:
        hub.end_membership(team_id, user_id)
    channel_layer = layer()
    if channel_layer is None:
        return
    message = {
        "type": "mindmap.membership_ended",
        "origin": hub.id if hub else "",
        "team": int(team_id),
        "user": int(user_id),
    }
    try:
        await channel_layer.group_send(CONTROL_GROUP, message)
    except Exception:
        logger.exception("could not broadcast the end of membership %s/%s", team_id, user_id)


def _run(coroutine_function: Any, *args: Any) -> None:
    """Run an async broadcast from sync code (a view, a service's on_commit hook)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    try:
        if loop is not None:  # called from async code directly: don't block the loop
            loop.create_task(coroutine_function(*args))
        else:
            async_to_sync(coroutine_function)(*args)
    except Exception:
        logger.exception("broadcast failed")


def publish(mindmap_id: int, changes: list[Change]) -> None:
    _run(apublish, mindmap_id, changes)


def end_membership(team_id: int, user_id: int) -> None:
    _run(aend_membership, team_id, user_id)


def _after_commit(mindmap_id: int, changes: list[Change]) -> None:
    publish(mindmap_id, changes)  # looked up on each call, so tests can replace it


# The services report what changed (teammoa.mindmap.services.changes); the realtime layer
# subscribes. Imported by the app's ready(), so every process broadcasts REST changes too.
subscribe(_after_commit)
