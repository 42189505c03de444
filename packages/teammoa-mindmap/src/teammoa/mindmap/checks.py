"""System checks for the mindmap app's settings (ids ``teammoa_mindmap.E00x``)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from teammoa.core.conf import parse_rate
from teammoa.mindmap.conf import conf


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []

    def error(message: str, number: int, hint: str | None = None) -> None:
        errors.append(Error(message, hint=hint, id=f"teammoa_mindmap.E{number:03d}"))

    for name in ("CANVAS_WIDTH", "CANVAS_HEIGHT"):
        if not _positive_int(getattr(conf, name)):
            error(f"TEAMMOA_MINDMAP_{name} must be a positive integer.", 1)
    if not _positive_int(conf.MAX_FRAME_BYTES) or conf.MAX_FRAME_BYTES < 1024:
        error("TEAMMOA_MINDMAP_MAX_FRAME_BYTES must be an integer of at least 1024.", 2)
    try:
        parse_rate(conf.RATE)
    except ValueError as exc:
        error(f"TEAMMOA_MINDMAP_RATE: {exc}.", 3)
    if not _positive_int(conf.VOLATILE_PER_SECOND):
        error("TEAMMOA_MINDMAP_VOLATILE_PER_SECOND must be a positive integer.", 4)
    ttl = conf.PRESENCE_TTL_SECONDS
    if not _number(ttl) or not 1 <= ttl <= 24:
        error(
            "TEAMMOA_MINDMAP_PRESENCE_TTL_SECONDS must be a number from 1 to 24.",
            5,
            hint="A crashed server's users must vanish within 30 seconds (TTL plus a sweep).",
        )
    for name, low, high in (("TICK_SECONDS", 0.005, 1), ("GAP_TIMEOUT_SECONDS", 0.05, 30)):
        value = getattr(conf, name)
        if not _number(value) or not low <= value <= high:
            error(f"TEAMMOA_MINDMAP_{name} must be a number from {low} to {high}.", 6)
    for name in ("WRITE_BATCH", "MAX_NODES", "IMPORT_MAX_BYTES", "WRITERS"):
        if not _positive_int(getattr(conf, name)):
            error(f"TEAMMOA_MINDMAP_{name} must be a positive integer.", 7)
    connections = conf.PRESENCE_MAX_CONNECTIONS
    if not _positive_int(connections) or connections > 100:
        error("TEAMMOA_MINDMAP_PRESENCE_MAX_CONNECTIONS must be an integer from 1 to 100.", 12)
    stall = conf.STALL_SECONDS
    if not _number(stall) or not 0.5 <= stall <= 600:
        error("TEAMMOA_MINDMAP_STALL_SECONDS must be a number from 0.5 to 600.", 13)
    status_file = conf.STATUS_FILE
    if status_file is not None and not (isinstance(status_file, str) and status_file):
        error("TEAMMOA_MINDMAP_STATUS_FILE must be None or a file path.", 14)
    url = conf.PRESENCE_REDIS_URL
    if url is not None and not (isinstance(url, str) and url.startswith(("redis", "unix"))):
        error("TEAMMOA_MINDMAP_PRESENCE_REDIS_URL must be None or a redis:// URL.", 8)
    if conf.presence_redis_url and importlib.util.find_spec("redis") is None:
        error(
            "Presence needs Redis (%s) but the `redis` package is not installed."
            % ("TEAMMOA_MINDMAP_PRESENCE_REDIS_URL" if url else "the channel layer's Redis"),
            11,
            hint="pip install 'teammoa-mindmap[redis]'",
        )
    interval = conf.SWITCH_INTERVAL
    if interval is not None and (not _number(interval) or not 0.0001 <= interval <= 0.1):
        error("TEAMMOA_MINDMAP_SWITCH_INTERVAL must be None or from 0.0001 to 0.1.", 10)
    font = conf.PNG_FONT
    if font is not None and not isinstance(font, str):
        error("TEAMMOA_MINDMAP_PNG_FONT must be None or the path of a font file.", 9)
    return errors
