from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest
import pytest_asyncio

pytest_plugins = ["teammoa.core.testing.plugin"]


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(transactional_db):
    """Team A (host, two members) with a mindmap of two nodes, an outsider, and team B
    (the outsider's) with a mindmap and a node of its own."""
    from teammoa.core.testing.factories import add_member, host_of, make_team, make_user
    from teammoa.mindmap.models import Mindmap, Node

    team = make_team()
    host = host_of(team).user
    alice, bob = add_member(team).user, add_member(team).user
    outsider = make_user()
    other_team = make_team(host=outsider)
    mindmap = Mindmap.objects.create(team=team, title="Ideas")
    first = Node.objects.create(mindmap=mindmap, title="Root", x=100, y=100, created_by=host)
    second = Node.objects.create(mindmap=mindmap, title="Leaf", x=300, y=200, created_by=alice)
    other_map = Mindmap.objects.create(team=team, title="Other")
    foreign_map = Mindmap.objects.create(team=other_team, title="Theirs")
    foreign_node = Node.objects.create(mindmap=foreign_map, title="Theirs", x=1, y=1)
    return SimpleNamespace(
        team=team,
        host=host,
        alice=alice,
        bob=bob,
        outsider=outsider,
        other_team=other_team,
        mindmap=mindmap,
        nodes=[first, second],
        other_map=other_map,
        foreign_map=foreign_map,
        foreign_node=foreign_node,
    )


@pytest_asyncio.fixture
async def sockets():
    """Open sockets with ``await sockets(user, mindmap_id)``; all closed afterwards."""
    from tests.ws import open_socket

    opened = []

    async def open_(*args, **kwargs):
        socket = await open_socket(*args, **kwargs)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        with contextlib.suppress(Exception):  # already gone
            await socket.disconnect()
