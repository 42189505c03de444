"""The team socket's hub: one channel-layer subscription per process, however many pages
of a team are open (docs/team-events.md), through the site's ASGI application."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from teammoa.core import services
from teammoa.core.testing.factories import add_member, make_team, make_user
from teammoa.core.websocket import current_instance, own_layer
from teammoa.core.websocket.teams import TeamHub, team_group
from teammoa_site.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
PAGES = 5


@database_sync_to_async
def team_of_two():
    team = make_team()
    host = team.memberships.get().user
    member = add_member(team, user=make_user()).user
    cookies = []
    for user in (host, member):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return team, host, cookies


async def page(team_id: int, cookie: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://localhost:8000"),
        (b"host", b"localhost:8000"),
        (b"cookie", f"sessionid={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, f"/ws/teams/{team_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert json.loads(await communicator.receive_from(5))["type"] == "hello"
    return communicator


async def group_members(group: str) -> set[str]:
    """The channels in a channel-layer group: the in-memory layer's dict, or Redis's zset."""
    layer = own_layer("teams")
    if hasattr(layer, "groups"):
        return set(layer.groups.get(group, {}))
    async with layer.connection(layer.consistent_hash(group)) as connection:
        return {
            member.decode() for member in await connection.zrange(layer._group_key(group), 0, -1)
        }


async def test_many_pages_share_one_subscription_and_each_hears_every_change():
    team, host, cookies = await team_of_two()
    pages = [await page(team.pk, cookies[n % 2]) for n in range(PAGES)]
    hub = current_instance(TeamHub)
    assert hub is not None and hub.channel is not None
    # One channel of this process in the team's group, not one per page.
    assert await group_members(team_group(team.pk)) == {hub.channel}
    assert sum(len(sockets) for sockets in hub.sockets.values()) == PAGES

    todo = await database_sync_to_async(services.create_todo)(host, team.pk, "Shared")
    for communicator in pages:
        event = json.loads(await communicator.receive_from(5))
        assert (event["type"], event["todo"]) == ("todo.changed", todo.pk)

    for communicator in pages:
        await communicator.disconnect()
    # The last page gone: the process leaves the group and its hub stops.
    assert await group_members(team_group(team.pk)) == set()
    assert current_instance(TeamHub) is None
