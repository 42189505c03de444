"""Scenario 3, Redis outage: Redis stops for 10 s while people browse and edit.

Targets: pages and REST keep working (every request answered 200/201); ``/health/`` on
each instance says 503 naming redis within 2 s of the stop, and 200 again after it is
back; sockets get a clear close (a code the stack can send: 1000 or 3000-4999) and
reconnect once Redis is back; presence is right again within 30 s; no instance restarts.

While Redis is away the hubs close every socket with 4500, and a socket opened meanwhile
is closed with 4500 right after its handshake, so the editors keep backing off until the
channel layer answers again (``teammoa.core.websocket.outage``).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from support.clients import Editor, HttpLoad, reconnect_figures, summarise, wait_for
from support.outage import service_outage
from support.probes import Slowdown

HEALTH_WITHIN = 2.0
PRESENCE_WITHIN = 30.0


@pytest.fixture(scope="module")
def outage(stack, services, world, figures) -> dict:
    """One outage for the module's tests: what the people and the probes saw."""
    mindmap = world.take()
    numbers = figures("3 Redis outage")
    people = world.people[:8]
    pids = {instance.name: instance.pids() for instance in stack.instances}
    editors = [
        Editor(person, mindmap, stack.https_port, name=f"R{n}") for n, person in enumerate(people)
    ]

    async def presence_right(times: dict) -> None:
        ids = {e.person.id for e in editors}
        try:
            times["presence"] = await wait_for(
                lambda: all(e.connected.is_set() and e.presence == ids for e in editors),
                PRESENCE_WITHIN,
                "everyone connected, with everyone in their presence list",
                interval=0.2,
            )
        except AssertionError:
            times["presence"] = None
            times["presence states"] = [
                f"{e.name}: connected={e.connected.is_set()} missing={ids - e.presence} "
                f"extra={e.presence - ids} closes={[c.code for c in e.closes]}"
                for e in editors
            ]

    async def scenario() -> tuple[HttpLoad, dict, dict]:
        load = HttpLoad(stack.https_port, world.team, people, rate=20, workers=8).start()
        times, seen = await service_outage(
            stack,
            services.redis,
            "redis",
            editors,
            load,
            every=0.5,
            healthy_within=10,
            recovering=presence_right,
        )
        return load, times, seen

    with Slowdown() as slowdown:
        load, times, seen = asyncio.run(scenario())
    during = [r for r in load.results if times["stopped"] <= r.at <= times["back"]]
    summary, outage = summarise(load.results), summarise(during)
    numbers["HTTP requests (during the outage)"] = f"{summary['requests']} ({outage['requests']})"
    numbers["HTTP failed (during the outage)"] = f"{summary['failed']} ({outage['failed']})"
    numbers["HTTP p50 / max ms during the outage"] = f"{outage['p50 ms']} / {outage['max ms']}"
    numbers["/health/ 503 naming redis, then 200 after it is back, s"] = {
        k: round(v, 2) for k, v in seen.items()
    }
    numbers.update(reconnect_figures(editors))
    numbers["presence right again after Redis is back, s"] = (
        round(times["presence"], 1) if times["presence"] is not None else "not within 30 s"
    )
    numbers["CPU slowdown of this machine (median)"] = round(slowdown.factor, 1)
    return {
        "editors": editors,
        "summary": summary,
        "seen": seen,
        "times": times,
        "factor": slowdown.factor,
        "pids": pids,
    }


def test_pages_rest_and_health_ride_out_a_redis_outage(outage, stack):
    assert outage["summary"]["failed"] == 0, outage["summary"]["failures"]
    for instance in stack.instances:
        said = outage["seen"].get(f"{instance.name} 503", 99)
        assert said <= HEALTH_WITHIN * outage["factor"], outage["seen"]
    # No restart: the same processes serve as before.
    assert {instance.name: instance.pids() for instance in stack.instances} == outage["pids"]


def test_sockets_close_clearly_and_presence_recovers_after_a_redis_outage(outage):
    editors, times = outage["editors"], outage["times"]
    codes = {c.code for e in editors for c in e.closes}
    assert codes, "the outage closed no socket: their changes between instances were lost"
    assert all(code == 1000 or 3000 <= code <= 4999 for code in codes), codes
    # Turned away while Redis was down: "try again" (4500), never "too many sockets" (4429,
    # a minute's wait: the socket cap read the fail-open cache's dropped writes as taken).
    turned_away = sum((e.turned_away for e in editors), Counter())
    assert set(turned_away) <= {4500}, turned_away
    assert times["presence"] is not None, times["presence states"]
    assert times["presence"] <= PRESENCE_WITHIN, times
