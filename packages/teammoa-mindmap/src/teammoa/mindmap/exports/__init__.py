"""Exports of a mindmap (JSON, Markdown, OPML, FreeMind, SVG, PNG) and the JSON import.

``export_mindmap`` returns the file's bytes, content type and name; JSON exports import
back (``import_mindmap``) into an equal mindmap: same title, nodes and connections.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils import timezone

from teammoa.core.text import displayable_text
from teammoa.mindmap.exports import drawing, outline
from teammoa.mindmap.exports.data import MapData
from teammoa.mindmap.exports.importing import FORMAT, FORMAT_VERSION, import_mindmap
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node


def load(mindmap: Mindmap) -> MapData:
    """The map as every export shows it. Text stored before the input rules (or written
    around them) may hold controls, surrogates or bidi overrides: they are dropped here,
    once, so every XML export parses and the JSON export imports back."""
    nodes = [
        {
            **node,
            "title": displayable_text(node["title"]),
            "content": displayable_text(node["content"], multiline=True),
        }
        for node in Node.objects.filter(mindmap=mindmap)
        .order_by("id")
        .values("id", "title", "content", "x", "y")
    ]
    connections = list(
        Connection.objects.filter(mindmap=mindmap).order_by("id").values_list("source", "target")
    )
    comments = [
        {
            "node": comment.node_id,
            "author": displayable_text(comment.author_name),
            "text": displayable_text(comment.text, multiline=True),
            "created_at": comment.created_at.isoformat(),
        }
        for comment in Comment.objects.filter(node__mindmap=mindmap)
        .select_related("author__user")
        .order_by("created_at", "id")
    ]
    title = displayable_text(mindmap.title)
    return MapData(title, mindmap.version, nodes, connections, comments)


def as_json(data: MapData) -> bytes:
    from teammoa.mindmap.protocol import dumps

    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "mindmap": {"title": data.title, "version": data.version},
        "nodes": data.nodes,
        "connections": [{"source": s, "target": t} for s, t in data.connections],
        "comments": data.comments,
    }
    return dumps(document).encode()


FORMATS: dict[str, tuple[str, str, Callable[[MapData], bytes]]] = {
    # format: (extension, content type, writer)
    "json": ("json", "application/json", as_json),
    "md": ("md", "text/markdown; charset=utf-8", outline.as_markdown),
    "opml": ("opml", "text/x-opml; charset=utf-8", outline.as_opml),
    "mm": ("mm", "application/x-freemind; charset=utf-8", outline.as_freemind),
    "svg": ("svg", "image/svg+xml", drawing.as_svg),
    "png": ("png", "image/png", drawing.as_png),
}


def file_name(title: str, extension: str) -> str:
    stem = re.sub(r"[^\w\-]+", "-", title, flags=re.UNICODE).strip("-") or "mindmap"
    return f"{stem[:60]}.{extension}"


def export_mindmap(mindmap: Mindmap, fmt: str) -> tuple[bytes, str, str]:
    """``(content, content type, file name)``; ``KeyError`` for an unknown format."""
    extension, content_type, writer = FORMATS[fmt]
    data = load(mindmap)
    return writer(data), content_type, file_name(data.title, extension)


__all__ = ["FORMATS", "MapData", "export_mindmap", "import_mindmap", "load"]
