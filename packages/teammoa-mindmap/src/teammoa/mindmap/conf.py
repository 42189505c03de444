"""App settings: flat ``TEAMMOA_MINDMAP_*`` Django settings with their defaults in one place.

Every property reads ``django.conf.settings`` on access so ``override_settings`` works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from teammoa.core.conf import Rate, parse_rate

DEFAULTS: dict[str, Any] = {
    # The canvas every node lives on (SPEC section 4: 0–5400 x 0–3600).
    "CANVAS_WIDTH": 5400,
    "CANVAS_HEIGHT": 3600,
    # Inbound WebSocket frames larger than this get ``too_large``.
    "MAX_FRAME_BYTES": 64 * 1024,
    # Frames other than cursor/drag, per connection; past it they get ``rate_limited``.
    "RATE": "20/s",
    # Cursor and drag frames per second per connection; past it they are dropped.
    "VOLATILE_PER_SECOND": 30,
    # Cursors and drags are coalesced and fanned out once per tick (seconds).
    "TICK_SECONDS": 0.03,
    # How long an out-of-order change may wait for the one before it before the
    # clients of this process are resynchronised with a fresh snapshot (seconds).
    "GAP_TIMEOUT_SECONDS": 1.0,
    # At most this many queued changes are written in one transaction.
    "WRITE_BATCH": 100,
    # Who-is-here entries live this long without a heartbeat (seconds); a crashed
    # server's users vanish within TTL plus one sweep (TTL / 4).
    "PRESENCE_TTL_SECONDS": 20,
    # Redis for the shared who-is-here registry; defaults to the Redis of the default
    # channel layer when that is channels-redis. Without either, presence is kept in
    # process memory (one server process). A generic ``REDIS_URL`` setting is never read:
    # a host project's variable of that name is not a promise that ``redis`` is installed.
    "PRESENCE_REDIS_URL": None,
    "PRESENCE_PREFIX": "teammoa:mindmap:presence",
    # Redis connections the presence registry of one server process may hold. Requests
    # are pipelined by one task, so a burst waits its turn instead of needing more.
    "PRESENCE_MAX_CONNECTIONS": 2,
    # Threads (each keeping one database connection) that write the edits of different
    # mindmaps in parallel; each mindmap's edits still go one batch at a time, in order.
    "WRITERS": 4,
    # A part of the socket path (hub, presence registry, writer) holding a piece of work
    # this long without finishing it is reported as stalled by the health check
    # (``teammoa.mindmap.health``), in seconds.
    "STALL_SECONDS": 5,
    # The socket server's status for health checks answered by another process (e.g. a
    # WSGI server beside it): the server writes this file every second, the check reads
    # it (``teammoa.mindmap.health``). None: only this process is checked.
    "STATUS_FILE": None,
    # Python's GIL switch interval (seconds) for server processes that serve mindmap
    # sockets. The interpreter's 5 ms lets a busy event loop keep a database thread waiting
    # 5 ms per round trip; 1 ms cut the p99 latency of moves by more than half under load
    # (docs/benchmarks.md). It is process-wide, so a reusable app leaves it alone by
    # default (None); the TeamMoa site sets 0.001.
    "SWITCH_INTERVAL": None,
    # Limits that keep one mindmap's snapshot and exports reasonable.
    "MAX_NODES": 2000,
    "IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    # A TrueType/OpenType font for PNG exports (e.g. a Noto CJK font for Korean titles);
    # Pillow's built-in font otherwise.
    "PNG_FONT": None,
}


# Values read once, until a setting changes (``override_settings`` in tests): a socket reads
# several per frame, and Django's settings object raises and catches an AttributeError for
# every read of a setting the project leaves at its default.
_read: dict[str, Any] = {}


@receiver(setting_changed, dispatch_uid="teammoa_mindmap_conf")
def _setting_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("TEAMMOA_MINDMAP_") or setting == "CHANNEL_LAYERS":
        _read.clear()


class MindmapSettings:
    """Read-through view of the mindmap app's settings."""

    def __getattr__(self, name: str) -> Any:
        try:
            return _read[name]
        except KeyError:
            pass
        if name not in DEFAULTS:
            raise AttributeError(name)
        value = _read[name] = getattr(settings, f"TEAMMOA_MINDMAP_{name}", DEFAULTS[name])
        return value

    @property
    def rate(self) -> Rate:
        return parse_rate(self.RATE)

    @property
    def presence_redis_url(self) -> str | None:
        """``PRESENCE_REDIS_URL``, else the default channel layer's Redis, else None."""
        return self.PRESENCE_REDIS_URL or channel_layer_redis_url()


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def channel_layer_redis_url() -> str | None:
    """The first host of the default channel layer when it is channels-redis, as a URL."""
    layer = (getattr(settings, "CHANNEL_LAYERS", None) or {}).get("default") or {}
    if not str(layer.get("BACKEND", "")).startswith("channels_redis."):
        return None
    hosts = (layer.get("CONFIG") or {}).get("hosts") or []
    if not hosts:
        return None
    host = hosts[0]
    if isinstance(host, dict):  # channels-redis' {"address": ..., ...} form
        host = host.get("address")
    if isinstance(host, list | tuple) and len(host) == 2:
        return f"redis://{host[0]}:{host[1]}"
    if isinstance(host, str) and host.startswith(_REDIS_SCHEMES):
        return host
    return None


conf = MindmapSettings()
