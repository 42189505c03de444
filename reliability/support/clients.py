"""The people using the stack during a fault: mindmap editors (WebSocket clients that behave
as the editor's ``socket.js`` does) and an HTTP request mix at a fixed rate.

Everything goes through nginx (TLS, the throwaway certificate) on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import itertools
import json
import multiprocessing
import random
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# socket.js: closes that reconnecting cannot fix, and its backoff (full jitter).
FINAL_CODES = {4401, 4403, 4404}
BACKOFF_BASE = 0.5
BACKOFF_MAX = 15.0
TOO_MANY_RETRY = 60.0


def tls_context() -> ssl.SSLContext:
    """The stack's certificate is a throwaway one: not verified (127.0.0.1 only)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Closed(Exception):
    """The socket closed before the request was answered: its outcome is unknown."""


@dataclass
class Close:
    at: float
    code: int
    instance: str = ""


@dataclass
class Editor:
    """One person's editor on one mindmap: connects, keeps its state (snapshot + changes,
    resync on a gap), reconnects after a close with socket.js's backoff, and records what
    happened: closes (code, time), reconnect times (close to the next snapshot), the
    changes the server acknowledged and those whose outcome a close left unknown."""

    person: Any
    mindmap: int
    https_port: int
    tls: ssl.SSLContext = field(default_factory=tls_context, repr=False)
    name: str = ""
    # Straight to one instance's Daphne (plain ws) instead of through nginx.
    direct_port: int = 0
    # What it shows.
    version: int = -1
    nodes: dict[int, list] = field(default_factory=dict)
    presence: set[int] = field(default_factory=set)
    cursors_from: Counter = field(default_factory=Counter)
    # What happened.
    snapshots: int = 0
    closes: list[Close] = field(default_factory=list)
    reconnects: list[float] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    # Sockets closed after their handshake but before any snapshot, by close code (a
    # server refusing for now: 4500 while Redis is away; 4429 once hid an outage bug).
    turned_away: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)
    created: dict[int, str] = field(default_factory=dict)  # acknowledged node.create
    moved: dict[int, tuple[int, int]] = field(default_factory=dict)  # last acknowledged move
    unknown: dict[int, tuple[int, int]] = field(default_factory=dict)  # move cut by a close
    acknowledged: int = 0
    final: str = ""
    # After each close: (seconds to the next accepted handshake, attempts it took).
    handshakes: list[tuple[float, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = self.name or f"editor-{self.person.id}"
        self.ws: Any = None
        self.connected = asyncio.Event()
        self.stopped = False
        self.pending: dict[str, asyncio.Future] = {}
        self.sequence = itertools.count(1)
        self.attempt = 0
        self.resyncing = False
        self.last_close: float | None = None
        self._task: asyncio.Task | None = None

    @property
    def origin(self) -> str:
        if self.direct_port:
            return f"http://127.0.0.1:{self.direct_port}"
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def url(self) -> str:
        where = (
            f"ws://127.0.0.1:{self.direct_port}"
            if self.direct_port
            else (f"wss://127.0.0.1:{self.https_port}")
        )
        return f"{where}/ws/mindmaps/{self.mindmap}/?batch=1"

    # --- the connection ------------------------------------------------------------------

    def start(self) -> Editor:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        attempts = 0
        while not self.stopped:
            code = 1006
            attempts += 1
            try:
                async with connect(
                    self.url,
                    ssl=None if self.direct_port else self.tls,
                    origin=self.origin,
                    additional_headers={"Cookie": f"sessionid={self.person.session}"},
                    open_timeout=10,
                    close_timeout=2,
                    ping_interval=20,
                    ping_timeout=10,
                    max_size=2**24,
                ) as ws:
                    self.ws = ws
                    if self.last_close is not None:
                        self.handshakes.append((time.monotonic() - self.last_close, attempts))
                    attempts = 0
                    try:
                        async for text in ws:
                            self._receive(text)
                    except ConnectionClosed:
                        pass
                    received = ws.protocol.close_rcvd
                    code = received.code if received is not None else 1006
                    if not self.connected.is_set():
                        self.turned_away[code] += 1
            except (TimeoutError, OSError, InvalidHandshake) as exc:
                self.refused[type(exc).__name__] += 1
            except ConnectionClosed:
                pass
            self._closed(code)
            if self.stopped or code in FINAL_CODES:
                self.final = str(code) if code in FINAL_CODES else self.final
                return
            ceiling = min(BACKOFF_MAX, BACKOFF_BASE * 2**self.attempt)
            self.attempt += 1
            delay = (TOO_MANY_RETRY if code == 4429 else 0) + random.random() * ceiling
            await asyncio.sleep(delay)

    def _closed(self, code: int) -> None:
        was_connected = self.connected.is_set() and not self.stopped
        self.connected.clear()
        self.ws = None
        if was_connected:
            self.last_close = time.monotonic()
            self.closes.append(Close(self.last_close, code))
        for future in self.pending.values():
            if not future.done():
                future.set_exception(Closed(code))
        self.pending.clear()

    # --- frames in ---------------------------------------------------------------------

    def _receive(self, text: str) -> None:
        data = json.loads(text)
        for message in data["messages"] if data.get("type") == "batch" else [data]:
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        req = message.get("req")
        waiter = self.pending.pop(req, None) if req is not None else None
        if kind == "snapshot":
            self.snapshots += 1
            self.version = message["version"]
            self.nodes = {n["id"]: [n["title"], n["x"], n["y"]] for n in message["nodes"]}
            self.presence = {p["user"] for p in message.get("presence", [])}
            self.resyncing = False
            self.attempt = 0
            if self.last_close is not None:
                self.reconnects.append(time.monotonic() - self.last_close)
                self.last_close = None
            self.connected.set()
            if waiter and not waiter.done():
                waiter.set_result(message)
            return
        if kind == "error":
            self.errors.append(message)
            if waiter and not waiter.done():
                waiter.set_result(message)
            return
        if kind == "pong":
            if message.get("version", -1) > self.version:
                self.resync()
            if waiter and not waiter.done():
                waiter.set_result(message)
            return
        if kind == "presence.joined":
            self.presence.add(message["user"])
        elif kind == "presence.left":
            self.presence.discard(message["user"])
        elif kind == "cursor":
            self.cursors_from[message["user"]] += 1
        version = message.get("version")
        if isinstance(version, int):
            if waiter and not waiter.done():
                waiter.set_result(message)
            if self.resyncing or version <= self.version:
                return
            if version != self.version + 1:  # a change went missing: start over
                self.resync()
                return
            self.version = version
            self._apply(message)

    def _apply(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "node.created":
            node = message["node"]
            self.nodes[node["id"]] = [node["title"], node["x"], node["y"]]
        elif kind == "node.moved" and message["node"] in self.nodes:
            self.nodes[message["node"]][1:] = [message["x"], message["y"]]
        elif kind == "node.updated" and message["node"] in self.nodes:
            self.nodes[message["node"]][0] = message["title"]
        elif kind == "node.deleted":
            self.nodes.pop(message["node"], None)

    # --- frames out --------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> bool:
        if self.ws is None or not self.connected.is_set():
            return False
        asyncio.get_running_loop().create_task(self._send(json.dumps(message)))
        return True

    async def _send(self, text: str) -> None:
        with contextlib.suppress(Exception):  # a close is noticed by the reader
            await self.ws.send(text)

    def resync(self) -> None:
        self.resyncing = True
        self.send({"type": "resync", "req": f"r{next(self.sequence)}"})

    async def request(self, message: dict[str, Any], timeout: float = 15) -> dict[str, Any]:
        """Send a change; its answer (the broadcast, or an error frame). Raises Closed when
        the socket closed first (the outcome is unknown) or it could not be sent."""
        if self.ws is None or not self.connected.is_set():
            raise Closed("not connected")
        req = f"q{next(self.sequence)}"
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.pending[req] = future
        await self._send(json.dumps({**message, "req": req}))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(req, None)

    async def create(self, title: str, x: int, y: int) -> dict[str, Any] | None:
        answer = await self.request({"type": "node.create", "title": title, "x": x, "y": y})
        if answer.get("type") == "node.created":
            self.created[answer["node"]["id"]] = title
            self.acknowledged += 1
            return answer
        return None

    async def move(self, node: int, x: int, y: int) -> bool:
        try:
            answer = await self.request({"type": "node.move", "node": node, "x": x, "y": y})
        except Closed:
            self.unknown[node] = (x, y)
            raise
        if answer.get("type") == "node.moved":
            self.moved[node] = (x, y)
            self.unknown.pop(node, None)
            self.acknowledged += 1
            return True
        return False

    async def ping(self, timeout: float = 5) -> dict[str, Any]:
        return await self.request({"type": "ping"}, timeout)


async def edit(editor: Editor, stop: asyncio.Event, every: float = 0.25) -> None:
    """Creates (one in four) and moves of its own nodes, one at a time, and cursors, until
    ``stop``; waits out closes (reconnecting is the editor's own business)."""
    rng = random.Random(editor.person.id)
    mine: list[int] = []
    count = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(editor.connected.wait(), 1)
        except TimeoutError:
            continue
        try:
            if not mine or rng.random() < 0.25:
                count += 1
                title = f"{editor.name} {count}"
                answer = await editor.create(title, rng.randrange(5000), rng.randrange(3400))
                if answer:
                    mine.append(answer["node"]["id"])
            else:
                await editor.move(rng.choice(mine), rng.randrange(5000), rng.randrange(3400))
            editor.send({"type": "cursor", "x": rng.randrange(5000), "y": rng.randrange(3400)})
        except (TimeoutError, Closed):
            pass
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every * (0.5 + rng.random()))


def settled_against(editor: Editor, version: int, nodes: dict[int, tuple]) -> list[str]:
    """What differs between an editor's final state and the database's."""
    problems = []
    if editor.version != version:
        problems.append(f"{editor.name}: version {editor.version}, database {version}")
    shown = {node: tuple(value) for node, value in editor.nodes.items()}
    if shown != nodes:
        missing = sorted(set(nodes) - set(shown))[:5]
        extra = sorted(set(shown) - set(nodes))[:5]
        moved = sorted(n for n in set(nodes) & set(shown) if nodes[n] != shown[n])[:5]
        problems.append(f"{editor.name}: missing {missing}, extra {extra}, differ {moved}")
    return problems


def lost_edits(editors: list[Editor], nodes: dict[int, tuple]) -> list[str]:
    """Acknowledged changes the database does not hold (a move a close cut short may be
    there instead of the acknowledged one before it: its outcome is unknown)."""
    lost = []
    for editor in editors:
        for node, title in editor.created.items():
            if node not in nodes or nodes[node][0] != title:
                lost.append(f"{editor.name}: created node {node} {title!r}")
        for node, position in editor.moved.items():
            stored = nodes.get(node, (None, None, None))[1:]
            if stored != position and stored != editor.unknown.get(node):
                lost.append(f"{editor.name}: moved node {node} to {position}, stored {stored}")
    return lost


# --- HTTP -----------------------------------------------------------------------------


@dataclass
class Result:
    at: float
    seconds: float
    kind: str
    status: int  # 0: no answer (connection refused, reset, timeout)
    error: str = ""


class HttpLoad:
    """A request mix through nginx at ``rate`` requests per second from ``workers``
    threads, each with its own kept-open TLS connection, until :meth:`stop`.

    The mix (a signed-in team member): the home page, the board page, the team list and
    detail, the todo list (API, by token) and, one in ten, a new todo (POST).
    """

    MIX = (
        ("home", 25),
        ("board", 10),
        ("teams", 20),
        ("team", 15),
        ("todos", 20),
        ("create todo", 10),
    )

    def __init__(
        self, https_port: int, team: int, people: list[Any], rate: float, workers: int = 24
    ) -> None:
        self.https_port = https_port
        self.team = team
        self.people = people
        self.rate = rate
        self.workers = workers
        self.results: list[Result] = []
        self.created: list[int] = []
        # Requests sent again on a fresh connection after a kept-open one was closed
        # before any answer came (what browsers do; the server never saw them).
        self.resent = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        kinds, weights = zip(*self.MIX, strict=True)
        self._kinds, self._weights = list(kinds), list(weights)

    def start(self) -> HttpLoad:
        """In a process of its own, so the editors' event loop (in this one) and the
        request threads do not slow each other down through the GIL."""
        context = multiprocessing.get_context("fork")
        self._stop_event = context.Event()
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=self._main, args=(sender,), daemon=True)
        self._process.start()
        sender.close()
        return self

    def stop(self) -> list[Result]:
        self._stop_event.set()
        if self._receiver.poll(60):
            results, self.created, self.resent = self._receiver.recv()
            self.results = [Result(*values) for values in results]
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        return self.results

    def _main(self, sender: Any) -> None:
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        self._stop_event.wait()
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        results = [(r.at, r.seconds, r.kind, r.status, r.error) for r in self.results]
        sender.send((results, self.created, self.resent))
        sender.close()

    def _request(self, kind: str, person: Any) -> tuple[str, str, dict[str, str], bytes | None]:
        api = {"Authorization": f"Token {person.token}", "Accept": "application/json"}
        page = {"Cookie": f"sessionid={person.session}"}
        team = self.team
        if kind == "home":
            return "GET", "/", page, None
        if kind == "board":
            return "GET", f"/teams/{team}/posts/", page, None
        if kind == "teams":
            return "GET", "/api/v1/teams/", api, None
        if kind == "team":
            return "GET", f"/api/v1/teams/{team}/", api, None
        if kind == "todos":
            return "GET", f"/api/v1/teams/{team}/todos/", api, None
        body = json.dumps({"content": f"load {time.monotonic():.3f}"}).encode()
        return (
            "POST",
            f"/api/v1/teams/{team}/todos/",
            {**api, "Content-Type": "application/json"},
            body,
        )

    def _work(self, number: int) -> None:
        rng = random.Random(number)
        interval = self.workers / self.rate
        next_at = time.monotonic() + rng.random() * interval
        connection: http.client.HTTPSConnection | None = None
        while not self._stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            next_at += interval
            kind = rng.choices(self._kinds, self._weights)[0]
            person = self.people[rng.randrange(len(self.people))]
            method, path, headers, body = self._request(kind, person)
            started = time.monotonic()
            status, error = 0, ""
            for _attempt in range(2):
                reused = connection is not None
                try:
                    if connection is None:
                        # A slow answer is not a failure (its time is in the figures);
                        # browsers wait minutes, nginx 60 s.
                        connection = http.client.HTTPSConnection(
                            "127.0.0.1", self.https_port, timeout=30, context=tls_context()
                        )
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    status, error = response.status, ""
                    if kind == "create todo" and status == 201:
                        with contextlib.suppress(ValueError, KeyError):
                            self.created.append(json.loads(payload)["id"])
                    if response.getheader("connection", "").lower() == "close":
                        connection.close()
                        connection = None
                    break
                except (OSError, http.client.HTTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                    if connection is not None:
                        connection.close()
                    connection = None
                    # A kept-open connection the server closed as the request went out:
                    # nothing was answered, so a browser sends it again on a new one.
                    # (nginx's old workers close idle ones on a reload, TLS or not.)
                    closed_idle = isinstance(
                        exc,
                        (
                            http.client.RemoteDisconnected,
                            ConnectionResetError,
                            BrokenPipeError,
                            ssl.SSLEOFError,
                            ssl.SSLZeroReturnError,
                        ),
                    )
                    if not (reused and closed_idle):
                        break
                    with self._lock:
                        self.resent += 1
            result = Result(started, time.monotonic() - started, kind, status, error)
            with self._lock:
                self.results.append(result)
        if connection is not None:
            connection.close()


def summarise(results: list[Result], ok: tuple[int, ...] = (200, 201)) -> dict[str, Any]:
    failed = [r for r in results if r.status not in ok]
    seconds = sorted(r.seconds for r in results) or [0.0]
    span = (results[-1].at - results[0].at) if len(results) > 1 else 1.0
    return {
        "requests": len(results),
        "failed": len(failed),
        "rate": round(len(results) / span, 1) if span > 0 else 0,
        "p50 ms": round(seconds[len(seconds) // 2] * 1000),
        "p99 ms": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] * 1000),
        "max ms": round(seconds[-1] * 1000),
        "statuses": dict(Counter(r.status for r in results)),
        "failures": [f"{r.kind}: {r.status} {r.error}" for r in failed[:10]],
    }


def call(
    port: int,
    method: str,
    path: str,
    token: str = "",
    body: Any = None,
    https: bool = False,
    timeout: float = 10,
) -> tuple[int, Any]:
    """One request: straight to an instance's gunicorn (``port``, with the headers nginx
    adds) or, with ``https``, through nginx on ``port``. (status, decoded JSON or text)."""
    headers = {"Accept": "application/json", "X-Forwarded-Proto": "https"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if https:
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=timeout, context=tls_context()
        )
        del headers["X-Forwarded-Proto"]
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read().decode(errors="replace")
    finally:
        connection.close()
    try:
        return response.status, json.loads(payload)
    except ValueError:
        return response.status, payload


async def wait_for(check: Any, timeout: float, what: str, interval: float = 0.02) -> float:
    """Seconds until ``check()`` is true (polled in the event loop); fails after timeout."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what} within {timeout:g} s")
        await asyncio.sleep(interval)
    return time.monotonic() - started


async def settle(editors: list[Editor], db: Any, mindmap: int, timeout: float = 15) -> tuple:
    """Wait until every editor is connected and shows the database's version; then
    (version, nodes) from the database. Fails with what differs after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        version, nodes = await asyncio.to_thread(db.mindmap_state, mindmap)
        behind = [e.name for e in editors if not e.connected.is_set() or e.version != version]
        if not behind:
            return version, nodes
        if time.monotonic() > deadline:
            problems = [p for e in editors for p in settled_against(e, version, nodes)]
            raise AssertionError(f"not settled within {timeout:g} s: {behind}: {problems[:5]}")
        # One that missed a change asks again (as the editor's periodic ping would).
        for editor in editors:
            if editor.connected.is_set() and editor.version != version:
                editor.send({"type": "ping", "req": f"s{next(editor.sequence)}"})
        await asyncio.sleep(0.3)


def reconnect_figures(editors: list[Editor]) -> dict[str, Any]:
    times = sorted(t for e in editors for t in e.reconnects)
    closes = Counter(c.code for e in editors for c in e.closes)
    handshakes = sorted(h for e in editors for h, _n in e.handshakes)
    attempts = Counter(n for e in editors for _h, n in e.handshakes)
    return {
        "socket closes (by code)": dict(closes),
        "close to new handshake, median / max s": (
            f"{handshakes[len(handshakes) // 2]:.2f} / {handshakes[-1]:.2f}" if handshakes else "-"
        ),
        "connection attempts per reconnect": dict(sorted(attempts.items())),
        "closed after the handshake, before a snapshot (by code)": dict(
            sum((e.turned_away for e in editors), Counter())
        ),
        "reconnected and resynced": f"{len(times)} of {sum(closes.values())}",
        "reconnect + snapshot, median / max s": (
            f"{times[len(times) // 2]:.2f} / {times[-1]:.2f}" if times else "-"
        ),
    }
