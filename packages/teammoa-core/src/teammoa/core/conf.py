"""App settings: flat ``TEAMMOA_*`` Django settings with their defaults in one place.

Every property reads ``django.conf.settings`` on access so ``override_settings`` works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """``count`` events allowed per ``seconds``."""

    count: int
    seconds: int


def parse_rate(value: str) -> Rate:
    """Parse ``"10/h"`` or ``"5/15m"`` into a :class:`Rate`; raise ``ValueError`` otherwise."""
    match = _RATE_RE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a rate like '10/h' or '5/15m'")
    count, multiplier, unit = match.groups()
    seconds = int(multiplier or 1) * _PERIOD_SECONDS[unit]
    if int(count) < 1 or seconds < 1:
        raise ValueError(f"{value!r} must allow at least one event per period")
    return Rate(int(count), seconds)


class CoreSettings:
    """Read-through view of the core app's settings."""

    @property
    def ATTACHMENT_MAX_BYTES(self) -> int:
        return getattr(settings, "TEAMMOA_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

    @property
    def ATTACHMENT_ACCEL_PREFIX(self) -> str | None:
        return getattr(settings, "TEAMMOA_ATTACHMENT_ACCEL_PREFIX", None)

    @property
    def JOIN_ATTEMPTS(self) -> str:
        return getattr(settings, "TEAMMOA_JOIN_ATTEMPTS", "10/h")

    @property
    def join_rate(self) -> Rate:
        return parse_rate(self.JOIN_ATTEMPTS)

    @property
    def INVITE_LINK_DAYS(self) -> int:
        """Days an invite link works after the host's page made it."""
        return int(getattr(settings, "TEAMMOA_INVITE_LINK_DAYS", 7))


conf = CoreSettings()
