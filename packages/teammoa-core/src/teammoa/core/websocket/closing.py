"""Closing a socket after the frames it has already queued (core's and the apps' sockets)."""

from __future__ import annotations

import asyncio
import contextlib
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from teammoa.core.websocket.loop import spawn


class ClosesAfterQueuedFrames:
    """``close_with(code)``: the frames already queued go out first, then the close, then
    the socket's ``cleanup()``. A socket class mixing this in keeps ``closed`` and
    ``_flusher`` (the task sending its queued frames, or None) and has ``base_send``."""

    closed: bool
    _flusher: asyncio.Task[None] | None
    base_send: Callable[[dict[str, Any]], Awaitable[None]]

    @abstractmethod
    async def cleanup(self) -> None:
        """What the socket releases once it is closed (each socket class has its own)."""

    def close_with(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        spawn(self._close(code))

    async def _close(self, code: int) -> None:
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher
        with contextlib.suppress(Exception):
            await self.base_send({"type": "websocket.close", "code": code})
        await self.cleanup()
