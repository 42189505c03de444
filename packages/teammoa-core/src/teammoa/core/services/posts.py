"""The team board: posts with sanitised rich text and member-only attachments."""

from __future__ import annotations

import posixpath
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from teammoa.core import permissions
from teammoa.core.conf import conf
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.events import publish_team_event
from teammoa.core.limits import ATTACHMENT_NAME_MAX, POST_BODY_MAX, POST_TITLE_MAX, SEARCH_MAX
from teammoa.core.models import Post
from teammoa.core.sanitize import plain_text, sanitize_html
from teammoa.core.services.teams import membership_of
from teammoa.core.text import clean_text_into
from teammoa.core.users import Actor


def posts_of(user: Actor, team_id: Any, query: str | None = None) -> QuerySet[Post]:
    """The team's posts, newest first; ``query`` matches title, body and author."""
    membership = membership_of(user, team_id)
    posts = Post.objects.filter(team_id=membership.team_id).select_related("author__user")
    query = " ".join(str(query or "").split())[:SEARCH_MAX]
    if query:
        # body_text, not body: the words readers see, not the markup around them.
        matches = Q(title__icontains=query) | Q(body_text__icontains=query)
        for field in _author_search_fields():
            matches |= Q(**{f"author__user__{field}__icontains": query})
        posts = posts.filter(matches)
    return posts


def _author_search_fields() -> list[str]:
    user_model = get_user_model()
    names = [user_model.USERNAME_FIELD]
    if any(f.name == "nickname" for f in user_model._meta.get_fields()):
        names.append("nickname")
    return names


def get_post(user: Actor, team_id: Any, post_id: Any) -> Post:
    try:
        return posts_of(user, team_id).get(pk=int(post_id))
    except (Post.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Post not found.")) from None


def clean_attachment_name(name: str) -> str:
    """The original file name without any path part or control character."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = posixpath.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        name = "attachment"
    if len(name) > ATTACHMENT_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        keep = ATTACHMENT_NAME_MAX - len(ext) - 1 if dot and len(ext) < 20 else ATTACHMENT_NAME_MAX
        name = (stem[:keep] + "." + ext) if dot and len(ext) < 20 else name[:keep]
    return name


def _clean(data: dict[str, Any], creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data or creating:
        cleaned["title"] = clean_text_into(
            errors, data.get("title"), field="title", max_length=POST_TITLE_MAX
        )
    if "body" in data or creating:
        # The same character rules as any text, then the HTML sanitiser (which could not
        # take a lone surrogate: nh3 works on UTF-8).
        body = clean_text_into(
            errors,
            data.get("body", ""),
            field="body",
            max_length=POST_BODY_MAX,
            min_length=0,
            multiline=True,
        )
        if body is not None:
            cleaned["body"] = sanitize_html(body)
            cleaned["body_text"] = plain_text(cleaned["body"])
    attachment = data.get("attachment")
    if attachment is not None:
        if not isinstance(attachment, UploadedFile):
            errors["attachment"] = [_("Upload a file.")]
        elif (attachment.size or 0) > conf.ATTACHMENT_MAX_BYTES:
            errors["attachment"] = [
                _("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(attachment.size or 0),
                    "limit": filesizeformat(conf.ATTACHMENT_MAX_BYTES),
                }
            ]
        else:
            cleaned["attachment"] = attachment
    if errors:
        raise Invalid(errors)
    return cleaned


def _attach(post: Post, upload: UploadedFile) -> None:
    post.attachment_name = clean_attachment_name(upload.name or "")
    post.attachment_size = upload.size or 0
    post.attachment.save(post.attachment_name, upload, save=False)


def _save_with_new_file(post: Post, new_file: str | None) -> None:
    """Save the post; if that fails, the file just written for it goes too."""
    try:
        post.save()
    except BaseException:
        if new_file:
            post.attachment.storage.delete(new_file)
        raise


def delete_file_after_commit(name: str) -> None:
    """Remove a stored attachment once the transaction that dropped it commits."""
    if not name:
        return
    storage = Post._meta.get_field("attachment").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def create_post(user: Actor, team_id: Any, **data: Any) -> Post:
    author = membership_of(user, team_id)
    cleaned = _clean(data, creating=True)
    post = Post(
        team_id=author.team_id,
        author=author,
        title=cleaned["title"],
        body=cleaned["body"],
        body_text=cleaned["body_text"],
    )
    new_file = None
    if "attachment" in cleaned:
        _attach(post, cleaned["attachment"])
        new_file = post.attachment.name
    _save_with_new_file(post, new_file)
    publish_team_event(post.team_id, "post.created", by=user, post=post.pk)
    return post


@transaction.atomic
def update_post(user: Actor, team_id: Any, post_id: Any, **data: Any) -> Post:
    """The author edits title, body and the attachment (replace, or remove with
    ``remove_attachment=True``)."""
    actor = membership_of(user, team_id)
    post = get_post(user, team_id, post_id)
    if not permissions.can_edit_post(actor, post):
        raise Forbidden(_("Only the author can edit this post."))
    remove = data.pop("remove_attachment", False)
    cleaned = _clean(data, creating=False)
    old_file = post.attachment.name
    for field in ("title", "body", "body_text"):
        if field in cleaned:
            setattr(post, field, cleaned[field])
    new_file = None
    if "attachment" in cleaned:
        _attach(post, cleaned["attachment"])
        new_file = post.attachment.name
        if old_file:
            delete_file_after_commit(old_file)
    elif remove is True and old_file:
        post.attachment = ""
        post.attachment_name = ""
        post.attachment_size = 0
        delete_file_after_commit(old_file)
    _save_with_new_file(post, new_file)
    publish_team_event(post.team_id, "post.changed", by=user, post=post.pk, deleted=False)
    return post


@transaction.atomic
def delete_post(user: Actor, team_id: Any, post_id: Any) -> None:
    actor = membership_of(user, team_id)
    post = get_post(user, team_id, post_id)
    if not permissions.can_delete_post(actor, post):
        raise Forbidden(_("Only the author or the host can delete this post."))
    pk = post.pk
    post.delete()  # the file goes with it (receivers.delete_attachment_file)
    publish_team_event(actor.team_id, "post.changed", by=user, post=pk, deleted=True)


def post_excerpt(post: Post, length: int = 160) -> str:
    text = post.body_text or plain_text(post.body)
    return text if len(text) <= length else text[: length - 1] + "…"
