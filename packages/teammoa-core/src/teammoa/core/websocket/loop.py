"""What every long-lived socket task of a server process needs from its event loop.

Public (the mindmap's realtime modules and core's team socket share them):

- :func:`spawn` / :func:`call_later`: a task or timer with a context of its own;
- :func:`cancelled`: whether the running task has been asked to stop;
- :func:`stop_tasks`: cancel long-running tasks and wait until they are gone;
- :func:`run_anywhere`: run a coroutine from sync code (a view, a commit hook) or the loop;
- :func:`own_layer`: a channel-layer instance of one's own for a long-lived receiver.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from typing import Any

from asgiref.sync import async_to_sync

logger = logging.getLogger(__name__)


def spawn(coroutine: Any) -> asyncio.Task[Any]:
    """A task with a context of its own.

    Tasks and timers started while a change is being published may run inside the
    context of an ``async_to_sync`` call (a REST view's commit hook); inheriting it, a
    later ``sync_to_async`` would try that call's long-finished executor.
    """
    return asyncio.get_running_loop().create_task(coroutine, context=contextvars.Context())


def call_later(delay: float, callback: Any) -> asyncio.TimerHandle:
    return asyncio.get_running_loop().call_later(delay, callback, context=contextvars.Context())


def cancelled() -> bool:
    """Whether this task has been asked to stop.

    Checked after catching errors in the long-running loops: a cancellation that lands
    inside a client library's own timeout can come out as a ``TimeoutError``, and a loop
    that carries on after it would never end.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop_tasks(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait for each to end (whatever it raised on the way out)."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def run_anywhere(coroutine_function: Any, *args: Any) -> None:
    """Run ``coroutine_function(*args)``: as a task when called on the event loop (never
    blocking it), else to its end through ``async_to_sync`` (a view's thread, a commit
    hook, a worker). Failures are logged, never raised: the callers announce news."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    try:
        if loop is not None:
            spawn(coroutine_function(*args))
        else:
            async_to_sync(coroutine_function)(*args)
    except Exception:
        logger.exception("could not run %s", getattr(coroutine_function, "__name__", "it"))


_own_layers: dict[str, Any] = {}


def own_layer(purpose: str) -> Any:
    """A channel-layer instance for ``purpose`` alone, built from the default config
    (None without channels or a configured layer).

    Not the shared ``get_channel_layer()`` instance: channels-redis serves every channel
    of one instance in a process through a single blocking receive, and a second
    long-lived receiver there stopped the other server processes' messages from reaching
    either receiver once the Redis socket no longer timed out every 5 s (see
    docs/websocket.md). So each long-lived receiver of a process (the mindmap hub on the
    shared instance, core's socket registry, core's team hub) holds an instance of its
    own; whoever sends to its groups may use any instance. With the in-memory layer the
    instances do not share groups: send through the same purpose's instance.
    """
    if purpose not in _own_layers:
        try:
            from channels import DEFAULT_CHANNEL_LAYER
            from channels.layers import channel_layers
        except ImportError:  # no channels: one process, local delivery only
            return None
        if DEFAULT_CHANNEL_LAYER not in channel_layers:
            return None
        _own_layers[purpose] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    return _own_layers[purpose]
