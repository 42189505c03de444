"""WebSocket test support: the site's ASGI stack and a client that speaks protocol v1."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from teammoa.core.websocket import CloseOnError, OriginValidator
from teammoa.mindmap.routing import websocket_urlpatterns

# Built like the site's: origin check, then session auth, then the routes.
application = OriginValidator(CloseOnError(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))))
ORIGIN = b"http://testserver"


@database_sync_to_async
def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Socket:
    """One client connection; ``messages`` keeps everything received, batches unpacked."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.inbox: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.frames = 0
        self.close_code: int | None = None
        self.snapshot: dict[str, Any] | None = None

    async def send(self, message: Any) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.communicator.send_to(text_data=text)

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_to(bytes_data=data)

    async def _pull(self, timeout: float) -> bool:
        if self.close_code is not None:
            return False
        # receive_output() cancels the application when it times out: look first.
        if await self.communicator.receive_nothing(timeout, interval=0.005):
            return False
        output = await self.communicator.receive_output(1)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code", 1000)
            return False
        self.frames += 1
        data = json.loads(output["text"])
        unpacked = data["messages"] if data.get("type") == "batch" else [data]
        self.inbox.extend(unpacked)
        self.messages.extend(unpacked)
        return True

    async def recv(self, timeout: float = 3) -> dict[str, Any]:
        while not self.inbox:
            if not await self._pull(timeout):
                raise AssertionError(f"nothing received (closed with {self.close_code})")
        return self.inbox.pop(0)

    async def expect(self, kind: str, timeout: float = 3, **fields: Any) -> dict[str, Any]:
        """The next message of ``kind`` (with those field values); others are skipped."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self.inbox:
                message = self.inbox.pop(0)
                if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._pull(remaining):
                raise AssertionError(
                    f"no {kind} {fields or ''} (closed with {self.close_code}); "
                    f"got {self.messages[-5:]}"
                )

    async def expect_change(self, timeout: float = 3) -> dict[str, Any]:
        """The next persisted change (a message with a version, not a snapshot)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self.inbox:
                message = self.inbox.pop(0)
                if "version" in message and message["type"] not in ("snapshot", "pong"):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._pull(remaining):
                raise AssertionError(f"no change; got {self.messages[-5:]}")

    def changes_seen(self) -> list[dict[str, Any]]:
        return [
            m for m in self.messages if "version" in m and m["type"] not in ("snapshot", "pong")
        ]

    async def wait_changes(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        """All changes received so far, once there are at least ``count``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.changes_seen()) < count:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._pull(remaining):
                raise AssertionError(f"{len(self.changes_seen())} of {count} changes")
        self.inbox.clear()
        return self.changes_seen()

    async def nothing(self, timeout: float = 0.3, ignore: tuple[str, ...] = ()) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            if not self.inbox and not await self._pull(remaining):
                break
            extra = [m for m in self.inbox if m["type"] not in ignore]
            assert not extra, extra
            self.inbox.clear()

    async def closed(self, timeout: float = 3) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.close_code is None and (remaining := deadline - loop.time()) > 0:
            await self._pull(remaining)
        assert self.close_code is not None, "still open"
        return self.close_code

    async def request(self, message: dict[str, Any], timeout: float = 3) -> dict[str, Any]:
        """Send with a ``req`` and return the answer carrying it (change or error)."""
        req = message.setdefault("req", f"r{id(message)}")
        await self.send(message)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, received in enumerate(self.inbox):
                if received.get("req") == req:
                    return self.inbox.pop(index)
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._pull(remaining):
                raise AssertionError(f"no answer to {message}; got {self.messages[-5:]}")

    async def expect_answer(self, timeout: float = 3) -> dict[str, Any]:
        """The next message that answers a request (it carries a ``req``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self.inbox:
                message = self.inbox.pop(0)
                if message.get("req") is not None:
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self._pull(remaining):
                raise AssertionError(f"no answer; got {self.messages[-5:]}")

    async def disconnect(self) -> None:
        await self.communicator.disconnect()


async def open_socket(
    user: Any = None,
    mindmap_id: int = 0,
    *,
    batch: bool = False,
    origin: bytes = ORIGIN,
    path: str | None = None,
    session: str | None = None,
) -> Socket:
    """A socket of ``user`` (a fresh session each time, or the ``session`` key given)."""
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        session = session or await session_cookie(user)
    if session is not None:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    path = path or f"/ws/mindmaps/{mindmap_id}/" + ("?batch=1" if batch else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    socket = Socket(communicator)
    connected, code = await communicator.connect(timeout=5)
    if not connected:
        socket.close_code = code or 1006
    return socket
