"""Text over the WebSocket goes through the same cleaner as REST (issue 9): every text
field of every frame refuses controls, bidi overrides and noncharacters with ``invalid``
naming the field, and stores what it keeps exactly as cleaned."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from teammoa.mindmap import protocol
from teammoa.mindmap.models import Comment, Node

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

HOSTILE = {
    "a\x00b": "This text holds the control character U+0000, which is not allowed.",
    "\x1b[2J": "This text holds the control character U+001B, which is not allowed.",
    "\u202eevil": "This text holds the text-direction control U+202E, which is not allowed: "
    "it makes the text read differently from what it holds.",
    "\uffff": "This text holds U+FFFF, which is not a character. Remove it and try again.",
}


def frames(node_id, value):
    return [
        ({"type": "node.create", "title": value, "x": 1, "y": 1}, "title"),
        ({"type": "node.create", "title": "ok", "content": value, "x": 1, "y": 1}, "content"),
        ({"type": "node.update", "node": node_id, "title": value}, "title"),
        ({"type": "node.update", "node": node_id, "content": value}, "content"),
        ({"type": "comment.create", "node": node_id, "text": value}, "text"),
    ]


@database_sync_to_async
def saved(world):
    return (
        sorted(Node.objects.filter(mindmap=world.mindmap).values_list("title", "content")),
        Comment.objects.count(),
    )


@pytest.mark.parametrize("value", list(HOSTILE))
async def test_every_text_field_of_every_frame_refuses_hostile_text(world, sockets, value):
    socket = await sockets(world.alice, world.mindmap.pk)
    await socket.expect("snapshot")
    before = await saved(world)
    for message, field in frames(world.nodes[0].pk, value):
        await socket.send(message)
        error = await socket.expect("error")
        assert error["code"] == protocol.INVALID, (message, error)
        assert error["errors"] == {field: [HOSTILE[value]]}, (message, error)
    assert await saved(world) == before


async def test_text_kept_over_the_socket_is_stored_as_cleaned(world, sockets):
    socket = await sockets(world.alice, world.mindmap.pk)
    await socket.expect("snapshot")
    node = world.nodes[0].pk
    answer = await socket.request(
        {
            "type": "node.update",
            "node": node,
            "title": "  \u05e2\u05d1\u05e8\u05d9\u05ea  ",
            "content": "one\r\ntwo\rthree",
        }
    )
    assert answer["type"] == "node.updated", answer
    assert (answer["title"], answer["content"]) == (
        "\u05e2\u05d1\u05e8\u05d9\u05ea",
        "one\ntwo\nthree",
    )
    stored = await database_sync_to_async(Node.objects.get)(pk=node)
    assert (stored.title, stored.content) == (answer["title"], answer["content"])
