"""The team socket between two real Daphne processes sharing Redis (docs/team-events.md).

A member's page on one server hears of a change made through the REST API served by the
other, and of one made by a process with no socket at all (as gunicorn is in production);
a member removed there is closed with 4403 here while the others hear ``member.left``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request

import pytest

from tests.support.processes import report_settings, two_sites

pytestmark = [pytest.mark.services("redis"), pytest.mark.timeout(240)]

SEED = """
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from teammoa.core.testing.factories import add_member, host_of, make_team, make_user

team = make_team()
host = host_of(team).user
members = [add_member(team) for _ in range(2)]
outsider = make_user()
def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
report = {
    "team": team.pk,
    "host": {"id": host.pk, "session": session(host), "token": Token.objects.create(user=host).key},
    "members": [{"id": m.user_id, "membership": m.pk, "session": session(m.user)} for m in members],
    "outsider": {"id": outsider.pk, "session": session(outsider)},
}
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with two_sites(tmp_path_factory.mktemp("team-live"), os.environ["REDIS_URL"], SEED) as both:
        yield both


async def connect(server, session, team):
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(
        f"ws://127.0.0.1:{server.port}/ws/teams/{team}/",
        origin=f"http://127.0.0.1:{server.port}",
        additional_headers={"Cookie": f"sessionid={session}"} if session else {},
        open_timeout=10,
    )


async def next_event(client, kind, timeout=10):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind}"
        message = json.loads(await asyncio.wait_for(client.recv(), remaining))
        if message["type"] == kind:
            return message


async def close_code(client, timeout=10):
    from websockets.exceptions import ConnectionClosed

    async def drain():
        while True:
            await client.recv()

    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(drain(), timeout)
    assert client.protocol.close_rcvd is not None, "the server sent no close frame"
    return client.protocol.close_rcvd.code


def rest(server, token, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Host": f"127.0.0.1:{server.port}",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        text = response.read()
        return json.loads(text) if text else None


@pytest.mark.asyncio
async def test_refusals_reach_a_real_client_as_their_codes(servers):
    world, _env, a, b = servers
    team = world["team"]
    for server, session, team_id, code in [
        (a, None, team, 4401),
        (b, world["outsider"]["session"], team, 4403),
        (a, world["host"]["session"], team + 999, 4404),
    ]:
        client = await connect(server, session, team_id)
        try:
            assert await close_code(client) == code
        finally:
            await client.close()


@pytest.mark.asyncio
async def test_a_foreign_origin_is_refused_before_accept(servers):
    from websockets.asyncio.client import connect as ws_connect
    from websockets.exceptions import InvalidStatus

    world, _env, a, _b = servers
    with pytest.raises(InvalidStatus) as refused:
        await ws_connect(
            f"ws://127.0.0.1:{a.port}/ws/teams/{world['team']}/",
            origin="http://attacker.example",
            additional_headers={"Cookie": f"sessionid={world['host']['session']}"},
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_changes_cross_processes_and_a_removed_member_is_closed(servers):
    world, env, a, b = servers
    team, host = world["team"], world["host"]
    staying, leaving = world["members"]
    on_a = await connect(a, staying["session"], team)
    leaving_on_a = await connect(a, leaving["session"], team)
    host_on_b = await connect(b, host["session"], team)
    try:
        for client, user in [(on_a, staying), (leaving_on_a, leaving), (host_on_b, host)]:
            assert (await next_event(client, "hello"))["me"] == user["id"]

        # Through the REST API served by B: heard on A (and by the host's own page on B).
        started = time.monotonic()
        todo = await asyncio.to_thread(
            rest, b, host["token"], "POST", f"/api/v1/teams/{team}/todos/", {"content": "Book"}
        )
        event = await next_event(on_a, "todo.changed", timeout=5)
        lag = time.monotonic() - started
        assert (event["team"], event["todo"], event["by"]) == (team, todo["id"], host["id"])
        assert event["name"]
        assert lag < 5, lag  # within a second on an idle machine; this one is shared
        assert (await next_event(host_on_b, "todo.changed"))["todo"] == todo["id"]

        # From a process with no socket (a worker, or gunicorn in production): heard on both.
        code = (
            "from teammoa.core import services\n"
            "from django.contrib.auth import get_user_model\n"
            f"user = get_user_model().objects.get(pk={host['id']})\n"
            f"services.delete_todo(user, {team}, {todo['id']})\n"
            "report = {}\n"
        )
        await asyncio.to_thread(report_settings, code, env)
        assert (await next_event(on_a, "todo.deleted"))["todo"] == todo["id"]
        assert (await next_event(host_on_b, "todo.deleted"))["todo"] == todo["id"]

        # The host removes a member through B: their socket on A closes with 4403 at once,
        # the others hear of it.
        path = f"/api/v1/teams/{team}/members/{leaving['membership']}/"
        await asyncio.to_thread(rest, b, host["token"], "DELETE", path)
        assert await close_code(leaving_on_a) == 4403
        left = await next_event(on_a, "member.left")
        assert (left["user"], left["removed"], left["by"]) == (leaving["id"], True, host["id"])
        assert (await next_event(host_on_b, "member.left"))["user"] == leaving["id"]
    finally:
        for client in (on_a, leaving_on_a, host_on_b):
            await client.close()
