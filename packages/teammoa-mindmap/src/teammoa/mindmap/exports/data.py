"""What every export reads: a mindmap loaded once (kept apart so the formats and the
package that lists them never import each other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MapData:
    """Everything an export needs, read once."""

    title: str
    version: int
    nodes: list[dict[str, Any]]
    connections: list[tuple[int, int]]
    comments: list[dict[str, Any]]
