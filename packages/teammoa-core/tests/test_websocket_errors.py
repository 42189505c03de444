"""A socket application that fails is closed with 4500, before or after accepting."""

from __future__ import annotations

import asyncio

import pytest
from django.db import OperationalError

from teammoa.core.websocket import CloseOnError

pytestmark = pytest.mark.asyncio


async def drive(application) -> list[dict]:
    sent: list[dict] = []
    inbox: asyncio.Queue = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})

    async def send(message):
        sent.append(message)

    await CloseOnError(application)({"type": "websocket", "path": "/ws/x/"}, inbox.get, send)
    return sent


async def test_a_failure_before_accept_is_accepted_then_closed_with_4500():
    async def authenticating(scope, receive, send):  # the session store is unreachable
        raise OperationalError(2003, "Can't connect")

    assert await drive(authenticating) == [
        {"type": "websocket.accept"},
        {"type": "websocket.close", "code": 4500},
    ]


async def test_a_failure_after_accept_is_closed_with_4500():
    async def crashing(scope, receive, send):
        await send({"type": "websocket.accept"})
        raise RuntimeError("a bug")

    assert await drive(crashing) == [
        {"type": "websocket.accept"},
        {"type": "websocket.close", "code": 4500},
    ]


async def test_an_application_that_closed_itself_is_left_alone():
    async def refusing(scope, receive, send):
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 4403})
        raise RuntimeError("after the close")

    sent = await drive(refusing)
    assert sent[-1] == {"type": "websocket.close", "code": 4403}
    assert len(sent) == 2
