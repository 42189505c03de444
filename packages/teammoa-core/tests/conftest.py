from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from teammoa.core.models import Membership, Team

pytest_plugins = ["teammoa.core.testing.plugin"]

RATE_LIMIT_KEYS = "teammoa:rl:*"


def _clear_rate_limits() -> None:
    """Forget counted join attempts: database ids are reused between tests (SQLite rolls
    back its sequences), so a count left by one test could block another's user."""
    cache = caches["default"]
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):  # Redis: only our keys, the database may be shared
        redis = client.get_client(write=True)
        for key in redis.scan_iter(cache.make_key(RATE_LIMIT_KEYS)):
            redis.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    _clear_rate_limits()
    yield
    _clear_rate_limits()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files go to a fresh directory per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def db_state() -> Callable[[], list[list[dict[str, Any]]]]:
    """A callable that snapshots every core row, to show a refused request changed nothing."""
    from teammoa.core.models import Milestone, Post, Todo

    def snapshot() -> list[list[dict[str, Any]]]:
        return [
            list(model.objects.order_by("pk").values())
            for model in (Team, Membership, Milestone, Todo, Post)
        ]

    return snapshot
