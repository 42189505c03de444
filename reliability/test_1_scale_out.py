"""Scenario 1, scale-out: people on instance A and on instance B of one mindmap see each
other's edits, cursors and presence; a change made through REST on A reaches the sockets
on B; a member removed on A is closed (4403) on B, after the channel layer's receive has
sat idle past its 5 s blocking pop (the redis-py 8 timeout that used to lose it); and
every ES module is imported by its hashed name (the stale-sibling bug after a deploy).

The editors connect straight to each instance's Daphne (so which instance serves whom is
certain); the REST calls go straight to A's gunicorn with the headers nginx adds.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import statistics
import time

from support.clients import Editor, call, tls_context, wait_for


def test_two_instances_share_edits_cursors_presence_and_rest(stack, world, figures):
    web1, web2 = stack.instances
    mindmap = world.take()
    people = world.people
    numbers = figures("1 scale-out")

    async def scenario() -> None:
        on_a = [
            Editor(p, mindmap, stack.https_port, direct_port=web1.ws_port, name=f"A{n}")
            for n, p in enumerate(people[0:3])
        ]
        on_b = [
            Editor(p, mindmap, stack.https_port, direct_port=web2.ws_port, name=f"B{n}")
            for n, p in enumerate(people[3:6])
        ]
        everyone = on_a + on_b
        try:
            for editor in everyone:
                editor.start()
            await wait_for(
                lambda: all(e.connected.is_set() for e in everyone), 15, "every editor connected"
            )
            ids = {e.person.id for e in everyone}
            seconds = await wait_for(
                lambda: all(e.presence == ids for e in everyone),
                5,
                "everyone in everyone's presence list",
            )
            numbers["presence complete after the last join, s"] = round(seconds, 3)

            # Edits: each one made on one instance, seen on the other.
            latencies = []
            for round_ in range(10):
                writer = on_a[round_ % 3] if round_ % 2 == 0 else on_b[round_ % 3]
                readers = on_b if writer in on_a else on_a
                started = time.monotonic()
                answer = await writer.create(f"scale {round_}", 100 + round_, 200)
                assert answer, writer.errors[-1:]
                node = answer["node"]["id"]
                await wait_for(
                    lambda node=node, readers=readers: all(node in r.nodes for r in readers),
                    5,
                    "a node created on one instance shown on the other",
                )
                latencies.append(time.monotonic() - started)
                await writer.move(node, 300 + round_, 400)
                await wait_for(
                    lambda node=node, readers=readers, r_=round_: all(
                        r.nodes[node][1:] == [300 + r_, 400] for r in readers
                    ),
                    5,
                    "a move on one instance shown on the other",
                )
            numbers["edits across instances"] = len(latencies) * 2
            numbers["create seen on the other instance, median ms"] = round(
                statistics.median(latencies) * 1000
            )
            numbers["create seen on the other instance, max ms"] = round(max(latencies) * 1000)

            # Cursors: relayed across instances (never to their sender).
            for _ in range(5):
                on_a[0].send({"type": "cursor", "x": 10, "y": 20})
                on_b[0].send({"type": "cursor", "x": 30, "y": 40})
                await asyncio.sleep(0.1)
            await wait_for(
                lambda: (
                    all(e.cursors_from[on_a[0].person.id] for e in on_b)
                    and all(e.cursors_from[on_b[0].person.id] for e in on_a)
                ),
                5,
                "cursors relayed across instances",
            )
            assert not on_a[0].cursors_from[on_a[0].person.id]

            # REST on A reaches the sockets on B.
            started = time.monotonic()
            status, body = await asyncio.to_thread(
                call,
                web1.port,
                "POST",
                f"/api/v1/teams/{world.team}/mindmaps/{mindmap}/nodes/",
                people[0].token,
                {"title": "from REST on A", "x": 50, "y": 60},
            )
            assert status == 201, body
            await wait_for(
                lambda: all(body["id"] in e.nodes for e in everyone),
                5,
                "a REST change on A shown on every socket",
            )
            numbers["REST on A seen on B, ms"] = round((time.monotonic() - started) * 1000)

            # Presence: one leaves A; B sees it at once.
            leaving = on_a.pop()
            await leaving.stop()
            await wait_for(
                lambda: all(leaving.person.id not in e.presence for e in on_b),
                5,
                "a departure on A shown on B",
            )
            for editor in on_a + on_b:
                assert not editor.errors, editor.errors
        finally:
            for editor in everyone:
                await editor.stop()

    asyncio.run(scenario())


def test_a_member_removed_on_a_is_closed_on_b_after_an_idle_receive(stack, world, figures):
    """Issue 11: redis-py 8's 5 s socket timeout met channels-redis' 5 s blocking pop, and a
    message popped for an abandoned receive was lost; a removed member's close is one."""
    web1, web2 = stack.instances
    mindmap = world.take()
    host, removed = world.people[0], world.people[-1]
    numbers = figures("1 scale-out")

    async def scenario() -> None:
        editor = Editor(removed, mindmap, stack.https_port, direct_port=web2.ws_port)
        editor.start()
        try:
            await wait_for(editor.connected.is_set, 15, "the member connected on B")
            # Longer than the layer's 5 s blocking receive, so it has been renewed.
            await asyncio.sleep(6.5)
            started = time.monotonic()
            status, body = await asyncio.to_thread(
                call,
                web1.port,
                "DELETE",
                f"/api/v1/teams/{world.team}/members/{removed.member}/",
                host.token,
            )
            assert status == 204, body
            await wait_for(lambda: editor.final == "4403", 5, "the removed member closed with 4403")
            numbers["removed member closed on B after, ms"] = round(
                (time.monotonic() - started) * 1000
            )
        finally:
            await editor.stop()

    asyncio.run(scenario())


HASHED = re.compile(r"\.[0-9a-f]{12}\.m?js$")
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


def test_every_es_module_is_served_and_imported_by_its_hashed_name(stack):
    """After a deploy, nginx caches unhashed files for an hour: a module importing its
    sibling by the unhashed name would load a stale one (issue 11)."""
    static = stack.root / "static"
    modules = [path for path in static.rglob("*.js") if HASHED.search(path.name)]
    assert modules, "collectstatic wrote no hashed module"
    unhashed = [
        f"{path.relative_to(static)}: {specifier}"
        for path in modules
        for specifier in IMPORT.findall(path.read_text(errors="replace"))
        if not HASHED.search(specifier)
    ]
    assert not unhashed, unhashed[:10]
    # And nginx serves a hashed module for a year, immutable.
    sample = modules[0].relative_to(static)
    status, headers = _head(stack, f"/static/{sample}")
    assert status == 200 and "immutable" in headers.get("cache-control", ""), headers


def _head(stack, path: str) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", stack.https_port, timeout=10, context=tls_context()
    )
    try:
        connection.request("HEAD", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
