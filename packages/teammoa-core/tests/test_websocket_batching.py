"""``Coalescing``: the requests made while a call is on its way share the next call."""

from __future__ import annotations

import asyncio

import pytest

from teammoa.core.websocket import Coalescing

pytestmark = pytest.mark.asyncio


async def test_requests_made_meanwhile_share_the_next_call_and_get_their_own_answer():
    calls: list[list[int]] = []

    async def answer_all(items: list[int]) -> list[object]:
        calls.append(items)
        await asyncio.sleep(0.05)
        return [ValueError(item) if item == 3 else item * 10 for item in items]

    coalescing = Coalescing(answer_all)
    first = asyncio.ensure_future(coalescing(1))
    await asyncio.sleep(0.01)  # the first call is on its way
    rest = [asyncio.ensure_future(coalescing(n)) for n in (2, 3, 4)]

    assert await first == 10
    results = await asyncio.gather(*rest, return_exceptions=True)
    assert results[0] == 20 and results[2] == 40
    assert isinstance(results[1], ValueError)  # one bad item fails alone
    assert calls == [[1], [2, 3, 4]]


async def test_a_failed_call_fails_its_callers_and_the_next_call_still_runs():
    async def answer_all(items: list[int]) -> list[int]:
        if 1 in items:
            raise ConnectionError("down")
        return items

    coalescing = Coalescing(answer_all, limit=2)
    results = await asyncio.gather(*(coalescing(n) for n in (1, 2, 3)), return_exceptions=True)

    assert isinstance(results[0], ConnectionError) and isinstance(results[1], ConnectionError)
    assert results[2] == 3  # past the limit: in the next call, which succeeds
    assert await coalescing(5) == 5
