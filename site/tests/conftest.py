from __future__ import annotations

import pytest

pytest_plugins = ["teammoa.core.testing.plugin"]


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    """Each test gets an empty cache (rate limits live there) and its own media folder."""
    from django.core.cache import cache

    from teammoa_site import health

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    health.forget()  # the last /health/ answer is reused for a second
    yield
    cache.clear()
    health.forget()
