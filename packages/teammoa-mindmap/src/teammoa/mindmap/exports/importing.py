"""Importing a JSON export as a new mindmap of a team (same title, nodes, connections).

Comments are part of the export for the record but are not imported: their authors are
members of the team they were written in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from teammoa.core.api import JSONNestingError, load_json
from teammoa.core.errors import Invalid
from teammoa.core.services import membership_of
from teammoa.mindmap.conf import conf
from teammoa.mindmap.models import MINDMAP_TITLE_MAX, Connection, Mindmap, Node
from teammoa.mindmap.services.mindmaps import TITLE_TAKEN, title_taken
from teammoa.mindmap.validation import (
    Errors,
    clean_mindmap_title,
    clean_node_content,
    clean_node_title,
    is_int,
    position_errors,
)

if TYPE_CHECKING:
    from teammoa.core.users import Actor

FORMAT = "teammoa-mindmap"
FORMAT_VERSION = 1
IMPORT_TITLE_ATTEMPTS = 5


def _check_size(size: int | None) -> None:
    if size is None or size > conf.IMPORT_MAX_BYTES:
        raise Invalid.field("file", _("The file is too large."))


def read_upload(upload: Any) -> bytes:
    """An uploaded export's bytes, refused before reading when it is missing or too large
    (the pages and the REST API both take uploads)."""
    if upload is None:
        raise Invalid.field("file", _("Choose a JSON export to import."))
    _check_size(upload.size)
    return upload.read()


def _document(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        document = raw
    else:
        _check_size(len(raw))
        try:
            document = load_json(raw)
        except JSONNestingError as exc:  # before the decoder recurses, not after
            raise Invalid.field("file", str(exc)) from None
        except ValueError:  # includes UnicodeDecodeError
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
        if not (is_int(source) and is_int(target)):  # [1] or {} cannot even be looked up
            message = _("Connection %(n)d needs node ids (integers) as source and target.")
            raise Invalid.field("connections", message % {"n": index + 1})
        if source not in ids or target not in ids or source == target:
            message = _("Connection %(n)d must join two different nodes of the file.")
            raise Invalid.field("connections", message % {"n": index + 1})
        pairs.add((min(source, target), max(source, target)))
    return sorted(pairs)


def _free_titles(team_id: int, wanted: str) -> Iterator[str]:
    """``wanted``, then ``wanted (2)``, ``wanted (3)``… skipping titles the team has (in
    the sense of the unique rule: case, width and the database's collation)."""
    number = 1
    while True:
        suffix = f" ({number})" if number > 1 else ""
        candidate = wanted[: MINDMAP_TITLE_MAX - len(suffix)] + suffix
        if not title_taken(team_id, candidate):
            yield candidate
        number += 1


def _create_with_free_title(team_id: int, wanted: str) -> Mindmap:
    # A concurrent create (or a collation stricter than the check) can still take the
    # title between the check and the insert: try the next free one, a few times.
    for attempt, title in enumerate(_free_titles(team_id, wanted)):
        try:
            with transaction.atomic():
                return Mindmap.objects.create(team_id=team_id, title=title)
        except IntegrityError:
            if attempt >= IMPORT_TITLE_ATTEMPTS:
                raise Invalid.field("title", TITLE_TAKEN) from None
    raise AssertionError("unreachable")  # pragma: no cover - the generator is endless


def import_mindmap(
    user: Actor, team_id: Any, raw: bytes | str | dict[str, Any], title: Any = None
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
        mindmap = _create_with_free_title(membership.team_id, wanted)
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
