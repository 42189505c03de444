"""Importing a JSON export as a new mindmap of a team (same title, nodes, connections).

Comments are part of the export for the record but are not imported: their authors are
members of the team they were written in.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from teammoa.core.errors import Invalid
from teammoa.core.services import membership_of
from teammoa.mindmap.conf import conf
from teammoa.mindmap.models import MINDMAP_TITLE_MAX, Connection, Mindmap, Node
from teammoa.mindmap.validation import (
    Errors,
    clean_mindmap_title,
    clean_node_content,
    clean_node_title,
    is_int,
    position_errors,
)

FORMAT = "teammoa-mindmap"
FORMAT_VERSION = 1


def _document(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        document = raw
    else:
        if len(raw) > conf.IMPORT_MAX_BYTES:
            raise Invalid.field("file", _("The file is too large."))
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise Invalid.field("file", _("The file is not JSON.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid.field("file", _("This is not a TeamMoa mindmap export."))
    if document.get("format_version") != FORMAT_VERSION:
        raise Invalid.field("file", _("This export's format version is not supported."))
    return document


def _nodes(document: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = document.get("nodes")
    if not isinstance(nodes, list) or len(nodes) > conf.MAX_NODES:
        raise Invalid.field(
            "nodes", _("A list of at most %(max)d nodes.") % {"max": conf.MAX_NODES}
        )
    clean, seen = [], set()
    for index, node in enumerate(nodes):
        errors: Errors = {}
        if not isinstance(node, dict) or not is_int(node.get("id")) or node["id"] in seen:
            raise Invalid.field("nodes", _("Node %(n)d has no unique id.") % {"n": index + 1})
        seen.add(node["id"])
        title = clean_node_title(errors, node.get("title"))
        content = clean_node_content(errors, node.get("content", ""))
        errors.update(position_errors(node.get("x"), node.get("y")))
        if errors:
            detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
            raise Invalid.field("nodes", _("Node %(n)d: %(e)s") % {"n": index + 1, "e": detail})
        clean.append({**node, "title": title, "content": content})
    return clean


def _connections(document: dict[str, Any], ids: set[int]) -> list[tuple[int, int]]:
    connections = document.get("connections", [])
    if not isinstance(connections, list):
        raise Invalid.field("connections", _("A list of connections."))
    pairs: set[tuple[int, int]] = set()
    for index, connection in enumerate(connections):
        source = connection.get("source") if isinstance(connection, dict) else None
        target = connection.get("target") if isinstance(connection, dict) else None
        if source not in ids or target not in ids or source == target:
            message = _("Connection %(n)d must join two different nodes of the file.")
            raise Invalid.field("connections", message % {"n": index + 1})
        pairs.add((min(source, target), max(source, target)))
    return sorted(pairs)


def _free_title(team_id: int, wanted: str) -> str:
    taken = set(
        Mindmap.objects.filter(team_id=team_id, title__startswith=wanted[:40]).values_list(
            "title", flat=True
        )
    )
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = wanted[: MINDMAP_TITLE_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def import_mindmap(
    user: Any, team_id: Any, raw: bytes | str | dict[str, Any], title: Any = None
) -> Mindmap:
    """Create a mindmap from a JSON export; its title gets " (2)" etc. when taken."""
    membership = membership_of(user, team_id)
    document = _document(raw)
    errors: Errors = {}
    exported = document.get("mindmap") if isinstance(document.get("mindmap"), dict) else {}
    wanted = clean_mindmap_title(errors, title if title else exported.get("title"))
    if errors:
        raise Invalid(errors)
    nodes = _nodes(document)
    pairs = _connections(document, {node["id"] for node in nodes})
    with transaction.atomic():
        mindmap = Mindmap.objects.create(
            team_id=membership.team_id, title=_free_title(membership.team_id, wanted)
        )
        created = Node.objects.bulk_create(
            Node(
                mindmap=mindmap,
                title=node["title"],
                content=node["content"],
                x=node["x"],
                y=node["y"],
                created_by_id=membership.user_id,
            )
            for node in nodes
        )
        if pairs and any(node.pk is None for node in created):  # backends without RETURNING
            created = list(Node.objects.filter(mindmap=mindmap).order_by("id"))
        new_id = {node["id"]: made.pk for node, made in zip(nodes, created, strict=True)}
        Connection.objects.bulk_create(
            Connection(
                mindmap=mindmap,
                source_id=min(new_id[s], new_id[t]),
                target_id=max(new_id[s], new_id[t]),
            )
            for s, t in pairs
        )
    return mindmap
