"""The team board: list and search, read, write, edit and delete posts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teammoa.core import permissions, services
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.forms import CommentForm, PostForm
from teammoa.core.limits import SEARCH_MAX
from teammoa.core.models import Membership, Post, PostAttachment
from teammoa.core.queries import correlated_count
from teammoa.core.services.posts import post_excerpt
from teammoa.core.views.common import add_service_errors, render_team_page, team_page

POSTS_PER_PAGE = 10


def _detail(post: Post) -> str:
    return reverse("teammoa_core:post_detail", kwargs={"team": post.team_id, "post": post.pk})


@team_page()
def post_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX]
    posts = services.posts_of(request.user, membership.team_id, query)
    # Each post's files counted in a correlated subquery, and the pages counted on the
    # plain posts: a grouped Count made both queries group every joined column, and the
    # count wrap the grouped query in another (2.6 -> 1.5 ms of CPU; docs/benchmarks.md).
    listed = posts.annotate(file_count=correlated_count(Post, PostAttachment, "post_id"))
    paginator = Paginator(listed, POSTS_PER_PAGE)
    paginator.count = posts.count()  # Paginator.count is a cached_property
    page = paginator.get_page(request.GET.get("page"))
    entries = [(post, post_excerpt(post)) for post in page.object_list]
    context = {
        "page": page,
        "entries": entries,
        "query": query,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
    }
    return render_team_page(
        request, membership, "teammoa_core/posts/list.html", context, tab="board"
    )


def _detail_page(
    request: HttpRequest, membership: Membership, post: int, form: CommentForm | None = None
) -> HttpResponse:
    current = services.get_post(request.user, membership.team_id, post)
    comments = [
        (
            comment,
            permissions.can_edit_comment(membership, comment),
            permissions.can_delete_comment(membership, comment),
        )
        for comment in services.comments_of(request.user, membership.team_id, current.pk)
    ]
    context = {
        "post": current,
        "files": list(current.attachments.all()),
        "can_edit": permissions.can_edit_post(membership, current),
        "can_delete": permissions.can_delete_post(membership, current),
        "comments": comments,
        "comment_form": form or CommentForm(auto_id="comment_%s"),
    }
    return render_team_page(
        request, membership, "teammoa_core/posts/detail.html", context, tab="board"
    )


@team_page()
def post_detail(request: HttpRequest, membership: Membership, post: int) -> HttpResponse:
    return _detail_page(request, membership, post)


@require_http_methods(["GET", "POST"])
@team_page()
def post_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                post = services.create_post(request.user, membership.team_id, **form.service_data())
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your post is published."))
                return redirect(_detail(post))
    else:
        form = PostForm()
    return render_team_page(
        request,
        membership,
        "teammoa_core/posts/form.html",
        {"form": form, "post": None},
        tab="board",
    )


@require_http_methods(["GET", "POST"])
@team_page()
def post_edit(request: HttpRequest, membership: Membership, post: int) -> HttpResponse:
    current = services.get_post(request.user, membership.team_id, post)
    if current.author_id != membership.pk:
        # Shown before the form is filled in; update_post enforces the same rule.
        raise Forbidden(_("Only the author can edit this post."))
    files = list(current.attachments.all())
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES, files_of=files)
        if form.is_valid():
            try:
                services.update_post(
                    request.user, membership.team_id, current.pk, **form.service_data()
                )
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Post saved."))
                return redirect(_detail(current))
    else:
        form = PostForm(initial={"title": current.title, "body": current.body}, files_of=files)
    return render_team_page(
        request,
        membership,
        "teammoa_core/posts/form.html",
        {"form": form, "post": current, "files": files},
        tab="board",
    )


@require_http_methods(["GET", "POST"])
@team_page()
def post_delete(request: HttpRequest, membership: Membership, post: int) -> HttpResponse:
    current = services.get_post(request.user, membership.team_id, post)
    if request.method == "POST":
        services.delete_post(request.user, membership.team_id, current.pk)
        messages.success(request, _("The post was deleted."))
        return redirect("teammoa_core:post_list", team=membership.team_id)
    if not permissions.can_delete_post(membership, current):
        raise Forbidden(_("Only the author or the host can delete this post."))
    context = {
        "heading": _("Delete the post “%(title)s”?") % {"title": current.title},
        "message": _("The post, its files and its comments are deleted. This cannot be undone."),
        "button": _("Delete post"),
        "cancel_url": _detail(current),
    }
    return render_team_page(request, membership, "teammoa_core/confirm.html", context, tab="board")


# --- comments ------------------------------------------------------------------------------


def _comment_anchor(post: Post | int, team_id: int, comment_id: int | None = None) -> str:
    post_id = post.pk if isinstance(post, Post) else post
    url = reverse("teammoa_core:post_detail", kwargs={"team": team_id, "post": post_id})
    return f"{url}#comment-{comment_id}" if comment_id else f"{url}#comments"


@require_http_methods(["POST"])
@team_page()
def comment_create(request: HttpRequest, membership: Membership, post: int) -> HttpResponse:
    form = CommentForm(request.POST, auto_id="comment_%s")
    if form.is_valid():
        try:
            comment = services.create_comment(
                request.user, membership.team_id, post, form.cleaned_data["text"]
            )
        except Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(_comment_anchor(post, membership.team_id, comment.pk))
    return _detail_page(request, membership, post, form)


@require_http_methods(["POST"])
@team_page()
def comment_edit(
    request: HttpRequest, membership: Membership, post: int, comment: int
) -> HttpResponse:
    try:
        services.update_comment(
            request.user, membership.team_id, post, comment, request.POST.get("text", "")
        )
    except Invalid as error:
        text = " ".join(m for msgs in error.errors.values() for m in msgs) or error.message
        messages.error(request, str(text))
    else:
        messages.success(request, _("Comment saved."))
    return redirect(_comment_anchor(post, membership.team_id, comment))


@require_http_methods(["GET", "POST"])
@team_page()
def comment_delete(
    request: HttpRequest, membership: Membership, post: int, comment: int
) -> HttpResponse:
    current = (
        services.comments_of(request.user, membership.team_id, post).filter(pk=comment).first()
    )
    if current is None:
        raise NotFound(_("Comment not found."))
    if request.method == "POST":
        services.delete_comment(request.user, membership.team_id, post, comment)
        messages.success(request, _("The comment was deleted."))
        return redirect(_comment_anchor(post, membership.team_id))
    if not permissions.can_delete_comment(membership, current):
        raise Forbidden(_("Only the author or the host can delete this comment."))
    context = {
        "heading": _("Delete this comment?"),
        "message": _("This cannot be undone."),
        "button": _("Delete comment"),
        "cancel_url": _comment_anchor(post, membership.team_id, comment),
    }
    return render_team_page(request, membership, "teammoa_core/confirm.html", context, tab="board")
