"""WebSocket fuzzing with Hypothesis: real ``websockets`` clients against the live server.

A member's socket sends valid and invalid frames of every protocol type (strings with
lone surrogates, control characters and RTL overrides, huge and negative numbers, wrong
types, other maps' ids, binary and oversized frames) while a second member, the honest
client, keeps editing the same mindmap. An outsider sends frames naming the member's
nodes into their own mindmap. Properties:

- the server never crashes, and never closes a member's socket for a bad frame (after
  every frame a ``ping`` must come back as a ``pong``);
- every error frame carries a documented code, every tracked request gets one answer;
- no acknowledged edit of the honest client is lost: each is in the database and in its
  final snapshot, and the versions it saw strictly increase;
- no frame of the outsider changes anything outside their own mindmap;
- the database ends consistent: every connection joins two nodes of its own mindmap.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import FIGURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from known import field_param
from live import PROXY_HEADERS, Live
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

MEMBER_EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_WS_EXAMPLES", "1200"))
TEXT_EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_TEXT_EXAMPLES", "40"))
OUTSIDER_EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_WS_OUTSIDER_EXAMPLES", "300"))
ANSWER_TIMEOUT = 15.0
ERROR_CODES = {"bad_json", "unknown_type", "invalid", "not_found", "forbidden", "rate_limited"}
ERROR_CODES |= {"too_large", "unavailable"}
TYPES = [
    "node.create",
    "node.move",
    "node.drag",
    "node.update",
    "node.delete",
    "connection.create",
    "connection.delete",
    "node.recommend",
    "comment.create",
    "cursor",
    "resync",
    "ping",
]
PERSISTED = {
    "node.create",
    "node.move",
    "node.update",
    "node.delete",
    "connection.create",
    "connection.delete",
    "node.recommend",
    "comment.create",
}
FIELDS: dict[str, dict[str, str]] = {
    "node.create": {"title": "str", "content": "str", "x": "x", "y": "y"},
    "node.move": {"node": "node", "x": "x", "y": "y"},
    "node.drag": {"node": "node", "x": "x", "y": "y"},
    "node.update": {"node": "node", "title": "str", "content": "str"},
    "node.delete": {"node": "node"},
    "connection.create": {"source": "node", "target": "node"},
    "connection.delete": {"connection": "connection"},
    "node.recommend": {"node": "node"},
    "comment.create": {"node": "node", "text": "str"},
    "cursor": {"x": "x", "y": "y"},
    "resync": {},
    "ping": {},
}
# Change events (server → client) that carry a version.
EVENTS = {
    "node.created",
    "node.moved",
    "node.updated",
    "node.deleted",
    "connection.created",
    "connection.deleted",
    "node.recommended",
    "comment.created",
    "mindmap.updated",
}
_reqs = itertools.count(1)
# The ``req`` of the requests whose answers are tracked (the fuzzer's own are random).
TRACKED = "fuzz-tracked-"


# --- a loop in a thread: Hypothesis drives synchronous examples, sockets live on -----------


class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Client:
    """One socket and everything it received, sorted by what the tests ask."""

    name: str
    ws: ClientConnection
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    closed: ConnectionClosed | None = None
    sent: int = 0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                self.take(json.loads(raw))
        except ConnectionClosed as exc:
            self.closed = exc
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(AssertionError(f"{self.name}: socket closed ({self.closed})"))

    def take(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "error" and frame.get("code") not in ERROR_CODES:
            self.bad.append(f"undocumented error code: {frame}")
        if kind == "snapshot":
            self.snapshots.append(frame)
        elif kind in EVENTS:
            self.events.append(frame)
            self.versions.append(frame["version"])
        req = frame.get("req")
        if isinstance(req, str) and req.startswith(TRACKED):
            self.answers.setdefault(req, []).append(frame)
            future = self.waiting.pop(req, None)
            if future is not None and not future.done():
                future.set_result(frame)

    async def send(self, message: str | bytes) -> None:
        self.sent += 1
        await self.ws.send(message)

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a frame with a fresh ``req``; the first answer naming it."""
        req = f"{TRACKED}{next(_reqs)}"
        future = asyncio.get_running_loop().create_future()
        self.waiting[req] = future
        await self.send(json.dumps({**frame, "req": req}))
        async with asyncio.timeout(ANSWER_TIMEOUT):
            return await future

    async def alive(self) -> None:
        """A ``ping`` answered by a ``pong``: the socket is open and the server serving it."""
        answer = await self.request({"type": "ping"})
        assert answer["type"] == "pong", answer


