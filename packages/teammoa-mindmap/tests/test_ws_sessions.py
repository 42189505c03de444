"""A mindmap socket ends with the session that opened it (4401); a user's sockets are
capped (4429). Through the real consumer and the site-like ASGI stack."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client, override_settings

from teammoa.mindmap import protocol

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


async def test_logout_closes_the_sockets_of_that_session_with_4401(world, sockets):
    laptop, phone = await signed_in(world.alice), await signed_in(world.alice)
    mindmap = world.mindmap.pk
    on_laptop = await sockets(session=laptop.cookies["sessionid"].value, mindmap_id=mindmap)
    on_phone = await sockets(session=phone.cookies["sessionid"].value, mindmap_id=mindmap)
    await on_laptop.expect("snapshot")
    await on_phone.expect("snapshot")

    await database_sync_to_async(laptop.logout)()

    assert await on_laptop.closed() == protocol.CLOSE_UNAUTHENTICATED
    # The other session's socket stays and still works.
    answer = await on_phone.request({"type": "ping"})
    assert answer["type"] == "pong"
    assert on_phone.close_code is None


async def test_a_password_change_closes_the_users_sockets_with_4401(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    bob = await sockets(world.bob, world.mindmap.pk)
    await alice.expect("snapshot")
    await bob.expect("snapshot")

    def change_password():
        world.alice.set_password("an entirely new passphrase")
        world.alice.save()

    await database_sync_to_async(change_password)()

    assert await alice.closed() == protocol.CLOSE_UNAUTHENTICATED
    await bob.expect("presence.left", user=world.alice.pk)
    assert bob.close_code is None


async def test_deactivation_closes_the_users_sockets_with_4401(world, sockets):
    alice = await sockets(world.alice, world.mindmap.pk)
    await alice.expect("snapshot")

    world.alice.is_active = False
    await database_sync_to_async(world.alice.save)()

    assert await alice.closed() == protocol.CLOSE_UNAUTHENTICATED


@override_settings(TEAMMOA_MAX_SOCKETS_PER_USER=2)
async def test_a_socket_past_the_per_user_cap_is_closed_with_4429(world, sockets):
    first = await sockets(world.alice, world.mindmap.pk)
    second = await sockets(world.alice, world.other_map.pk)
    await first.expect("snapshot")
    await second.expect("snapshot")

    third = await sockets(world.alice, world.mindmap.pk)
    assert await third.closed() == protocol.CLOSE_TOO_MANY
    bob = await sockets(world.bob, world.mindmap.pk)  # the cap is per user
    await bob.expect("snapshot")

    await first.disconnect()
    fourth = await sockets(world.alice, world.mindmap.pk)
    await fourth.expect("snapshot")
