"""``teammoa.core.conf``: read-through app settings and rate strings."""

from __future__ import annotations

import pytest
from django.test import override_settings

from teammoa.core.conf import CoreSettings, Rate, conf, parse_rate


def test_defaults_when_nothing_is_set():
    assert conf.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    assert conf.ATTACHMENT_ACCEL_PREFIX is None
    assert conf.JOIN_ATTEMPTS == "10/h"
    assert conf.join_rate == Rate(count=10, seconds=3600)


def test_properties_follow_override_settings():
    with override_settings(
        TEAMMOA_ATTACHMENT_MAX_BYTES=1234,
        TEAMMOA_ATTACHMENT_ACCEL_PREFIX="/protected/",
        TEAMMOA_JOIN_ATTEMPTS="5/15m",
    ):
        assert conf.ATTACHMENT_MAX_BYTES == 1234
        assert conf.ATTACHMENT_ACCEL_PREFIX == "/protected/"
        assert conf.JOIN_ATTEMPTS == "5/15m"
        assert conf.join_rate == Rate(count=5, seconds=900)
    # And back to the defaults once the override ends: nothing was cached.
    assert conf.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    assert conf.join_rate == Rate(count=10, seconds=3600)


def test_the_settings_fixture_is_seen_too(settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "3/d"

    assert conf.join_rate == Rate(count=3, seconds=86400)


def test_a_fresh_instance_reads_the_same_settings():
    with override_settings(TEAMMOA_ATTACHMENT_MAX_BYTES=99):
        assert CoreSettings().ATTACHMENT_MAX_BYTES == 99


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10/h", Rate(10, 3600)),
        ("5/15m", Rate(5, 900)),
        ("1/s", Rate(1, 1)),
        ("3/d", Rate(3, 86400)),
        ("100/30s", Rate(100, 30)),
        ("2/1h", Rate(2, 3600)),
        (" 7 / 2 d ", Rate(7, 172800)),
    ],
)
def test_parse_rate_accepts(value, expected):
    assert parse_rate(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "junk",
        "10",
        "10/",
        "/h",
        "10/x",
        "10/hour",
        "10/h/ip",
        "ten/h",
        "-1/h",
        "1.5/h",
        "0/h",
        "10/0m",
        "0/0s",
        None,
        10,
    ],
)
def test_parse_rate_rejects(value):
    with pytest.raises(ValueError, match=r"rate like|at least one event"):
        parse_rate(value)


def test_rate_is_immutable():
    rate = parse_rate("10/h")

    with pytest.raises(AttributeError):
        rate.count = 11  # type: ignore[misc]