async def open_client(live: Live, name: str, session: str, mindmap: int) -> Client:
    ws = await connect(
        f"{live.ws_url}/ws/mindmaps/{mindmap}/",
        origin=f"https://127.0.0.1:{live.port}",
        additional_headers={**PROXY_HEADERS, "Cookie": f"sessionid={session}"},
        max_size=None,
        open_timeout=20,
    )
    client = Client(name, ws)
    client.reader = asyncio.get_running_loop().create_task(client.read())
    async with asyncio.timeout(20):
        while not client.snapshots:
            if client.closed:
                raise AssertionError(f"{name} was closed on connect: {client.closed}")
            await asyncio.sleep(0.01)
    return client


async def close_code(live: Live, mindmap: int, session: str | None) -> int | None:
    headers = dict(PROXY_HEADERS)
    if session:
        headers["Cookie"] = f"sessionid={session}"
    async with connect(
        f"{live.ws_url}/ws/mindmaps/{mindmap}/",
        origin=f"https://127.0.0.1:{live.port}",
        additional_headers=headers,
        open_timeout=20,
    ) as ws:
        try:
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None


# --- the honest client --------------------------------------------------------------------


@dataclass
class Honest:
    """Valid edits, all the time, on nodes of its own; remembers what was acknowledged."""

    client: Client
    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    acked: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def edit(self, frame: dict[str, Any]) -> dict[str, Any] | None:
        answer = await self.client.request(frame)
        if answer["type"] == "error":
            self.errors.append({"sent": frame, "answer": answer})
            return None
        self.acked += 1
        return answer

    async def run(self) -> None:
        step = 0
        while not self.stop.is_set():
            step += 1
            ids = sorted(self.nodes)
            if len(ids) < 12 or (step % 7 == 0 and len(ids) < 40):
                title = f"honest {step} — 정직 עברית"
                answer = await self.edit(
                    {
                        "type": "node.create",
                        "title": title,
                        "content": f"c{step}",
                        "x": step,
                        "y": 9,
                    }
                )
                if answer:
                    node = answer["node"]
                    self.nodes[node["id"]] = {k: node[k] for k in ("title", "content", "x", "y")}
            elif step % 3 == 0:
                node = ids[step % len(ids)]
                title = f"renamed {step}"
                if await self.edit({"type": "node.update", "node": node, "title": title}):
                    self.nodes[node]["title"] = title
            elif step % 5 == 0:
                a, b = ids[step % len(ids)], ids[(step * 7 + 1) % len(ids)]
                if a != b:
                    answer = await self.client.request(
                        {"type": "connection.create", "source": a, "target": b}
                    )
                    # "already connected" is a fair answer to a valid request
                    if answer["type"] == "error" and answer.get("code") != "invalid":
                        self.errors.append({"sent": (a, b), "answer": answer})
            else:
                node = ids[step % len(ids)]
                x, y = (step * 13) % 5000, (step * 29) % 3500
                if await self.edit({"type": "node.move", "node": node, "x": x, "y": y}):
                    self.nodes[node].update(x=x, y=y)
            await asyncio.sleep(0.005)


# --- frames -----------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\t\n\r",
    "\x00",
    "\x1b[31mred",
    "\u202eevil\u202c",
    "\u200b",
    "\ufeff",
    "\ud800",
    "\udfff",
    "a\ud83dz",
    "\U0001d54f" * 70,
    "x" * 65,
    "\u00e9" * 64,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "NaN",
    "null",
]


def strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.text(max_size=80),
        st.text(st.characters(codec=None, categories=["Cs", "Cc", "Cf", "Zs", "Co"]), max_size=40),
        st.text(min_size=60, max_size=70),
        st.builds(lambda n: "y" * n, st.sampled_from([2_001, 10_001, 30_000])),
    )


def wrong_types() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.text(max_size=5),
        st.sampled_from([10**30, -(10**30), 2**63, 2**64, -(2**63) - 1]),
    )


