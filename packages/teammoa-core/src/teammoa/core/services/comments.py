"""Comments on the team board's posts: any member writes, authors edit and delete their
own, the host deletes any."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from teammoa.core import permissions
from teammoa.core.errors import Forbidden, NotFound
from teammoa.core.events import publish_team_event
from teammoa.core.limits import COMMENT_TEXT_MAX
from teammoa.core.models import Post, PostComment
from teammoa.core.services.posts import get_post
from teammoa.core.services.teams import membership_of
from teammoa.core.text import clean_text
from teammoa.core.users import Actor


def comments_of(user: Actor, team_id: Any, post_id: Any) -> QuerySet[PostComment]:
    """The post's comments, oldest first (a conversation reads top to bottom)."""
    membership = membership_of(user, team_id)
    try:
        post_pk = int(post_id)
    except (TypeError, ValueError):
        raise NotFound(_("Post not found.")) from None
    if not Post.objects.filter(team_id=membership.team_id, pk=post_pk).exists():
        raise NotFound(_("Post not found."))
    return PostComment.objects.filter(post_id=post_pk).select_related("author__user")


def _get_comment(user: Actor, team_id: Any, post_id: Any, comment_id: Any) -> PostComment:
    try:
        return comments_of(user, team_id, post_id).get(pk=int(comment_id))
    except (PostComment.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Comment not found.")) from None


def _clean(text: Any) -> str:
    return clean_text(text, field="text", max_length=COMMENT_TEXT_MAX, multiline=True)


@transaction.atomic
def create_comment(user: Actor, team_id: Any, post_id: Any, text: Any) -> PostComment:
    author = membership_of(user, team_id)
    post = get_post(user, team_id, post_id)
    comment = PostComment.objects.create(post=post, author=author, text=_clean(text))
    comment.author = author
    publish_team_event(author.team_id, "comment.created", by=user, post=post.pk, comment=comment.pk)
    return comment


@transaction.atomic
def update_comment(
    user: Actor, team_id: Any, post_id: Any, comment_id: Any, text: Any
) -> PostComment:
    actor = membership_of(user, team_id)
    comment = _get_comment(user, team_id, post_id, comment_id)
    if not permissions.can_edit_comment(actor, comment):
        raise Forbidden(_("Only the author can edit this comment."))
    comment.text = _clean(text)
    comment.save(update_fields=["text", "updated_at"])
    return comment


@transaction.atomic
def delete_comment(user: Actor, team_id: Any, post_id: Any, comment_id: Any) -> None:
    actor = membership_of(user, team_id)
    comment = _get_comment(user, team_id, post_id, comment_id)
    if not permissions.can_delete_comment(actor, comment):
        raise Forbidden(_("Only the author or the host can delete this comment."))
    comment.delete()
