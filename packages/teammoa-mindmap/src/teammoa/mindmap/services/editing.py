"""Changes to a mindmap's nodes, connections, comments and recommendations.

Every change goes through an :class:`Editor`: it locks the mindmap row, checks the
actor's membership, validates, writes, and counts the version up by one per change — all
in one transaction — then broadcasts the changes once it commits. The REST views apply
one change at a time; the WebSocket consumer applies whatever queued up meanwhile in one
transaction (each change still gets its own version and its own error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db import IntegrityError, connections, transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from teammoa.core.errors import DomainError, Forbidden, Invalid, NotFound
from teammoa.core.models import Membership, display_name
from teammoa.core.users import Actor, actor_id
from teammoa.mindmap.conf import conf
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node, Recommendation
from teammoa.mindmap.services.changes import Change, publish_on_commit
from teammoa.mindmap.validation import (
    Errors,
    clean_comment_text,
    clean_node_content,
    clean_node_title,
    is_int,
    position_errors,
)

Op = tuple[int, str, dict[str, Any]]  # (user id, change type, fields)


def _id(fields: dict[str, Any], name: str) -> int:
    value = fields.get(name)
    if not isinstance(value, int) or not is_int(value) or value < 1:
        raise Invalid.field(name, _("A node or connection id (a positive integer) is required."))
    return value


def _check(errors: Errors) -> None:
    if errors:
        raise Invalid(errors)


def node_data(node: Node) -> dict[str, Any]:
    return {
        "id": node.pk,
        "title": node.title,
        "content": node.content,
        "x": node.x,
        "y": node.y,
        "created_by": node.created_by_id,
        "recommendations": 0,
        "recommended_by_me": False,
        "comment_count": 0,
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.pk,
        "node": comment.node_id,
        "author": {"user": author.user_id, "name": display_name(author.user)} if author else None,
        "author_name": comment.author_name,
        "text": comment.text,
        "created_at": comment.created_at.isoformat(),
    }


class Editor:
    """One transaction's changes to one mindmap. Use inside ``transaction.atomic()``."""

    def __init__(self, mindmap_id: int) -> None:
        # Plain values, not a model instance: this runs for every batch of moves.
        row = (
            Mindmap.objects.select_for_update()
            .filter(pk=mindmap_id)
            .values_list("team_id", "version")
            .first()
        )
        if row is None:
            raise NotFound(_("Mindmap not found."))
        self.mindmap = Mindmap(pk=mindmap_id, team_id=row[0], version=row[1])
        self.version = self.mindmap.version
        self.changes: list[Change] = []
        self._members: dict[int, Membership | None] = {}
        # Moves are written together, one UPDATE per batch, before anything else is.
        self._known_nodes: set[int] = set()
        self._moves: dict[int, tuple[int, int]] = {}

    def known_nodes(self, node_ids: set[int]) -> None:
        """Look up which of these nodes are in this mindmap, in one query."""
        self._known_nodes |= set(
            Node.objects.filter(mindmap_id=self.mindmap.pk, pk__in=node_ids).values_list(
                "id", flat=True
            )
        )

    def _write_moves(self) -> None:
        """One UPDATE for every node moved in this batch (the last position of each).

        Written out rather than with ``bulk_update``, whose expression building cost
        more CPU than the rest of a batch put together (docs/benchmarks.md).
        """
        if not self._moves:
            return
        connection = connections[Node.objects.db]
        quote = connection.ops.quote_name
        meta = Node._meta
        column = {
            name: quote(cast(str, cast(Field, meta.get_field(name)).column))
            for name in ("x", "y", "updated_at")
        }
        pk = quote(cast(str, meta.pk.column if meta.pk else "id"))
        ids = list(self._moves)
        whens = " ".join(["WHEN %s THEN %s"] * len(ids))
        params: list[Any] = []
        for axis in (0, 1):
            for node_id in ids:
                params += [node_id, self._moves[node_id][axis]]
        params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
        params += ids
        sql = (
            f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - quoted names, values as params
            f"{column['x']} = CASE {pk} {whens} END, "
            f"{column['y']} = CASE {pk} {whens} END, "
            f"{column['updated_at']} = %s "
            f"WHERE {pk} IN ({', '.join(['%s'] * len(ids))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        self._moves.clear()

    def preload_members(self, user_ids: set[int]) -> None:
        found = {
            m.user_id: m
            for m in Membership.objects.filter(team_id=self.mindmap.team_id, user_id__in=user_ids)
        }
        for user_id in user_ids:
            self._members[user_id] = found.get(user_id)

    def member(self, user_id: int) -> Membership:
        if user_id not in self._members:
            self.preload_members({user_id})
        membership = self._members[user_id]
        if membership is None:
            raise Forbidden(_("You are no longer a member of this team."))
        return membership

    def apply(self, user_id: int, kind: str, fields: dict[str, Any], **meta: Any) -> Change:
        """Apply one change; raise a domain error (and change nothing) when it is refused."""
        self.member(user_id)
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise Invalid.field("type", _("Unknown change."))
        if kind == "node.move":
            payload = handler(self, user_id, fields)  # writes nothing until _write_moves
        else:
            self._write_moves()
            self._known_nodes.clear()  # creates and deletes change the set
            with transaction.atomic():  # a savepoint: a refused change leaves nothing behind
                payload = handler(self, user_id, fields)
        self.version += 1
        payload = {"type": _EVENT[kind], "version": self.version, "by": user_id, **payload}
        change = Change(payload, conn=meta.get("conn"), req=meta.get("req"))
        self.changes.append(change)
        return change

    def finish(self) -> list[Change]:
        """Store the moves and the new version; broadcast the changes after the commit."""
        self._write_moves()
        if self.version != self.mindmap.version:
            Mindmap.objects.filter(pk=self.mindmap.pk).update(
                version=self.version, updated_at=timezone.now()
            )
            publish_on_commit(self.mindmap.pk, self.changes)
        return self.changes

    # --- one method per change type --------------------------------------------------

    def _node(self, fields: dict[str, Any], name: str = "node") -> Node:
        try:
            return Node.objects.get(pk=_id(fields, name), mindmap_id=self.mindmap.pk)
        except Node.DoesNotExist:
            raise NotFound(_("No such node in this mindmap.")) from None

    def node_create(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        errors = position_errors(fields.get("x"), fields.get("y"))
        title = clean_node_title(errors, fields.get("title"))
        content = clean_node_content(errors, fields.get("content", ""))
        _check(errors)
        if Node.objects.filter(mindmap_id=self.mindmap.pk).count() >= conf.MAX_NODES:
            raise Invalid.field(
                "mindmap", _("A mindmap holds at most %(max)d nodes.") % {"max": conf.MAX_NODES}
            )
        node = Node.objects.create(
            mindmap_id=self.mindmap.pk,
            title=cast(str, title),  # _check() raised unless both were cleaned
            content=cast(str, content),
            x=fields["x"],
            y=fields["y"],
            created_by_id=user_id,
        )
        return {"node": node_data(node)}

    def node_move(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        node_id = _id(fields, "node")
        _check(position_errors(fields.get("x"), fields.get("y")))
        if node_id not in self._known_nodes:
            self.known_nodes({node_id})
            if node_id not in self._known_nodes:
                raise NotFound(_("No such node in this mindmap."))
        self._moves[node_id] = (fields["x"], fields["y"])
        return {"node": node_id, "x": fields["x"], "y": fields["y"]}

    def node_update(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        errors: Errors = {}
        if "title" not in fields and "content" not in fields:
            errors["title"] = [_("Send a title or content to change.")]
        title = clean_node_title(errors, fields["title"]) if "title" in fields else None
        content = clean_node_content(errors, fields["content"]) if "content" in fields else None
        node = self._node(fields)
        _check(errors)
        # The cleaned values (stripped, line breaks normalised), never the raw ones.
        if title is not None:
            node.title = title
        if content is not None:
            node.content = content
        node.save(update_fields=["title", "content", "updated_at"])
        return {"node": node.pk, "title": node.title, "content": node.content}

    def node_delete(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        node = self._node(fields)
        removed = list(
            Connection.objects.filter(Q(source=node) | Q(target=node))
            .order_by("id")
            .values_list("id", flat=True)
        )
        node_id = node.pk
        node.delete()  # its connections, comments and recommendations go with it
        return {"node": node_id, "connections": removed}

    def connection_create(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        source, target = _id(fields, "source"), _id(fields, "target")
        if source == target:
            raise Invalid.field("target", _("A node cannot be connected to itself."))
        found = Node.objects.filter(pk__in=(source, target), mindmap_id=self.mindmap.pk).count()
        if found != 2:
            raise NotFound(_("No such node in this mindmap."))
        low, high = sorted((source, target))
        already = _("These nodes are already connected.")
        if Connection.objects.filter(source_id=low, target_id=high).exists():
            raise Invalid.field("target", already)
        try:
            with transaction.atomic():
                connection = Connection.objects.create(
                    mindmap_id=self.mindmap.pk, source_id=low, target_id=high
                )
        except IntegrityError:
            raise Invalid.field("target", already) from None
        return {"connection": {"id": connection.pk, "source": low, "target": high}}

    def connection_delete(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        connection_id = _id(fields, "connection")
        deleted, _rows = Connection.objects.filter(
            pk=connection_id, mindmap_id=self.mindmap.pk
        ).delete()
        if not deleted:
            raise NotFound(_("No such connection in this mindmap."))
        return {"connection": connection_id}

    def node_recommend(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        node = self._node(fields)
        deleted, _rows = Recommendation.objects.filter(node=node, user_id=user_id).delete()
        if not deleted:
            Recommendation.objects.create(node=node, user_id=user_id)
        count = Recommendation.objects.filter(node=node).count()
        return {"node": node.pk, "count": count, "user": user_id, "on": not deleted}

    def comment_create(self, user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        errors: Errors = {}
        text = clean_comment_text(errors, fields.get("text"))
        node = self._node(fields)
        _check(errors)
        comment = Comment.objects.create(
            node=node, author=self.member(user_id), text=cast(str, text)
        )
        count = Comment.objects.filter(node=node).count()
        return {"node": node.pk, "comment": comment_data(comment), "comment_count": count}


_HANDLERS: dict[str, Callable[[Editor, int, dict[str, Any]], dict[str, Any]]] = {
    "node.create": Editor.node_create,
    "node.move": Editor.node_move,
    "node.update": Editor.node_update,
    "node.delete": Editor.node_delete,
    "connection.create": Editor.connection_create,
    "connection.delete": Editor.connection_delete,
    "node.recommend": Editor.node_recommend,
    "comment.create": Editor.comment_create,
}
_EVENT = {
    "node.create": "node.created",
    "node.move": "node.moved",
    "node.update": "node.updated",
    "node.delete": "node.deleted",
    "connection.create": "connection.created",
    "connection.delete": "connection.deleted",
    "node.recommend": "node.recommended",
    "comment.create": "comment.created",
}
CHANGE_TYPES = frozenset(_HANDLERS)


def edit(user: Actor | int, mindmap_id: int, kind: str, **fields: Any) -> Change:
    """Apply one change for ``user`` (the REST views); raise its domain error when refused."""
    user_id = actor_id(user)
    if user_id is None:
        raise NotFound(_("Sign in to edit."))
    with transaction.atomic():
        editor = Editor(mindmap_id)
        change = editor.apply(user_id, kind, fields)
        editor.finish()
    return change


def edit_many(
    user: Actor, mindmap_id: int, edits: list[tuple[str, dict[str, Any]]]
) -> list[Change]:
    """Apply several changes for ``user`` as one edit (a REST PATCH of a node's text and
    position): all in one transaction, or none when any is refused (its domain error is
    raised and nothing is broadcast). Each change still gets its own version."""
    user_id = actor_id(user)
    if user_id is None:
        raise NotFound(_("Sign in to edit."))
    with transaction.atomic():
        editor = Editor(mindmap_id)
        for kind, fields in edits:
            editor.apply(user_id, kind, fields)
        return editor.finish()


def apply_batch(
    mindmap_id: int, ops: list[tuple[int, str, dict[str, Any], dict[str, Any]]]
) -> list[Change | DomainError]:
    """Apply queued changes ``(user id, type, fields, meta)`` in one transaction.

    Each one succeeds (a :class:`Change`, its own version) or fails alone (its
    :class:`DomainError`); the successes are broadcast in version order after the commit.
    """
    results: list[Change | DomainError] = []
    try:
        # No savepoint when the caller (the writer) holds the transaction: it needs to
        # tell a failed commit from a failed change, and a savepoint costs round trips.
        with transaction.atomic(savepoint=False):
            editor = Editor(mindmap_id)
            editor.preload_members({user_id for user_id, *_rest in ops})
            editor.known_nodes(
                {
                    f["node"]
                    for _u, kind, f, _m in ops
                    if kind == "node.move" and is_int(f.get("node"))
                }
            )
            for user_id, kind, fields, meta in ops:
                try:
                    results.append(editor.apply(user_id, kind, fields, **meta))
                except DomainError as error:
                    results.append(error)
            editor.finish()
    except DomainError as error:  # the mindmap itself is gone
        return [error for _op in ops]
    return results