def unknown_ids() -> st.SearchStrategy[int]:
    """Ids no node has: never a small positive one, which could be the honest client's."""
    return st.one_of(st.integers(max_value=0), st.integers(min_value=10**9))


def integers(limit: int) -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(0, limit),
        st.integers(),
        st.sampled_from([-1, limit + 1, 2**31, 2**63, -(2**63), 10**40]),
    )


def encode(frame: Any, ascii_only: bool) -> str:
    """JSON text; a lone surrogate travels as its ``\\ud800`` escape (UTF-8 cannot carry it)."""
    text = json.dumps(frame, ensure_ascii=ascii_only)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(frame, ensure_ascii=True)
    return text


def frames(ids: dict[str, list[int]]) -> st.SearchStrategy[Any]:
    """Every protocol type: valid frames with one hostile field (most of them), frames with
    any mix of valid, hostile, mistyped and missing fields, and raw junk."""
    valid = {
        "str": st.text(
            st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=20
        ),
        "x": st.integers(0, 5400),
        "y": st.integers(0, 3600),
        "node": st.sampled_from(ids["node"]),
        "connection": st.sampled_from(ids["connection"]),
    }
    hostile = {
        "str": strings(),
        "x": integers(5400),
        "y": integers(3600),
        "node": st.one_of(st.sampled_from(ids["node"]), unknown_ids()),
        "connection": st.one_of(st.sampled_from(ids["connection"]), unknown_ids()),
    }

    @st.composite
    def one_bad_field(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(TYPES))
        fields = FIELDS[kind]
        frame: dict[str, Any] = {"type": kind}
        frame.update({name: draw(valid[spec]) for name, spec in fields.items()})
        if fields:
            name = draw(st.sampled_from(sorted(fields)))
            frame[name] = draw(
                st.one_of(hostile[fields[name]], hostile[fields[name]], wrong_types())
            )
        return frame

    @st.composite
    def anything(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.one_of(st.sampled_from(TYPES), st.sampled_from(TYPES), wrong_types()))
        frame: dict[str, Any] = {"type": kind}
        for name, spec in FIELDS.get(kind, {}).items() if isinstance(kind, str) else ():
            choice = draw(st.sampled_from(["valid", "hostile", "hostile", "wrong", "missing"]))
            if choice == "valid":
                frame[name] = draw(valid[spec])
            elif choice == "hostile":
                frame[name] = draw(hostile[spec])
            elif choice == "wrong":
                frame[name] = draw(wrong_types())
        if draw(st.booleans()):
            frame.update(draw(st.dictionaries(st.text(max_size=8), wrong_types(), max_size=2)))
        if draw(st.integers(0, 9)) == 0:
            frame["req"] = draw(st.one_of(wrong_types(), strings()))
        return frame

    raw = st.one_of(
        st.text(max_size=50),
        st.sampled_from(["", "{", "[]", "null", "1", '"x"', "{}", '{"type": null}', "NaN"]),
        st.builds(lambda n: "[" * n + "]" * n, st.integers(10, 200_000)),
        st.builds(lambda n: '{"type":"node.create","title":"' + "z" * n + '"}', st.just(70_000)),
        st.binary(max_size=64),
    )
    messages = st.one_of(one_bad_field(), one_bad_field(), anything())
    encoded = st.builds(encode, messages, st.booleans())
    return st.one_of(encoded, encoded, encoded, encoded, raw)


# --- fixtures -----------------------------------------------------------------------------


@dataclass
class Arena:
    loop: Loop
    fuzzer: Client
    honest: Honest
    outsider: Client
    honest_task: Any
    before: dict[str, Any]


def database_state(mindmap_id: int) -> dict[str, Any]:
    from teammoa.mindmap.models import Comment, Connection, Mindmap, Node

    return {
        "version": Mindmap.objects.get(pk=mindmap_id).version,
        "nodes": {
            n["id"]: n
            for n in Node.objects.filter(mindmap_id=mindmap_id).values(
                "id", "title", "content", "x", "y"
            )
        },
        "connections": set(
            Connection.objects.filter(mindmap_id=mindmap_id).values_list("source", "target")
        ),
        "comments": Comment.objects.filter(node__mindmap_id=mindmap_id).count(),
    }


