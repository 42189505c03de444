"""Scenario 4, database outage: MariaDB stops for 10 s while people browse and edit.

Targets: ``/health/`` on each instance 503 naming the database within 2 s; requests fail
fast, with 503 (never 500), none hangs past 5 s; WebSocket edits are refused with an error
(``unavailable``, and the socket closed with 4500), never acknowledged and then lost;
afterwards everything recovers without restarting the site: every instance healthy, every
editor back and settled on the database's state; no partial write (every todo answered
201 and every acknowledged edit is stored).
"""

from __future__ import annotations

import asyncio

import pytest
from support.clients import (
    Editor,
    HttpLoad,
    lost_edits,
    reconnect_figures,
    settle,
    settled_against,
    summarise,
)
from support.outage import service_outage
from support.probes import Slowdown

HEALTH_WITHIN = 2.0
FAIL_WITHIN = 5.0


@pytest.fixture(scope="module")
def outage(stack, services, world, db, figures) -> dict:
    mindmap = world.take()
    numbers = figures("4 database outage")
    people = world.people[8:16]
    pids = {instance.name: instance.pids() for instance in stack.instances}
    editors = [
        Editor(person, mindmap, stack.https_port, name=f"D{n}") for n, person in enumerate(people)
    ]

    async def settled(times: dict) -> None:
        times["settled"] = await settle(editors, db, mindmap, timeout=30)

    async def scenario() -> tuple[HttpLoad, dict, dict]:
        load = HttpLoad(stack.https_port, world.team, people, rate=20, workers=8).start()
        times, seen = await service_outage(
            stack,
            services.mariadb,
            "database",
            editors,
            load,
            every=0.3,
            healthy_within=15,
            recovering=lambda _times: asyncio.sleep(3),
            afterwards=settled,
        )
        return load, times, seen

    with Slowdown() as slowdown:
        load, times, seen = asyncio.run(scenario())
    during = [r for r in load.results if times["stopped"] <= r.at <= times["back"]]
    after = [r for r in load.results if r.at >= times["back"] + 3]
    summary = summarise(load.results)
    outage = summarise(during, ok=(200, 201, 503))
    numbers["HTTP requests (during the outage)"] = f"{summary['requests']} ({outage['requests']})"
    numbers["answers during the outage"] = outage["statuses"]
    numbers["HTTP p50 / max ms during the outage"] = f"{outage['p50 ms']} / {outage['max ms']}"
    numbers["/health/ 503 naming the database, then 200 after it is back, s"] = {
        k: round(v, 2) for k, v in seen.items()
    }
    numbers.update(reconnect_figures(editors))
    numbers["edits acknowledged / refused unavailable"] = (
        f"{sum(e.acknowledged for e in editors)} / "
        f"{sum(1 for e in editors for x in e.errors if x.get('code') == 'unavailable')}"
    )
    numbers["todos created through the API, all stored"] = len(load.created)
    numbers["CPU slowdown of this machine (median)"] = round(slowdown.factor, 1)
    return {
        "editors": editors,
        "load": load,
        "during": outage,
        "after": summarise(after),
        "seen": seen,
        "times": times,
        "factor": slowdown.factor,
        "pids": pids,
    }


def test_requests_fail_fast_with_503_and_health_says_database(outage, stack):
    during, factor = outage["during"], outage["factor"]
    assert during["failed"] == 0, during["failures"]  # 200, 201 or 503 only: never a 500
    assert during["max ms"] <= FAIL_WITHIN * 1000 * factor, during
    for instance in stack.instances:
        said = outage["seen"].get(f"{instance.name} 503", 99)
        assert said <= HEALTH_WITHIN * factor, outage["seen"]


def test_everything_recovers_without_a_restart_and_nothing_is_lost(outage, stack, db):
    assert outage["after"]["failed"] == 0, outage["after"]["failures"]
    assert {instance.name: instance.pids() for instance in stack.instances} == outage["pids"]
    version, nodes = outage["times"]["settled"]
    editors = outage["editors"]
    assert not lost_edits(editors, nodes), lost_edits(editors, nodes)[:10]
    problems = [p for e in editors for p in settled_against(e, version, nodes)]
    assert not problems, problems[:10]
    codes = {c.code for e in editors for c in e.closes}
    assert codes <= {4500}, codes
    errors = {x.get("code") for e in editors for x in e.errors}
    assert errors <= {"unavailable"}, errors
    stored = {row[0] for row in db.rows("SELECT id FROM teammoa_core_todo")}
    assert set(outage["load"].created) <= stored, "a todo answered 201 is not stored"
