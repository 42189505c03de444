"""Building blocks for the packages' test settings: services chosen by the environment."""

from __future__ import annotations

import os
from typing import Any


def databases(default_name: str) -> dict[str, Any]:
    """SQLite in memory, or ``DATABASE_URL`` (MySQL/MariaDB in utf8mb4) when it is set."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.mysql":
        config["OPTIONS"] = {"charset": "utf8mb4", **config.get("OPTIONS", {})}
        config["TEST"] = {
            # DATABASE_TEST_NAME lets parallel runs on one server keep apart.
            "NAME": os.environ.get("DATABASE_TEST_NAME") or f"test_{default_name}",
            "CHARSET": "utf8mb4",
            "COLLATION": "utf8mb4_unicode_ci",
        }
    return {"default": config}


def channel_layers(prefix: str) -> dict[str, Any]:
    """The in-memory channel layer, or Redis when ``REDIS_URL`` is set."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": prefix},
        }
    }


def caches(prefix: str) -> dict[str, Any]:
    """Local memory, or Redis when ``REDIS_URL`` is set."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
