"""Mindmaps, their nodes, connections, comments and recommendations.

Models hold fields and constraints; the rules live in ``teammoa.mindmap.services``. Every
persisted change bumps ``Mindmap.version`` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from teammoa.core.models import Membership, Team, display_name

MINDMAP_TITLE_MAX = 64
NODE_TITLE_MAX = 64
NODE_CONTENT_MAX = 10_000
COMMENT_TEXT_MAX = 2_000


class Mindmap(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="mindmaps")
    title = models.CharField(_("title"), max_length=MINDMAP_TITLE_MAX)
    # +1 on every persisted change, in the same transaction; clients order changes by it.
    version = models.PositiveBigIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mindmap")
        verbose_name_plural = _("mindmaps")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "title"], name="teammoa_mindmap_title_unique"),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1),
                name="teammoa_mindmap_title_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Node(models.Model):
    mindmap = models.ForeignKey(Mindmap, on_delete=models.CASCADE, related_name="nodes")
    title = models.CharField(_("title"), max_length=NODE_TITLE_MAX)
    content = models.TextField(_("content"), max_length=NODE_CONTENT_MAX, blank=True)
    # The upper bounds are the configurable canvas size, checked by the services.
    x = models.IntegerField(_("x"))
    y = models.IntegerField(_("y"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("title"), 1),
                name="teammoa_node_title_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(x__gte=0) & Q(y__gte=0), name="teammoa_node_on_canvas"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Connection(models.Model):
    """An undirected edge, stored with ``source < target`` so a pair has one row at most."""

    mindmap = models.ForeignKey(Mindmap, on_delete=models.CASCADE, related_name="connections")
    source = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target"], name="teammoa_connection_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(source__lt=F("target")), name="teammoa_connection_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}–{self.target_id}"


class Comment(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="comments")
    # The membership, so a comment reads "deleted user" once its author leaves the team.
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"), max_length=COMMENT_TEXT_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("text"), 1),
                name="teammoa_comment_text_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def author_name(self) -> str:
        return display_name(self.author.user if self.author_id else None)


class Recommendation(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="recommendations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["node", "user"], name="teammoa_recommendation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.node_id}"
