"""Which real services (MySQL/MariaDB, Redis) this test run can reach."""

from __future__ import annotations

import functools
import os
import shutil
from urllib.parse import urlparse

SERVICE_NAMES = ("mysql", "redis")
# Not a default: named by the tests that start (and stop) a Redis of their own
# (``teammoa.core.testing.redis_server``).
KNOWN_NAMES = (*SERVICE_NAMES, "redis-server")
REQUIRE_ENV = "TEAMMOA_REQUIRE_SERVICES"


def services_required() -> bool:
    """True when a missing service must fail the run (CI sets TEAMMOA_REQUIRE_SERVICES=1)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes"}


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


@functools.cache
def redis_reachable(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def mysql_configured() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    return urlparse(url).scheme in {"mysql", "mysqlgis", "mariadb"}


def missing_services(names: tuple[str, ...]) -> list[str]:
    """The services among ``names`` that this run does not have, each with the reason."""
    missing = []
    for name in names:
        if name == "mysql":
            from django.db import connection

            if connection.vendor != "mysql":
                missing.append("mysql (set DATABASE_URL=mysql://user@127.0.0.1:3306/name)")
        elif name == "redis":
            url = redis_url()
            if not url:
                missing.append("redis (set REDIS_URL=redis://127.0.0.1:6379/0)")
            elif not redis_reachable(url):
                missing.append(f"redis (nothing answers at {url})")
        elif name == "redis-server":
            if shutil.which("redis-server") is None:
                missing.append("redis-server (the program; apt-get install redis-server)")
        else:
            raise ValueError(f"unknown service {name!r}; known: {', '.join(KNOWN_NAMES)}")
    return missing
