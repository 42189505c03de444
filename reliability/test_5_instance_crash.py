"""Scenario 5, instance crash: instance A is killed (SIGKILL to its supervisor, gunicorn
and Daphne: nothing says goodbye) while people browse and edit.

Targets: nginx sends new requests to B, with no failed request after the first failover
(only requests A held at the moment of the kill may fail); editors through nginx whose
socket was on A reconnect to B and resync; people whose only socket was on A leave the
presence lists of those on B within 30 s (A's entries expire; nobody removes them).
"""

from __future__ import annotations

import asyncio
import time

from support.clients import (
    Editor,
    HttpLoad,
    edit,
    lost_edits,
    reconnect_figures,
    settle,
    settled_against,
    summarise,
    wait_for,
)
from support.probes import Slowdown

PRESENCE_WITHIN = 30.0
FAILOVER = 1.0  # requests begun within this long after the kill may fail (A held them)


def test_an_instance_crash(stack, world, db, figures):
    web1, web2 = stack.instances
    mindmap = world.take()
    numbers = figures("5 instance crash")
    through_nginx, on_a, on_b = world.people[16:24], world.people[24:27], world.people[27:30]

    async def scenario() -> tuple:
        editors = [
            Editor(p, mindmap, stack.https_port, name=f"N{n}") for n, p in enumerate(through_nginx)
        ]
        victims = [
            Editor(p, mindmap, stack.https_port, direct_port=web1.ws_port, name=f"A{n}")
            for n, p in enumerate(on_a)
        ]
        watchers = [
            Editor(p, mindmap, stack.https_port, direct_port=web2.ws_port, name=f"B{n}")
            for n, p in enumerate(on_b)
        ]
        everyone = editors + victims + watchers
        load = HttpLoad(stack.https_port, world.team, through_nginx, rate=30, workers=12).start()
        stop = asyncio.Event()
        times: dict = {}
        try:
            for editor in everyone:
                editor.start()
            await wait_for(lambda: all(e.connected.is_set() for e in everyone), 20, "connected")
            ids = {e.person.id for e in everyone}
            await wait_for(lambda: all(w.presence == ids for w in watchers), 10, "all present")
            workers = [asyncio.create_task(edit(editor, stop)) for editor in editors]
            await asyncio.sleep(3)
            await asyncio.to_thread(web1.kill)
            times["killed"] = time.monotonic()
            # A's own people do not come back (their tab closed with the crash).
            for victim in victims:
                victim.stopped = True
            gone = {v.person.id for v in victims}
            times["presence"] = await wait_for(
                lambda: all(not (w.presence & gone) for w in watchers),
                PRESENCE_WITHIN * 2,
                "A's people gone from the presence lists on B",
                interval=0.2,
            )
            times["reconnected"] = await wait_for(
                lambda: all(e.connected.is_set() for e in editors), 20, "editors back on B"
            )
            await asyncio.sleep(2)
            stop.set()
            await asyncio.gather(*workers)
            times["settled"] = await settle(editors + watchers, db, mindmap)
        finally:
            stop.set()
            await asyncio.to_thread(load.stop)
            for editor in everyone:
                await editor.stop()
        return editors, load, times

    with Slowdown() as slowdown:
        editors, load, times = asyncio.run(scenario())
    factor = slowdown.factor
    first = times["killed"] + FAILOVER * factor
    after = [r for r in load.results if r.at >= first]
    at_kill = [r for r in load.results if times["killed"] <= r.at < first]
    summary = summarise(load.results)
    numbers["HTTP requests, failed"] = f"{summary['requests']}, {summary['failed']}"
    if summary["failures"]:
        numbers["failures"] = summary["failures"]
    numbers["failed among those begun at the kill / after the failover"] = (
        f"{summarise(at_kill)['failed']} of {len(at_kill)} / "
        f"{summarise(after)['failed']} of {len(after)}"
    )
    numbers.update(reconnect_figures(editors))
    numbers["A's people gone from presence on B after, s"] = round(times["presence"], 1)
    numbers["edits acknowledged"] = sum(e.acknowledged for e in editors)
    numbers["CPU slowdown of this machine (median)"] = round(factor, 1)

    assert summarise(after)["failed"] == 0, summarise(after)["failures"]
    assert times["presence"] <= PRESENCE_WITHIN, times
    version, nodes = times["settled"]
    assert not lost_edits(editors, nodes), lost_edits(editors, nodes)[:10]
    problems = [p for e in editors for p in settled_against(e, version, nodes)]
    assert not problems, problems[:10]
    assert web2.healthy()
