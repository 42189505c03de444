"""Settings for real server processes started by the multi-process tests: the test
settings, but a database file they share and Redis for the channel layer and presence."""

import os

from teammoa.core.testing.settings import layer_redis_url
from tests.settings import *  # noqa: F403

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["TEAMMOA_TEST_DB"]}
}
DATABASES["default"]["OPTIONS"] = {"timeout": 20}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [layer_redis_url(os.environ["REDIS_URL"])],
            "prefix": os.environ["TEAMMOA_TEST_PREFIX"],
            "capacity": 1000,
            "expiry": 30,
            "group_expiry": 300,
        },
    }
}
# Shared by the processes, as in production: the per-user socket cap counts in it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ["TEAMMOA_TEST_PREFIX"],
    }
}
TEAMMOA_MAX_SOCKETS_PER_USER = int(os.environ.get("TEAMMOA_TEST_MAX_SOCKETS", "20"))
TEAMMOA_MINDMAP_PRESENCE_REDIS_URL = os.environ["REDIS_URL"]
TEAMMOA_MINDMAP_PRESENCE_PREFIX = os.environ["TEAMMOA_TEST_PREFIX"] + ":presence"
TEAMMOA_MINDMAP_PRESENCE_TTL_SECONDS = float(os.environ.get("TEAMMOA_TEST_PRESENCE_TTL", "20"))
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
