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
