"""Sockets end with their session (4401) and are capped per user (4429).

The sockets here are stand-ins registered through the public ``admit``/``release``, as a
consumer does; the mindmap's tests cover the real socket, and its multi-process test
the channel layer between servers.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

from teammoa.core.testing.factories import make_user
from teammoa.core.websocket import (
    CLOSE_SESSION_ENDED,
    TooManySockets,
    admit,
    end_session,
    release,
)
from teammoa.core.websocket import sessions as registry

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


class Browser:
    """A signed-in session and the sockets it opened."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)
        self.user = user
        self.key = self.client.cookies["sessionid"].value

    async def open(self):
        closed: list[int] = []
        scope = {"user": self.user, "session": SessionStore(self.key)}
        ticket = await admit(scope, closed.append)
        return ticket, closed


async def settle(seconds: float = 0.2):
    await asyncio.sleep(seconds)


@pytest.fixture
def user(db):
    return make_user()


async def test_logout_closes_that_sessions_sockets_only(user):
    laptop, phone = await sync_to_async(Browser)(user), await sync_to_async(Browser)(user)
    (first, on_laptop), (second, on_phone) = await laptop.open(), await phone.open()

    await sync_to_async(laptop.client.logout)()
    await settle()

    assert on_laptop == [CLOSE_SESSION_ENDED]
    assert on_phone == []
    await release(first)
    await release(second)


async def test_a_password_change_closes_every_socket_of_the_user(user):
    laptop, phone = await sync_to_async(Browser)(user), await sync_to_async(Browser)(user)
    other = await sync_to_async(Browser)(await sync_to_async(make_user)())
    sockets = [await laptop.open(), await phone.open(), await other.open()]

    def change_password():
        user.set_password("a new passphrase 123")
        user.save()

    await sync_to_async(change_password)()
    await settle()

    assert [closed for _ticket, closed in sockets] == [[CLOSE_SESSION_ENDED]] * 2 + [[]]
    for ticket, _closed in sockets:
        await release(ticket)


async def test_deactivation_closes_the_users_sockets(user):
    browser = await sync_to_async(Browser)(user)
    ticket, closed = await browser.open()

    user.is_active = False
    await sync_to_async(user.save)()
    await settle()

    assert closed == [CLOSE_SESSION_ENDED]
    await release(ticket)


async def test_a_profile_edit_or_a_login_leaves_the_sockets_open(user):
    browser = await sync_to_async(Browser)(user)
    ticket, closed = await browser.open()

    user.first_name = "Renamed"
    await sync_to_async(user.save)()
    await sync_to_async(Browser)(user)  # another login: stamps last_login
    await settle()

    assert closed == []
    await release(ticket)


async def test_a_session_deleted_elsewhere_is_noticed_at_the_next_account_change(user):
    browser = await sync_to_async(Browser)(user)
    ticket, closed = await browser.open()

    await sync_to_async(SessionStore(browser.key).delete)()
    await sync_to_async(user.save)()
    await settle()

    assert closed == [CLOSE_SESSION_ENDED]
    await release(ticket)


async def test_end_session_from_the_event_loop(user):
    browser = await sync_to_async(Browser)(user)
    ticket, closed = await browser.open()

    end_session(browser.key)
    await settle()

    assert closed == [CLOSE_SESSION_ENDED]
    await release(ticket)


@override_settings(TEAMMOA_MAX_SOCKETS_PER_USER=2)
async def test_sockets_past_the_cap_are_refused_until_one_closes(user):
    browser = await sync_to_async(Browser)(user)
    first, _ = await browser.open()
    second, _ = await browser.open()

    with pytest.raises(TooManySockets):
        await browser.open()
    # Another user is not affected.
    other = await sync_to_async(Browser)(await sync_to_async(make_user)())
    theirs, _ = await other.open()

    await release(first)
    third, _ = await browser.open()
    for ticket in (second, third, theirs):
        await release(ticket)


@override_settings(TEAMMOA_MAX_SOCKETS_PER_USER=2)
async def test_the_cap_holds_for_sockets_that_arrive_together(user):
    # Admitted together, in one call that reads every slot at once: still two, not five.
    browser = await sync_to_async(Browser)(user)
    other = await sync_to_async(Browser)(await sync_to_async(make_user)())
    opened = await asyncio.gather(
        *(browser.open() for _n in range(5)), other.open(), return_exceptions=True
    )
    admitted = [result for result in opened[:5] if not isinstance(result, BaseException)]
    assert len(admitted) == 2
    assert all(
        isinstance(result, TooManySockets) for result in opened[:5] if result not in admitted
    )
    assert not isinstance(opened[5], BaseException)  # another user is not affected
    for ticket, _closed in [*admitted, opened[5]]:
        await release(ticket)


@override_settings(TEAMMOA_MAX_SOCKETS_PER_USER=1, TEAMMOA_SOCKET_TTL_SECONDS=1)
async def test_the_slots_of_a_crashed_process_expire(user):
    browser = await sync_to_async(Browser)(user)
    # A process that took a slot and died: nobody refreshes or frees it.
    assert (await sync_to_async(registry._take_slots)([(user.pk, "crashed")]))[0]
    with pytest.raises(TooManySockets):
        await browser.open()

    started = time.monotonic()
    while True:
        await asyncio.sleep(0.2)
        try:
            ticket, _ = await browser.open()
            break
        except TooManySockets:
            assert time.monotonic() - started < 3, "the slot never expired"
    await release(ticket)


@override_settings(TEAMMOA_MAX_SOCKETS_PER_USER=1, TEAMMOA_SOCKET_TTL_SECONDS=1)
async def test_a_live_socket_keeps_its_slot_past_the_ttl(user):
    browser = await sync_to_async(Browser)(user)
    ticket, _ = await browser.open()

    await asyncio.sleep(2.5)  # refreshed every second

    with pytest.raises(TooManySockets):
        await browser.open()
    await release(ticket)
