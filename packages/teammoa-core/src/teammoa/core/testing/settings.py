"""Building blocks for the packages' test settings: services chosen by the environment."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# What every package's test settings share (each adds its own apps and names).
CONTRIB_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def layer_redis_url(url: str) -> str:
    """A Redis URL for channels-redis: redis-py 8 times reads out after 5 s by default,
    exactly as long as channels-redis blocks waiting for a message, so every idle receive
    failed; the site's settings ask for 15 s, and so do these."""
    parts = urlsplit(url)
    query = {"socket_timeout": "15", **dict(parse_qsl(parts.query))}
    return urlunsplit(parts._replace(query=urlencode(query)))


def databases(default_name: str) -> dict[str, Any]:
    """SQLite in memory, or ``DATABASE_URL`` (MySQL/MariaDB in utf8mb4) when it is set."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    import dj_database_url  # only a database URL needs it (makemessages runs without)

    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.mysql":
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            # A flush waiting behind a transaction left open fails within a minute instead
            # of MariaDB's default of a day (which held a whole CI run once).
            "init_command": "SET SESSION lock_wait_timeout=60",
            **config.get("OPTIONS", {}),
        }
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
            "CONFIG": {"hosts": [layer_redis_url(url)], "prefix": prefix},
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
