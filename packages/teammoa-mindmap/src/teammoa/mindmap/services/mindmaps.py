"""Mindmaps as a whole: who may open one, creating, renaming, deleting, and snapshots."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teammoa.core.errors import DomainError, Forbidden, Invalid, NotFound
from teammoa.core.models import Membership
from teammoa.core.services import membership_of, memberships_reused, prefetch_memberships
from teammoa.core.text import comparison_key
from teammoa.core.users import Actor, actor_id
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node, Recommendation
from teammoa.mindmap.services.changes import Change, publish_on_commit
from teammoa.mindmap.validation import Errors, clean_mindmap_title


def _user_id(user: Actor | int) -> int | None:
    return actor_id(user)


def mindmaps_of(user: Actor, team_id: Any) -> QuerySet[Mindmap]:
    """The team's mindmaps with ``node_count``; ``NotFound`` for non-members."""
    membership = membership_of(user, team_id)
    # Explicit order: Meta.ordering is dropped from GROUP BY queries.
    return (
        Mindmap.objects.filter(team_id=membership.team_id)
        .annotate(node_count=Count("nodes", distinct=True))
        .order_by("-updated_at", "-id")
    )


def get_mindmap(user: Actor, team_id: Any, mindmap_id: Any) -> Mindmap:
    """One mindmap of a team the user belongs to; ``NotFound`` for anyone else."""
    membership = membership_of(user, team_id)
    try:
        return Mindmap.objects.get(pk=int(mindmap_id), team_id=membership.team_id)
    except (Mindmap.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Mindmap not found.")) from None


def open_mindmap(user: Actor, mindmap_id: Any) -> tuple[Mindmap, Membership]:
    """For a live connection: ``NotFound`` when there is no such mindmap, ``Forbidden``
    when the user is not a member of its team (the socket closes with 4404 / 4403)."""
    try:
        mindmap = Mindmap.objects.select_related("team").get(pk=int(mindmap_id))
    except (Mindmap.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Mindmap not found.")) from None
    return _opened(user, mindmap)


def open_mindmaps(
    requests: list[tuple[Actor, Any]],
) -> list[tuple[Mindmap, Membership] | DomainError]:
    """``open_mindmap`` for many (user, mindmap id) pairs in two queries (a burst of
    sockets): each pair's answer, or the error ``open_mindmap`` would raise for it."""
    parsed: list[int | None] = []
    for _user, mindmap_id in requests:
        try:
            parsed.append(int(mindmap_id))
        except (TypeError, ValueError):
            parsed.append(None)
    mindmaps = Mindmap.objects.select_related("team").in_bulk({i for i in parsed if i is not None})
    answers: list[tuple[Mindmap, Membership] | DomainError] = []
    with memberships_reused():
        prefetch_memberships(
            [
                (user, mindmaps[i].team_id)
                for (user, _id), i in zip(requests, parsed, strict=True)
                if i in mindmaps
            ]
        )
        for (user, _id), i in zip(requests, parsed, strict=True):
            mindmap = mindmaps.get(i) if i is not None else None
            try:
                if mindmap is None:
                    raise NotFound(_("Mindmap not found."))
                answers.append(_opened(user, mindmap))
            except DomainError as exc:
                answers.append(exc)
    return answers


def _opened(user: Actor, mindmap: Mindmap) -> tuple[Mindmap, Membership]:
    try:
        membership = membership_of(user, mindmap.team_id)
    except NotFound:
        raise Forbidden(_("You are not a member of this team.")) from None
    return mindmap, membership


TITLE_TAKEN = gettext_lazy("This team already has a mindmap with this title.")


def title_taken(team_id: int, title: str, exclude: int | None = None) -> bool:
    """Whether another mindmap of the team has this title, as the unique constraint sees
    it: equal under NFKC and case folding (``"Plan"``, ``"PLAN"`` and "Plan" in full-width
    letters) on any database, or equal under the column's collation (MySQL's ``*_ci`` collations
    also equate accents and more)."""
    others = Mindmap.objects.filter(team_id=team_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.filter(title=title).exists():  # the database's own equality
        return True
    key = comparison_key(title)
    return any(comparison_key(other) == key for other in others.values_list("title", flat=True))


def _clean_title(team_id: int, value: Any, exclude: int | None = None) -> str:
    errors: Errors = {}
    title = clean_mindmap_title(errors, value)
    if title is not None and title_taken(team_id, title, exclude):
        errors["title"] = [str(TITLE_TAKEN)]
    if errors:
        raise Invalid(errors)
    return title  # type: ignore[return-value]


def create_mindmap(user: Actor, team_id: Any, title: Any) -> Mindmap:
    membership = membership_of(user, team_id)
    with transaction.atomic():
        clean = _clean_title(membership.team_id, title)
        try:
            with transaction.atomic():
                return Mindmap.objects.create(team_id=membership.team_id, title=clean)
        except IntegrityError:  # a concurrent create took the title, or the collation
            raise Invalid.field("title", TITLE_TAKEN) from None


def rename_mindmap(user: Actor, team_id: Any, mindmap_id: Any, title: Any) -> Mindmap:
    """Rename; a persisted change like any other (version +1, broadcast)."""
    mindmap = get_mindmap(user, team_id, mindmap_id)
    with transaction.atomic():
        mindmap = Mindmap.objects.select_for_update().get(pk=mindmap.pk)
        clean = _clean_title(mindmap.team_id, title, exclude=mindmap.pk)
        if clean == mindmap.title:
            return mindmap
        mindmap.title = clean
        mindmap.version += 1
        try:
            with transaction.atomic():
                mindmap.save(update_fields=["title", "version", "updated_at"])
        except IntegrityError:
            raise Invalid.field("title", TITLE_TAKEN) from None
        payload = {
            "type": "mindmap.updated",
            "version": mindmap.version,
            "by": _user_id(user),
            "mindmap": {"id": mindmap.pk, "title": mindmap.title, "version": mindmap.version},
        }
        publish_on_commit(mindmap.pk, [Change(payload)])
    return mindmap


def delete_mindmap(user: Actor, team_id: Any, mindmap_id: Any) -> None:
    """Delete with everything in it; open editors are told and closed."""
    mindmap = get_mindmap(user, team_id, mindmap_id)
    with transaction.atomic():
        locked = Mindmap.objects.select_for_update().get(pk=mindmap.pk)
        payload = {
            "type": "mindmap.deleted",
            "version": locked.version + 1,
            "by": _user_id(user),
            "mindmap": locked.pk,
        }
        locked.delete()
        publish_on_commit(mindmap.pk, [Change(payload)])


def _count_per_node(model: Any) -> Subquery:
    return Subquery(
        model.objects.filter(node=OuterRef("pk"))
        .order_by()
        .values("node")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )


def node_rows(mindmap_id: int, user_id: int | None) -> list[dict[str, Any]]:
    """Every node as the snapshot shows it (counts and ``recommended_by_me`` included)."""
    rows = (
        Node.objects.filter(mindmap_id=mindmap_id)
        .annotate(
            recommendation_count=Coalesce(_count_per_node(Recommendation), Value(0)),
            comment_count=Coalesce(_count_per_node(Comment), Value(0)),
            recommended_by_me=Exists(
                # Nobody (None) has recommended anything: the column is never null.
                Recommendation.objects.filter(Q(user_id=user_id), node=OuterRef("pk"))
            ),
        )
        .order_by("id")
        .values(
            "id",
            "title",
            "content",
            "x",
            "y",
            "created_by",
            "recommendation_count",
            "recommended_by_me",
            "comment_count",
        )
    )
    nodes: list[dict[str, Any]] = []
    for row in rows:
        node: dict[str, Any] = dict(row)
        node["recommendations"] = node.pop("recommendation_count")
        nodes.append(node)
    return nodes


def connection_rows(mindmap_id: int) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Connection.objects.filter(mindmap_id=mindmap_id)
        .order_by("id")
        .values("id", "source", "target")
    ]


def snapshot(user: Actor, mindmap_id: int) -> dict[str, Any]:
    """The whole mindmap at one version (SPEC section 5's snapshot shape).

    The mindmap row is locked while reading, so no change can land between reading the
    version and reading the nodes: the snapshot is exactly that version.
    """
    with transaction.atomic():
        try:
            mindmap = Mindmap.objects.select_for_update().get(pk=mindmap_id)
        except Mindmap.DoesNotExist:
            raise NotFound(_("Mindmap not found.")) from None
        return {
            "mindmap": {"id": mindmap.pk, "title": mindmap.title, "version": mindmap.version},
            "version": mindmap.version,
            "nodes": node_rows(mindmap.pk, _user_id(user)),
            "connections": connection_rows(mindmap.pk),
        }


def shared_snapshot(
    mindmap_id: int, user_ids: set[int], known: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """One read for the snapshots of many users (a server resynchronising its clients):
    the snapshot with ``recommended_by_me`` false, and ``recommended``: each user's
    recommended node ids. None when the mindmap is gone.

    ``known``: a snapshot read a moment ago. When the mindmap is still at its version,
    its nodes and connections are used again (every change to them counts the version
    up) and only the users' recommendations are read: a burst of sockets arriving at one
    mindmap over a second costs one full read, not one per wave of arrivals."""
    with transaction.atomic():
        mindmap = Mindmap.objects.select_for_update().filter(pk=mindmap_id).first()
        if mindmap is None:
            return None
        recommended: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
        for user_id, node_id in Recommendation.objects.filter(
            node__mindmap_id=mindmap_id, user_id__in=user_ids
        ).values_list("user_id", "node_id"):
            recommended[user_id].add(node_id)
        same = known is not None and known["version"] == mindmap.version
        return {
            "mindmap": {"id": mindmap.pk, "title": mindmap.title, "version": mindmap.version},
            "version": mindmap.version,
            "nodes": known["nodes"] if known and same else node_rows(mindmap.pk, None),
            "connections": (
                known["connections"] if known and same else connection_rows(mindmap.pk)
            ),
            "recommended": recommended,
        }


def current_state(mindmap_id: int) -> tuple[int, set[int]] | None:
    """The version and node ids (what a server process needs to check relayed drags);
    None when the mindmap is gone."""
    with transaction.atomic():
        version = (
            Mindmap.objects.select_for_update()
            .filter(pk=mindmap_id)
            .values_list("version", flat=True)
            .first()
        )
        if version is None:
            return None
        ids = set(Node.objects.filter(mindmap_id=mindmap_id).values_list("id", flat=True))
    return version, ids


def current_version(mindmap_id: int) -> int | None:
    return Mindmap.objects.filter(pk=mindmap_id).values_list("version", flat=True).first()
