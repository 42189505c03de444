"""The site's sockets: the Origin rule and the session that opened a socket, through the
site's own ASGI application and the real allauth views."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from teammoa.core.testing.factories import add_member, make_team
from teammoa.mindmap.models import Mindmap
from teammoa_site.asgi import application
from tests.accounts_support import NEW_PASSWORD, PASSWORD, log_in, make_user

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def handshake(path: str, origin: bytes, host: bytes = b"localhost:8000", cookie=None):
    headers = [(b"origin", origin), (b"host", host)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"http://localhost:8000", True),
        (b"http://localhost:9999", False),
        (b"https://localhost:8000", False),
        (b"http://attacker.example", False),
    ],
)
async def test_the_origin_must_be_the_requests_own_origin(origin, accepted):
    communicator, connected, _code = await handshake("/ws/mindmaps/1/", origin)

    assert connected is accepted
    if accepted:  # anonymous: the mindmap socket closes with 4401 after accepting
        assert (await communicator.receive_output(3))["code"] == 4401
    await communicator.disconnect()


@database_sync_to_async
def member_with_a_mindmap():
    user = make_user()
    team = make_team()
    add_member(team, user=user)
    mindmap = Mindmap.objects.create(team=team, title="Plans")
    client = Client()
    log_in(client, "alice")
    return client, mindmap


async def open_editor(client, mindmap):
    cookie = client.cookies["sessionid"].value
    communicator, connected, _ = await handshake(
        f"/ws/mindmaps/{mindmap.pk}/", b"http://localhost:8000", cookie=cookie
    )
    assert connected
    assert '"snapshot"' in (await communicator.receive_output(5))["text"]
    return communicator


async def closed_with(communicator) -> int:
    while True:
        output = await communicator.receive_output(5)
        if output["type"] == "websocket.close":
            return output["code"]


async def test_logout_through_allauth_closes_the_socket_with_4401():
    client, mindmap = await member_with_a_mindmap()
    socket = await open_editor(client, mindmap)

    response = await database_sync_to_async(client.post)("/accounts/logout/")

    assert response.status_code == 302
    assert await closed_with(socket) == 4401


async def test_a_password_change_through_allauth_closes_the_socket_with_4401():
    client, mindmap = await member_with_a_mindmap()
    socket = await open_editor(client, mindmap)

    response = await database_sync_to_async(client.post)(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert await closed_with(socket) == 4401


async def test_a_socket_takes_its_user_from_the_cache_and_checks_it_as_http_does():
    from importlib import import_module

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from teammoa_site.websocket import _users

    client, mindmap = await member_with_a_mindmap()
    first = await open_editor(client, mindmap)  # reads the user and fills the cache
    second = await open_editor(client, mindmap)

    @database_sync_to_async
    def users_of_the_session():
        from django.conf import settings

        store = import_module(settings.SESSION_ENGINE).SessionStore
        session, unknown = store(client.cookies["sessionid"].value), store("no-such-session")
        session.items(), unknown.items()  # read now, outside the count
        with CaptureQueriesContext(connection) as queries:
            users = _users([session, unknown])
        return users, [q["sql"] for q in queries.captured_queries]

    (alice, nobody), queries = await users_of_the_session()
    assert alice.username == "alice"
    assert not nobody.is_authenticated
    assert queries == []  # the user from the cache (the sessions were read before)

    @database_sync_to_async
    def deactivate():
        user = get_user_model().objects.get(username="alice")
        user.is_active = False
        user.save()

    await deactivate()
    assert await closed_with(first) == 4401
    assert await closed_with(second) == 4401
    # The cached copy no longer counts: a new socket of that session is not signed in.
    cookie = client.cookies["sessionid"].value
    third, connected, _ = await handshake(
        f"/ws/mindmaps/{mindmap.pk}/", b"http://localhost:8000", cookie=cookie
    )
    assert connected
    assert await closed_with(third) == 4401


async def handshake_from(peer: str, origin: bytes, proto: bytes) -> bool:
    """A handshake from ``peer`` claiming ``X-Forwarded-Proto: proto``; accepted?"""
    headers = [(b"origin", origin), (b"host", b"localhost"), (b"x-forwarded-proto", proto)]
    communicator = WebsocketCommunicator(application, "/ws/mindmaps/1/", headers=headers)
    communicator.scope["client"] = [peer, 40000]  # read once the application starts
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


async def test_the_forwarded_scheme_counts_only_from_the_trusted_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TEAMMOA_TRUSTED_PROXIES = ["127.0.0.1/32"]

    # nginx on loopback terminated TLS: the page's https origin is the socket's own.
    assert await handshake_from("127.0.0.1", b"https://localhost", b"https")
    assert not await handshake_from("127.0.0.1", b"http://localhost", b"https")
    # Anyone else reaching the app port: their X-Forwarded-Proto is dropped.
    assert not await handshake_from("203.0.113.9", b"https://localhost", b"https")
    assert await handshake_from("203.0.113.9", b"http://localhost", b"https")
