"""Against the real services: MySQL/MariaDB in utf8mb4 and Redis (cache, channel layer, health).

They run in the ``services`` session, where DATABASE_URL and REDIS_URL are set; elsewhere
they skip (or fail with TEAMMOA_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import uuid

import pytest
import redis
from channels.layers import channel_layers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

KOREAN_AND_EMOJI = "팀모아 🚀🙂"


# --- MySQL ----------------------------------------------------------------------------------


@pytest.mark.services("mysql")
@pytest.mark.django_db
def test_korean_and_emoji_round_trip_through_the_user_model():
    user = get_user_model().objects.create_user(
        username="teammoa",
        email="teammoa@example.com",
        password="correct horse battery staple",
        nickname=KOREAN_AND_EMOJI,
        bio=f"안녕하세요 👋 {KOREAN_AND_EMOJI} — 🎉🇰🇷",
    )

    reloaded = get_user_model().objects.get(pk=user.pk)

    assert reloaded.nickname == KOREAN_AND_EMOJI
    assert reloaded.bio == f"안녕하세요 👋 {KOREAN_AND_EMOJI} — 🎉🇰🇷"
    # And the database compares them as text, not as mangled bytes.
    assert get_user_model().objects.filter(nickname=KOREAN_AND_EMOJI).count() == 1
    assert get_user_model().objects.filter(bio__contains="🚀🙂").count() == 1


@pytest.mark.services("mysql")
@pytest.mark.django_db
def test_connection_and_tables_use_utf8mb4():
    table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@character_set_client, @@character_set_connection")
        client_charset, connection_charset = cursor.fetchone()
        cursor.execute(
            "SELECT c.character_set_name FROM information_schema.tables t "
            "JOIN information_schema.collation_character_set_applicability c "
            "ON c.collation_name = t.table_collation "
            "WHERE t.table_schema = DATABASE() AND t.table_name = %s",
            [table],
        )
        (table_charset,) = cursor.fetchone()
        cursor.execute(
            "SELECT character_set_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s AND column_name IN "
            "('nickname', 'bio')",
            [table],
        )
        column_charsets = {row[0] for row in cursor.fetchall()}

    assert connection.vendor == "mysql"
    assert client_charset == "utf8mb4"
    assert connection_charset == "utf8mb4"
    assert table_charset == "utf8mb4"
    assert column_charsets == {"utf8mb4"}


@pytest.mark.services("mysql")
def test_mysql_connections_are_not_persistent():
    assert connection.settings_dict["CONN_MAX_AGE"] == 0


# --- Redis ----------------------------------------------------------------------------------


@pytest.mark.services("redis")
@pytest.mark.django_db
def test_health_says_ok_for_redis(client):
    assert settings.REDIS_URL

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "healthy",
        "checks": {"database": "ok", "redis": "ok", "sockets": "ok"},
    }


@pytest.mark.services("redis")
def test_the_cache_stores_and_reads_a_value_in_redis():
    key = f"services-test-{uuid.uuid4().hex}"

    cache.set(key, {"nickname": KOREAN_AND_EMOJI}, timeout=30)

    assert cache.get(key) == {"nickname": KOREAN_AND_EMOJI}
    # It really is in Redis, under the site's key prefix, not in a local-memory cache.
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        assert client.exists(cache.make_key(key)) == 1
        assert 0 < client.ttl(cache.make_key(key)) <= 30
    finally:
        client.close()
    cache.delete(key)
    assert cache.get(key) is None


@pytest.mark.services("redis")
@pytest.mark.asyncio
async def test_the_channel_layer_carries_a_group_message_between_instances():
    # Two layer instances stand for two server processes: only Redis connects them.
    sender = channel_layers.make_backend("default")
    receiver = channel_layers.make_backend("default")
    assert type(sender).__module__ == "channels_redis.core"
    group = f"services-test-{uuid.uuid4().hex}"
    channel = await receiver.new_channel()
    try:
        await receiver.group_add(group, channel)

        await sender.group_send(group, {"type": "team.message", "text": KOREAN_AND_EMOJI})
        message = await receiver.receive(channel)

        assert message == {"type": "team.message", "text": KOREAN_AND_EMOJI}
    finally:
        await receiver.group_discard(group, channel)
        await sender.close_pools()
        await receiver.close_pools()


@pytest.mark.services("redis")
@pytest.mark.asyncio
async def test_an_idle_receive_keeps_waiting_and_then_gets_its_message():
    # The layer's blocking pop waits 5 s a round; a client that times reads out at 5 s
    # (redis-py 8's default) made every idle receive fail instead.
    import asyncio

    layer = channel_layers.make_backend("default")
    channel = await layer.new_channel()
    try:
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(7)
        assert not waiting.done(), waiting.exception()
        await layer.send(channel, {"type": "late.message"})

        assert await asyncio.wait_for(waiting, 10) == {"type": "late.message"}
    finally:
        await layer.close_pools()


@pytest.mark.services("redis")
@pytest.mark.asyncio
async def test_the_channel_layer_delivers_only_to_group_members():
    sender = channel_layers.make_backend("default")
    receiver = channel_layers.make_backend("default")
    group = f"services-test-{uuid.uuid4().hex}"
    member, outsider = await receiver.new_channel(), await receiver.new_channel()
    try:
        await receiver.group_add(group, member)
        await sender.group_send(group, {"type": "team.message", "text": "hi"})

        assert await receiver.receive(member) == {"type": "team.message", "text": "hi"}
        # Had the group message reached the outsider, it would be first in its queue.
        await sender.send(outsider, {"type": "direct"})
        assert await receiver.receive(outsider) == {"type": "direct"}
    finally:
        await receiver.group_discard(group, member)
        await sender.close_pools()
        await receiver.close_pools()
