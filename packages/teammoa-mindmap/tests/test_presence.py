"""The who-is-here registries: in memory and shared through Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from teammoa.mindmap.presence import MemoryRegistry, RedisRegistry, person

ALICE = {"user": 1, "name": "Alice", "color": "#111"}
BOB = {"user": 2, "name": "Bob", "color": "#222"}


async def semantics(registry, wait):
    assert await registry.join(7, "a1", ALICE) is True
    assert await registry.join(7, "a2", ALICE) is False  # a second tab
    assert await registry.join(7, "b1", BOB) is True
    assert [p["user"] for p in await registry.people(7)] == [1, 2]
    assert await registry.people(8) == []
    assert await registry.leave(7, "a1") is None  # Alice is still here
    assert (await registry.leave(7, "a2"))["user"] == 1
    assert await registry.leave(7, "a2") is None  # only once
    # Bob's process stops refreshing: he is swept out after the TTL, once.
    await wait()
    assert [p["user"] for p in await registry.sweep(7)] == [2]
    assert await registry.sweep(7) == []
    assert await registry.people(7) == []


@pytest.mark.asyncio
async def test_memory_registry():
    registry = MemoryRegistry(ttl=0.2)
    await semantics(registry, lambda: asyncio.sleep(0.25))


@pytest.mark.asyncio
async def test_refresh_keeps_people_present():
    registry = MemoryRegistry(ttl=0.2)
    await registry.join(1, "c", ALICE)
    for _ in range(3):
        await asyncio.sleep(0.1)
        await registry.refresh(1, ["c"])
    assert await registry.sweep(1) == []


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_redis_registry():
    prefix = f"teammoa-mindmap-tests:{uuid.uuid4().hex[:8]}"
    registry = RedisRegistry(os.environ["REDIS_URL"], ttl=1, prefix=prefix)
    other_process = RedisRegistry(os.environ["REDIS_URL"], ttl=1, prefix=prefix)
    try:
        await semantics(registry, lambda: asyncio.sleep(1.1))
        # Two processes agree: the second sees the first's people and sweeps them once.
        await registry.join(9, "x", ALICE)
        assert [p["user"] for p in await other_process.people(9)] == [1]
        await asyncio.sleep(1.1)
        gone = await asyncio.gather(registry.sweep(9), other_process.sweep(9))
        assert sorted(len(g) for g in gone) == [0, 1]
    finally:
        await registry.close()
        await other_process.close()


def test_person_has_a_stable_colour():
    class U:
        pk = 5
        nickname = "Eve"

        def get_username(self):
            return "eve"

    assert person(U()) == person(U()) and person(U())["name"] == "Eve"
