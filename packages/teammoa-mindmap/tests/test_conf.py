"""App settings and their system checks."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from teammoa.mindmap.conf import conf


def mindmap_errors():
    return sorted(e.id for e in run_checks() if e.id.startswith("teammoa_mindmap."))


def test_defaults():
    assert (conf.CANVAS_WIDTH, conf.CANVAS_HEIGHT) == (5400, 3600)
    assert conf.MAX_FRAME_BYTES == 65536
    assert conf.VOLATILE_PER_SECOND == 30
    assert conf.rate.count >= 1
    # A reusable app does not change interpreter settings unless its host asks.
    assert conf.SWITCH_INTERVAL is None
    assert mindmap_errors() == []


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("CANVAS_WIDTH", 0, "E001"),
        ("CANVAS_HEIGHT", "big", "E001"),
        ("MAX_FRAME_BYTES", 10, "E002"),
        ("RATE", "lots", "E003"),
        ("VOLATILE_PER_SECOND", -1, "E004"),
        ("PRESENCE_TTL_SECONDS", 60, "E005"),
        ("TICK_SECONDS", 5, "E006"),
        ("WRITE_BATCH", 0, "E007"),
        ("PRESENCE_REDIS_URL", "http://x", "E008"),
        ("PNG_FONT", 3, "E009"),
        ("SWITCH_INTERVAL", 1, "E010"),
        ("WRITERS", 0, "E007"),
        ("PRESENCE_MAX_CONNECTIONS", 0, "E012"),
        ("STALL_SECONDS", 0, "E013"),
        ("STATUS_FILE", "", "E014"),
    ],
)
def test_bad_settings_are_reported(setting, value, error):
    with override_settings(**{f"TEAMMOA_MINDMAP_{setting}": value}):
        assert mindmap_errors() == [f"teammoa_mindmap.{error}"]


def test_settings_are_read_on_access():
    with override_settings(TEAMMOA_MINDMAP_CANVAS_WIDTH=100):
        assert conf.CANVAS_WIDTH == 100
    assert conf.CANVAS_WIDTH == 5400
    with pytest.raises(AttributeError):
        conf.NO_SUCH_SETTING  # noqa: B018


REDIS_LAYER = "channels_redis.core.RedisChannelLayer"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("redis://layer:6379/3", "redis://layer:6379/3"),
        (("layer", 6380), "redis://layer:6380"),
        ({"address": "rediss://layer:6379/0"}, "rediss://layer:6379/0"),
    ],
)
def test_presence_follows_the_channel_layers_redis(host, url):
    layers = {"default": {"BACKEND": REDIS_LAYER, "CONFIG": {"hosts": [host]}}}
    with override_settings(CHANNEL_LAYERS=layers, TEAMMOA_MINDMAP_PRESENCE_REDIS_URL=None):
        assert conf.presence_redis_url == url


def test_presence_ignores_a_generic_redis_url_setting():
    """A host project's own REDIS_URL is not a promise that `redis` is installed: with an
    in-memory channel layer presence stays in memory whatever REDIS_URL says."""
    layers = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with override_settings(
        REDIS_URL="redis://somewhere:6379/0",
        CHANNEL_LAYERS=layers,
        TEAMMOA_MINDMAP_PRESENCE_REDIS_URL=None,
    ):
        assert conf.presence_redis_url is None
        assert mindmap_errors() == []


def test_presence_in_redis_without_the_redis_package_is_reported(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "redis" else real_find_spec(name, *a),
    )
    with override_settings(TEAMMOA_MINDMAP_PRESENCE_REDIS_URL="redis://127.0.0.1:6379/0"):
        assert mindmap_errors() == ["teammoa_mindmap.E011"]
