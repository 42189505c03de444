"""Requests of many sockets answered by one call: :class:`Coalescing`.

A burst of sockets (every socket of a restarted instance reconnecting within a second)
asks the same questions at once: whose session is this, may this user open another
socket, is this user a member. Answered one socket at a time, each answer is a hop to a
thread and a round trip to Redis or the database, and the hops queue behind each other.
Here every request made while a call is on its way waits for the next call, which
answers all of them together; when nothing is on its way a request is answered at once
(on the next turn of the event loop, with whatever else arrived in this one). So a quiet
server answers as fast as before, and a busy one makes fewer, larger calls.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from teammoa.core.websocket.loop import spawn

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class Coalescing(Generic[Item, Answer]):
    """``await coalescing(item)``: the answer to ``item`` from ``answer_all(items)``.

    ``answer_all`` gets a list of items and returns one answer per item, in order; an
    answer that is an exception is raised to the one who asked. If ``answer_all`` itself
    raises, everyone of that call gets the exception. At most ``limit`` items go into one
    call (the rest wait for the next). One instance per event loop: create it on the loop
    that uses it (:func:`loop_coalescing`).
    """

    def __init__(
        self,
        answer_all: Callable[[list[Item]], Awaitable[Sequence[Answer | BaseException]]],
        limit: int = 200,
    ) -> None:
        self.answer_all = answer_all
        self.limit = limit
        self.waiting: list[tuple[Item, asyncio.Future[Answer]]] = []
        self.running: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Answer:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.running is None or self.running.done():
            self.running = spawn(self._run())
        return await future

    async def _run(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[: self.limit], self.waiting[self.limit :]
            try:
                answers = list(await self.answer_all([item for item, _future in batch]))
                if len(answers) != len(batch):
                    raise RuntimeError(f"{len(answers)} answers for {len(batch)} requests")
            except BaseException as exc:
                answers = [exc] * len(batch)
                if isinstance(exc, asyncio.CancelledError):
                    for _item, future in [*batch, *self.waiting]:
                        if not future.done():
                            future.cancel()
                    self.waiting = []
                    raise
            for (_item, future), answer in zip(batch, answers, strict=True):
                if future.done():  # its caller gave up (a closed socket)
                    continue
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)


_instances: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, Any]] = (
    weakref.WeakKeyDictionary()
)


def loop_coalescing(
    key: Any,
    answer_all: Callable[[list[Any]], Awaitable[Sequence[Any]]],
    limit: int = 200,
) -> Coalescing[Any, Any]:
    """The running loop's :class:`Coalescing` for ``key`` (made on first use)."""
    mine = _instances.setdefault(asyncio.get_running_loop(), {})
    found = mine.get(key)
    if found is None:
        found = mine[key] = Coalescing(answer_all, limit)
    return found