@pytest.fixture(scope="module")
def arena(live: Live) -> Iterator[Arena]:
    world = live.world
    maps = world["mindmaps"]
    loop = Loop()
    session = world["session"]
    fuzzer = loop.run(open_client(live, "member", session["member"], maps["main"]["id"]))
    honest_client = loop.run(open_client(live, "peer", session["peer"], maps["main"]["id"]))
    outsider = loop.run(open_client(live, "outsider", session["outsider"], maps["foreign"]["id"]))

    async def start_honest() -> tuple[Honest, asyncio.Task[None]]:
        honest = Honest(honest_client)
        return honest, asyncio.get_running_loop().create_task(honest.run())

    honest, task = loop.run(start_honest())
    before = {name: database_state(m["id"]) for name, m in maps.items()}
    yield Arena(loop, fuzzer, honest, outsider, task, before)
    for client in (fuzzer, honest_client, outsider):
        loop.run(client.ws.close())
    loop.close()


def _member_ids(world: dict[str, Any]) -> dict[str, list[int]]:
    maps = world["mindmaps"]
    # Never the honest client's nodes (created during the run): its edits must stand.
    nodes = maps["main"]["nodes"] + maps["main2"]["nodes"][:4] + maps["foreign"]["nodes"][:4]
    connections = maps["main"]["connections"] + maps["foreign"]["connections"][:2]
    return {"node": nodes, "connection": connections}


# --- the properties -----------------------------------------------------------------------


def test_outsiders_cannot_open_the_members_map(live: Live, arena: Arena) -> None:
    main = live.world["mindmaps"]["main"]["id"]
    assert arena.loop.run(close_code(live, main, live.world["session"]["outsider"])) == 4403
    assert arena.loop.run(close_code(live, main, None)) == 4401
    assert arena.loop.run(close_code(live, 10**9, live.world["session"]["member"])) == 4404


