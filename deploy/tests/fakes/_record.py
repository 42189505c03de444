"""Shared by the fake commands: append one call to $FAKE_LOG as a JSON line."""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(tool: str, args: list[str], **extra: object) -> None:
    entry = {"cmd": tool, "args": args, "host": os.environ.get("FAKE_HOST", ""), **extra}
    with Path(os.environ["FAKE_LOG"]).open("a") as log:
        log.write(json.dumps(entry) + "\n")


def failing(key: str) -> bool:
    """True when $FAKE_FAIL lists ``key`` (comma-separated); ``key*1`` fails only once."""
    wanted = [item.strip() for item in os.environ.get("FAKE_FAIL", "").split(",") if item.strip()]
    if key in wanted:
        return True
    if f"{key}*1" in wanted:
        marker = Path(os.environ["FAKE_LOG"]).with_name(f"failed-once-{key.replace(':', '_')}")
        if not marker.exists():
            marker.touch()
            return True
    return False
