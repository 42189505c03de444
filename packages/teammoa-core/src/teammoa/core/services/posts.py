"""The team board: posts with sanitised rich text and member-only attachments."""

from __future__ import annotations

import posixpath
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from teammoa.core import permissions
from teammoa.core.conf import conf
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.events import publish_team_event
from teammoa.core.limits import (
    ATTACHMENT_NAME_MAX,
    ATTACHMENTS_PER_POST,
    POST_BODY_MAX,
    POST_TITLE_MAX,
    SEARCH_MAX,
)
from teammoa.core.models import Post, PostAttachment
from teammoa.core.sanitize import plain_text, sanitize_html
from teammoa.core.services.teams import membership_of
from teammoa.core.sizes import file_size_text
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
        return posts_of(user, team_id).prefetch_related("attachments").get(pk=int(post_id))
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


def _clean_upload(upload: Any) -> tuple[UploadedFile | None, str | None]:
    if not isinstance(upload, UploadedFile):
        return None, _("Upload a file.")
    if (upload.size or 0) > conf.ATTACHMENT_MAX_BYTES:
        return None, _("“%(name)s” is %(size)s; the limit is %(limit)s.") % {
            "name": clean_attachment_name(upload.name or ""),
            "size": file_size_text(upload.size or 0),
            "limit": file_size_text(conf.ATTACHMENT_MAX_BYTES),
        }
    return upload, None


def _clean_uploads(errors: dict[str, list[str]], data: dict[str, Any]) -> list[UploadedFile]:
    """The files to add: ``attachment`` (one, as before) and ``attachments`` (several)."""
    uploads: list[UploadedFile] = []
    for field in ("attachment", "attachments"):
        value = data.get(field)
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        problems = []
        for each in values:
            upload, problem = _clean_upload(each)
            if problem:
                problems.append(problem)
            elif upload is not None:
                uploads.append(upload)
        if problems:
            errors[field] = problems
    return uploads


def _clean_ids(errors: dict[str, list[str]], value: Any, field: str) -> set[int]:
    values = value if isinstance(value, (list, tuple)) else [value]
    ids: set[int] = set()
    for each in values:
        if isinstance(each, bool) or not isinstance(each, (int, str)):
            errors[field] = [_("Give the ids of attachments of this post.")]
            return set()
        try:
            ids.add(int(each))
        except ValueError:
            errors[field] = [_("Give the ids of attachments of this post.")]
            return set()
    return ids


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
    cleaned["uploads"] = _clean_uploads(errors, data)
    cleaned["remove_ids"] = (
        _clean_ids(errors, data["remove_attachments"], "remove_attachments")
        if data.get("remove_attachments") not in (None, "", [])
        else set()
    )
    if errors:
        raise Invalid(errors)
    return cleaned


def _check_count(count: int, field: str) -> None:
    if count > ATTACHMENTS_PER_POST:
        raise Invalid(
            {field: [_("A post keeps at most %(count)d files.") % {"count": ATTACHMENTS_PER_POST}]}
        )


def _attach(post: Post, uploads: list[UploadedFile]) -> None:
    """Store the files and their rows; if that fails, the files written so far go too."""
    storage = PostAttachment._meta.get_field("file").storage
    written: list[str] = []
    try:
        for upload in uploads:
            attachment = PostAttachment(
                post=post, name=clean_attachment_name(upload.name or ""), size=upload.size or 0
            )
            attachment.file.save(attachment.name, upload, save=False)
            written.append(attachment.file.name or "")
            attachment.save()
    except BaseException:
        for name in written:
            storage.delete(name)
        raise


def delete_file_after_commit(name: str) -> None:
    """Remove a stored attachment once the transaction that dropped it commits."""
    if not name:
        return
    storage = PostAttachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def create_post(user: Actor, team_id: Any, **data: Any) -> Post:
    author = membership_of(user, team_id)
    cleaned = _clean(data, creating=True)
    _check_count(len(cleaned["uploads"]), "attachments")
    post = Post.objects.create(
        team_id=author.team_id,
        author=author,
        title=cleaned["title"],
        body=cleaned["body"],
        body_text=cleaned["body_text"],
    )
    _attach(post, cleaned["uploads"])
    publish_team_event(post.team_id, "post.created", by=user, post=post.pk)
    return post


@transaction.atomic
def update_post(user: Actor, team_id: Any, post_id: Any, **data: Any) -> Post:
    """The author edits title and body, adds files (``attachments``), removes some
    (``remove_attachments``: ids) or all of them (``remove_attachment=True``); a single
    ``attachment`` replaces every file the post had (the API's first contract)."""
    actor = membership_of(user, team_id)
    post = get_post(user, team_id, post_id)
    if not permissions.can_edit_post(actor, post):
        raise Forbidden(_("Only the author can edit this post."))
    remove_all = data.pop("remove_attachment", False) is True or data.get("attachment") is not None
    cleaned = _clean(data, creating=False)
    current = list(post.attachments.all())
    known = {attachment.pk for attachment in current}
    unknown = cleaned["remove_ids"] - known
    if unknown:
        raise Invalid({"remove_attachments": [_("Give the ids of attachments of this post.")]})
    removed = current if remove_all else [a for a in current if a.pk in cleaned["remove_ids"]]
    _check_count(len(current) - len(removed) + len(cleaned["uploads"]), "attachments")
    for field in ("title", "body", "body_text"):
        if field in cleaned:
            setattr(post, field, cleaned[field])
    post.save()
    for attachment in removed:
        attachment.delete()  # the file goes after commit (receivers)
    _attach(post, cleaned["uploads"])
    post._prefetched_objects_cache.pop("attachments", None)  # type: ignore[attr-defined]
    publish_team_event(post.team_id, "post.changed", by=user, post=post.pk, deleted=False)
    return post


@transaction.atomic
def delete_post(user: Actor, team_id: Any, post_id: Any) -> None:
    actor = membership_of(user, team_id)
    post = get_post(user, team_id, post_id)
    if not permissions.can_delete_post(actor, post):
        raise Forbidden(_("Only the author or the host can delete this post."))
    pk = post.pk
    post.delete()  # the files go with it (receivers.delete_attachment_file)
    publish_team_event(actor.team_id, "post.changed", by=user, post=pk, deleted=True)


def get_attachment(
    user: Actor, team_id: Any, post_id: Any, attachment_id: Any = None
) -> PostAttachment:
    """A file of a post the user can read; without an id, the post's first file."""
    post = get_post(user, team_id, post_id)
    attachments = list(post.attachments.all())
    if attachment_id is None and attachments:
        return attachments[0]
    for attachment in attachments:
        if str(attachment.pk) == str(attachment_id):
            return attachment
    raise NotFound(_("Attachment not found."))


def post_excerpt(post: Post, length: int = 160) -> str:
    text = post.body_text or plain_text(post.body)
    return text if len(text) <= length else text[: length - 1] + "…"
