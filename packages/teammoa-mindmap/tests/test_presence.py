"""The who-is-here registries: in memory and shared through Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import pytest_asyncio

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
        await registry.refresh(1, {"c": ALICE})
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


@pytest_asyncio.fixture
async def redis_registry():
    """A Redis registry on a prefix of its own, and a plain client to look at its keys."""
    import redis.asyncio as aioredis

    prefix = f"teammoa-mindmap-tests:{uuid.uuid4().hex[:8]}"
    made = []

    def make(**kwargs):
        registry = RedisRegistry(os.environ["REDIS_URL"], prefix=prefix, **kwargs)
        made.append(registry)
        return registry

    plain = aioredis.Redis.from_url(os.environ["REDIS_URL"])
    yield make, plain, prefix
    for registry in made:
        await registry.close()
    await plain.aclose()


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_a_burst_queues_on_one_connection_and_goes_out_in_few_round_trips(redis_registry):
    make, _plain, _prefix = redis_registry
    registry = make(ttl=20, max_connections=1)
    pipelines = []
    real_pipeline = registry.client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipelines.append(1)
        return real_pipeline(*args, **kwargs)

    registry.client.pipeline = counting_pipeline
    people = [{"user": n, "name": f"U{n}", "color": "#000"} for n in range(1000)]
    # 1,000 sockets over 100 mindmaps, all at once: none fails for want of a connection.
    firsts = await asyncio.gather(
        *(registry.join(n % 100, f"c{n}", who) for n, who in enumerate(people))
    )
    assert all(firsts)
    assert len(pipelines) <= 4, len(pipelines)
    assert len(await registry.people(7)) == 10
    gone = await asyncio.gather(*(registry.leave(n % 100, f"c{n}") for n in range(1000)))
    assert sorted(who["user"] for who in gone) == list(range(1000))
    assert await registry.due() == []
    assert registry.client.connection_pool.max_connections == 1


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_expired_entries_are_due_wherever_their_mindmap_is_open(redis_registry):
    make, plain, prefix = redis_registry
    registry = make(ttl=1)
    for mindmap_id in (1, 2, 3):
        await registry.join(mindmap_id, f"c{mindmap_id}", {**ALICE, "user": mindmap_id})
    await registry.join(4, "kept", BOB)
    assert await registry.due() == []
    for _ in range(3):
        await asyncio.sleep(0.45)
        await registry.refresh(4, {"kept": BOB})
    # Another process (or none) held mindmaps 1-3: their entries are due anyway.
    assert sorted(await registry.due()) == [1, 2, 3]
    assert [p["user"] for p in await registry.sweep(2)] == [2]
    assert sorted(await registry.due()) == [1, 3]
    assert await plain.exists(f"{prefix}:2:conns", f"{prefix}:2:info") == 0


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_keys_nobody_refreshes_vanish_shortly_after_the_ttl(redis_registry):
    make, plain, prefix = redis_registry
    registry = make(ttl=1)
    await registry.join(5, "c", ALICE)
    assert await plain.exists(f"{prefix}:5:conns", f"{prefix}:5:info", f"{prefix}:maps") == 3
    await asyncio.sleep(2.2)  # TTL x 1.25, rounded up to whole seconds
    assert await plain.exists(f"{prefix}:5:conns", f"{prefix}:5:info", f"{prefix}:maps") == 0


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_a_failed_leave_is_retried(redis_registry, monkeypatch):
    from teammoa.mindmap import presence

    make, _plain, _prefix = redis_registry
    registry = make(ttl=20)
    await registry.join(6, "c", ALICE)
    monkeypatch.setattr(presence, "LEAVE_RETRIES", (0.05, 0.05))
    real_pipeline = registry.client.pipeline
    failures = []

    def failing_twice(*args, **kwargs):
        pipe = real_pipeline(*args, **kwargs)
        if len(failures) < 2:
            failures.append(1)

            async def refuse(*args, **kwargs):
                raise ConnectionError("Too many connections")

            pipe.execute = refuse
        return pipe

    registry.client.pipeline = failing_twice
    assert (await registry.leave(6, "c"))["user"] == ALICE["user"]
    assert len(failures) == 2
    assert await registry.people(6) == []


@pytest.mark.asyncio
@pytest.mark.services("redis")
async def test_a_heartbeat_registers_again_what_a_restarted_redis_lost(redis_registry):
    make, plain, prefix = redis_registry
    registry = make(ttl=20)
    await registry.join(8, "a1", ALICE)
    # Redis restarted empty (or the join failed while it was away).
    await plain.delete(f"{prefix}:8:conns", f"{prefix}:8:info", f"{prefix}:maps")
    assert await registry.people(8) == []
    await registry.refresh(8, {"a1": ALICE, "b1": BOB})
    assert [p["user"] for p in await registry.people(8)] == [1, 2]


@pytest.mark.asyncio
async def test_the_memory_registry_registers_again_too():
    registry = MemoryRegistry(ttl=5)
    await registry.refresh(3, {"c": ALICE})
    assert [p["user"] for p in await registry.people(3)] == [1]