def test_member_frames(live: Live, arena: Arena) -> None:
    ids = _member_ids(live.world)

    @settings(
        max_examples=MEMBER_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(frame=frames(ids))
    def property_(frame: Any) -> None:
        FIGURES["websocket hypothesis cases"] += 1
        client = arena.fuzzer

        async def go() -> None:
            await client.send(frame)
            await client.alive()

        try:
            arena.loop.run(go())
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(
                f"after {frame[:300]!r} the member's socket failed: {exc!r} ({client.closed})"
            ) from exc
        assert client.closed is None, f"closed after {frame[:300]!r}: {client.closed}"
        assert not client.bad, client.bad

    property_()


def test_outsider_frames_name_other_maps(live: Live, arena: Arena) -> None:
    maps = live.world["mindmaps"]
    ids = {
        "node": maps["main"]["nodes"] + maps["joined"]["nodes"][:4],
        "connection": maps["main"]["connections"] + maps["joined"]["connections"][:2],
    }
    valid = {
        "node.move": {"x": 1, "y": 1},
        "node.update": {"title": "taken over"},
        "node.delete": {},
        "connection.create": {},
        "connection.delete": {},
        "node.recommend": {},
        "comment.create": {"text": "hi"},
        "node.drag": {"x": 1, "y": 1},
    }

    @settings(
        max_examples=OUTSIDER_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        kind=st.sampled_from(sorted(valid)),
        node=st.sampled_from(ids["node"]),
        other=st.sampled_from(ids["node"] + live.world["mindmaps"]["foreign"]["nodes"][:2]),
        connection=st.sampled_from(ids["connection"]),
    )
    def property_(kind: str, node: int, other: int, connection: int) -> None:
        FIGURES["websocket hypothesis cases"] += 1
        frame = {"type": kind, **valid[kind]}
        if kind == "connection.create":
            frame.update(source=node, target=other)
        elif kind == "connection.delete":
            frame["connection"] = connection
        else:
            frame["node"] = node

        answer = arena.loop.run(arena.outsider.request(frame))
        assert answer["type"] == "error", f"{frame} reached another team's map: {answer}"
        assert answer["code"] in {"not_found", "invalid", "forbidden"}, answer

    property_()


SOCKET_TEXT = {
    # field: (frame type, rules of teammoa.core.text.check_text)
    "socket node.title": ("title", {"max_length": 64}),
    "socket node.content": (
        "content",
        {"max_length": 10_000, "min_length": 0, "multiline": True, "strip": False},
    ),
    "socket comment.text": ("text", {"max_length": 2000, "multiline": True}),
}


@pytest.mark.parametrize("name", [field_param(name) for name in SOCKET_TEXT])
def test_socket_text_is_stored_or_refused(name: str, live: Live, arena: Arena) -> None:
    """The text-field property over the socket: an answer with the cleaned value, or
    ``invalid`` naming the field; never a closed socket."""
    from teammoa.core.testing.text import any_text, expected_text

    field, rules = SOCKET_TEXT[name]
    # A node of its own: the member's fuzzed frames may have deleted any seeded one.
    created = arena.loop.run(
        arena.fuzzer.request({"type": "node.create", "title": f"target {name}", "x": 5, "y": 5})
    )
    assert created["type"] == "node.created", created
    node = created["node"]["id"]

    @settings(
        max_examples=TEXT_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=any_text(max_size=rules["max_length"] + 5))
    def property_(value: str) -> None:
        FIGURES["websocket hypothesis cases"] += 1
        kind = "comment.create" if field == "text" else "node.update"
        frame = {"type": kind, "node": node, field: value}
        expected = expected_text(json.loads(json.dumps(value)), **rules)
        answer = arena.loop.run(arena.fuzzer.request(frame))
        shown = f"{frame!r} -> {answer!r}"
        if answer["type"] == "error":
            assert answer["code"] == "invalid", shown
            assert field in answer.get("errors", {}), f"the error names no field: {shown}"
            assert expected is None, f"refused a valid text: {shown}"
            return
        assert expected is not None, f"stored a text that must be refused: {shown}"
        stored = answer["comment"]["text"] if kind == "comment.create" else answer[field]
        assert stored == expected, shown

    property_()


def test_no_edit_is_lost_and_the_database_is_consistent(live: Live, arena: Arena) -> None:
    from django.db.models import F

    from teammoa.mindmap.models import Connection

    world = live.world
    maps = world["mindmaps"]

    async def finish() -> dict[str, Any]:
        arena.honest.stop.set()
        await arena.honest_task
        for client in (arena.fuzzer, arena.honest.client, arena.outsider):
            await client.alive()
        # Every tracked request has its answer by now (answers come in order per room).
        await asyncio.sleep(0.5)
        before = len(arena.honest.client.snapshots)
        await arena.honest.client.send(json.dumps({"type": "resync"}))
        async with asyncio.timeout(ANSWER_TIMEOUT):
            while len(arena.honest.client.snapshots) == before:
                await asyncio.sleep(0.01)
        return arena.honest.client.snapshots[-1]

    snapshot = arena.loop.run(finish())
    honest = arena.honest
    FIGURES["websocket frames sent"] += sum(
        c.sent for c in (arena.fuzzer, honest.client, arena.outsider)
    )
    FIGURES["websocket honest edits acknowledged"] = honest.acked
    assert honest.acked > 50, "the honest client hardly got to edit"
    assert not honest.errors, honest.errors[:5]
    for client in (arena.fuzzer, honest.client, arena.outsider):
        assert client.closed is None, f"{client.name} closed: {client.closed}"
        assert not client.bad, client.bad

    versions = honest.client.versions
    assert all(a < b for a, b in itertools.pairwise(versions)), "versions went backwards"
    state = database_state(maps["main"]["id"])
    assert snapshot["version"] == state["version"]
    in_snapshot = {node["id"]: node for node in snapshot["nodes"]}
    for node_id, expected in honest.nodes.items():
        assert node_id in state["nodes"], f"acknowledged node {node_id} is not in the database"
        assert node_id in in_snapshot, f"acknowledged node {node_id} is not in the snapshot"
        for key, value in expected.items():
            assert state["nodes"][node_id][key] == value, (node_id, key)
            assert in_snapshot[node_id][key] == value, (node_id, key)

    # Nothing the outsider sent changed another team's map.
    for name in ("main2", "joined"):
        assert database_state(maps[name]["id"]) == arena.before[name], name
    outsider = world["users"]["outsider"]
    assert all(event.get("by") != outsider for event in honest.client.events)

    # Every connection joins two nodes of its own mindmap.
    strays = Connection.objects.exclude(source__mindmap=F("mindmap")) | (
        Connection.objects.exclude(target__mindmap=F("mindmap"))
    )
    assert not strays.exists(), list(strays.values())[:5]
