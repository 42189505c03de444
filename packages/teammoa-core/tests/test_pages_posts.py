"""The board pages: list, search, pagination, read, write, edit and delete."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from teammoa.core import services
from teammoa.core.models import Post, PostComment, Role, Team
from teammoa.core.services import create_post
from teammoa.core.testing.factories import host_of, make_team, make_user

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"teammoa_core:{name}", kwargs=kwargs)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def team() -> Team:
    return make_team(title="Writers", members=2)


@pytest.fixture
def author(team: Team):
    return team.memberships.filter(role=Role.MEMBER).order_by("pk")[0].user


@pytest.fixture
def other_member(team: Team):
    return team.memberships.filter(role=Role.MEMBER).order_by("pk")[1].user


@pytest.fixture
def post(team: Team, author) -> Post:
    return create_post(
        author,
        team.pk,
        title="Meeting notes",
        body=(
            "<p>We <strong>agreed</strong>.</p><script>alert(1)</script>"
            '<a href="javascript:x">x</a>'
        ),
        attachment=SimpleUploadedFile("plan (final).pdf", b"%PDF-1.4 data"),
    )


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["post_detail", "post_edit", "post_delete"])
def test_post_pages_are_404_for_non_members_and_login_for_anonymous(client, team, post, name):
    target = url(name, team=team.pk, post=post.pk)
    assert client.get(target).status_code == 302
    client.force_login(make_user())
    assert client.get(target).status_code == 404


def test_a_post_of_another_team_is_404(client, team, host_user):
    other = make_team()
    foreign = create_post(host_of(other).user, other.pk, title="Theirs", body="")
    client.force_login(host_user)
    assert client.get(url("post_detail", team=team.pk, post=foreign.pk)).status_code == 404


# --- list ----------------------------------------------------------------------------------


def test_list_search_and_pagination(client, team, author, other_member):
    for number in range(12):
        create_post(author, team.pk, title=f"Update {number:02}", body="<p>weekly</p>")
    create_post(other_member, team.pk, title="Budget", body="<p>money talk</p>")
    client.force_login(author)
    first = client.get(url("post_list", team=team.pk))
    assert first.status_code == 200
    assert len(first.context["entries"]) == 10
    html = first.content.decode()
    assert "Budget" in html  # newest first
    assert 'href="?page=2"' in html
    second = client.get(url("post_list", team=team.pk) + "?page=2")
    assert len(second.context["entries"]) == 3
    assert "Update 00" in second.content.decode()
    # Search by body, then by the author's nickname, keeping the query in the page links.
    found = client.get(url("post_list", team=team.pk) + "?q=money")
    assert [p.title for p, _ in found.context["entries"]] == ["Budget"]
    assert "1 post matches “money”." in found.content.decode()
    nickname = other_member.nickname
    by_author = client.get(url("post_list", team=team.pk), {"q": nickname})
    assert [p.title for p, _ in by_author.context["entries"]] == ["Budget"]
    weekly = client.get(url("post_list", team=team.pk) + "?q=weekly")
    assert "?q=weekly&amp;page=2" in weekly.content.decode()
    # A page past the end shows the last page.
    assert client.get(url("post_list", team=team.pk) + "?page=99").context["page"].number == 2


def test_list_empty_states(client, team, author):
    client.force_login(author)
    assert "No posts yet" in client.get(url("post_list", team=team.pk)).content.decode()
    assert (
        "No post matches" in client.get(url("post_list", team=team.pk) + "?q=zzz").content.decode()
    )


# --- detail --------------------------------------------------------------------------------


def test_detail_renders_sanitised_body_and_attachment_link(client, team, post, other_member):
    client.force_login(other_member)
    response = client.get(url("post_detail", team=team.pk, post=post.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>agreed</strong>" in html
    assert "alert(1)" not in html and "javascript:" not in html
    attachment = post.attachments.get()
    assert url("post_file", team=team.pk, post=post.pk, file=attachment.pk) in html
    assert "plan (final).pdf" in html
    # Neither the author nor the host: no edit or delete.
    assert url("post_edit", team=team.pk, post=post.pk) not in html
    assert url("post_delete", team=team.pk, post=post.pk) not in html


def test_detail_output_is_sanitised_even_if_the_row_is_not(client, team, post, author):
    Post.objects.filter(pk=post.pk).update(body='<p onclick="x()">hi</p><script>bad()</script>')
    client.force_login(author)
    html = client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    assert "onclick" not in html and "bad()" not in html


def test_detail_edit_and_delete_links(client, team, post, author, host_user):
    client.force_login(author)
    html = client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    assert url("post_edit", team=team.pk, post=post.pk) in html
    assert url("post_delete", team=team.pk, post=post.pk) in html
    client.force_login(host_user)
    html = client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    assert url("post_edit", team=team.pk, post=post.pk) not in html
    assert url("post_delete", team=team.pk, post=post.pk) in html


def test_author_who_left_shows_as_deleted_user(client, team, post, author, host_user):
    team.memberships.filter(user=author).delete()
    client.force_login(host_user)
    assert (
        "deleted user"
        in client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    )
    assert "deleted user" in client.get(url("post_list", team=team.pk)).content.decode()


# --- write ---------------------------------------------------------------------------------


def test_write_a_post_with_an_attachment(client, team, author, media):
    client.force_login(author)
    assert client.get(url("post_create", team=team.pk)).status_code == 200
    response = client.post(
        url("post_create", team=team.pk),
        {
            "title": "Hello",
            "body": "<p>Hi <em>all</em><img src=x onerror=alert(1)></p>",
            "attachments": [
                SimpleUploadedFile("notes.txt", b"some notes"),
                SimpleUploadedFile("회의록.txt", b"more"),
            ],
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response.url == url("post_detail", team=team.pk, post=post.pk)
    assert post.body == "<p>Hi <em>all</em></p>"
    assert post.author.user == author
    files = list(post.attachments.order_by("id"))
    assert [(f.name, f.size) for f in files] == [("notes.txt", 10), ("회의록.txt", 4)]
    assert (media / files[0].file.name).read_bytes() == b"some notes"


def test_plain_text_keeps_its_paragraphs(client, team, author):
    client.force_login(author)
    client.post(url("post_create", team=team.pk), {"title": "T", "body": "one\n\ntwo <3 & more"})
    assert Post.objects.get().body == "<p>one</p>\n\n<p>two &lt;3 &amp; more</p>"


def test_too_large_attachment_is_an_error_next_to_the_field(client, team, author, settings, media):
    settings.TEAMMOA_ATTACHMENT_MAX_BYTES = 10
    client.force_login(author)
    response = client.post(
        url("post_create", team=team.pk),
        {
            "title": "Big",
            "body": "<p>body</p>",
            "attachments": SimpleUploadedFile("big.bin", b"x" * 11),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["attachments"]
    html = response.content.decode()
    assert 'id="id_attachments_error"' in html
    assert "the limit is 10" in html
    assert 'value="Big"' in html  # what was typed stays
    assert not Post.objects.exists()
    assert not any(media.rglob("*.bin"))


def test_write_errors_for_title(client, team, author):
    client.force_login(author)
    response = client.post(url("post_create", team=team.pk), {"title": " ", "body": ""})
    assert list(response.context["form"].errors) == ["title"]
    assert not Post.objects.exists()


# --- edit ----------------------------------------------------------------------------------


def test_author_edits_adds_and_removes_files(
    client, team, post, author, media, django_capture_on_commit_callbacks
):
    old = post.attachments.get()
    client.force_login(author)
    page = client.get(url("post_edit", team=team.pk, post=post.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Files of this post" in html
    assert f'name="remove_attachments" value="{old.pk}"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("post_edit", team=team.pk, post=post.pk),
            {
                "title": "Meeting notes v2",
                "body": "<p>changed</p>",
                "attachments": SimpleUploadedFile("v2.txt", b"two"),
                "remove_attachments": [str(old.pk)],
            },
        )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body) == ("Meeting notes v2", "<p>changed</p>")
    assert [f.name for f in post.attachments.all()] == ["v2.txt"]
    assert not (media / old.file.name).exists()


def test_editing_keeps_the_files_nobody_removed(client, team, post, author):
    client.force_login(author)
    client.post(
        url("post_edit", team=team.pk, post=post.pk),
        {"title": "Meeting notes", "body": post.body},
    )
    assert [f.name for f in post.attachments.all()] == ["plan (final).pdf"]


def test_others_cannot_edit(client, team, post, host_user, other_member):
    for user in (host_user, other_member):
        client.force_login(user)
        assert client.get(url("post_edit", team=team.pk, post=post.pk)).status_code == 403
        response = client.post(
            url("post_edit", team=team.pk, post=post.pk), {"title": "Hacked", "body": ""}
        )
        assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Meeting notes"


# --- delete --------------------------------------------------------------------------------


def test_member_cannot_delete_someone_elses_post(client, team, post, other_member):
    client.force_login(other_member)
    assert client.get(url("post_delete", team=team.pk, post=post.pk)).status_code == 403
    assert client.post(url("post_delete", team=team.pk, post=post.pk)).status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_author_deletes_after_confirming(
    client, team, post, author, media, django_capture_on_commit_callbacks
):
    stored = media / post.attachments.get().file.name
    assert stored.exists()
    client.force_login(author)
    assert (
        "Delete the post"
        in client.get(url("post_delete", team=team.pk, post=post.pk)).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("post_delete", team=team.pk, post=post.pk))
    assert response.status_code == 302
    assert response.url == url("post_list", team=team.pk)
    assert not Post.objects.exists()
    assert not stored.exists()


def test_host_deletes_any_post(client, team, post, host_user):
    client.force_login(host_user)
    client.post(url("post_delete", team=team.pk, post=post.pk))
    assert not Post.objects.exists()


# --- comments ------------------------------------------------------------------------------


def test_comment_on_a_post_edit_and_delete_it(client, team, post, author, other_member, host_user):
    client.force_login(other_member)
    response = client.post(
        url("comment_create", team=team.pk, post=post.pk), {"text": "좋아요!\n다음 주에 봐요"}
    )
    comment = PostComment.objects.get()
    assert response.status_code == 302
    assert response.url == url("post_detail", team=team.pk, post=post.pk) + f"#comment-{comment.pk}"
    html = client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    assert "좋아요!<br>다음 주에 봐요" in html
    edit = url("comment_edit", team=team.pk, post=post.pk, comment=comment.pk)
    delete = url("comment_delete", team=team.pk, post=post.pk, comment=comment.pk)
    assert edit in html and delete in html
    client.post(edit, {"text": "고쳤어요"})
    comment.refresh_from_db()
    assert comment.text == "고쳤어요"
    # The post's author neither edits nor deletes someone else's comment.
    client.force_login(author)
    html = client.get(url("post_detail", team=team.pk, post=post.pk)).content.decode()
    assert edit not in html and delete not in html
    assert client.post(edit, {"text": "no"}).status_code == 403
    assert client.post(delete).status_code == 403
    # The host deletes it after confirming.
    client.force_login(host_user)
    assert "Delete this comment?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not PostComment.objects.exists()


def test_an_empty_comment_shows_an_error_and_saves_nothing(client, team, post, other_member):
    client.force_login(other_member)
    response = client.post(url("comment_create", team=team.pk, post=post.pk), {"text": "  "})
    assert response.status_code == 200
    assert list(response.context["comment_form"].errors) == ["text"]
    assert 'id="comment_text_error"' in response.content.decode()
    assert not PostComment.objects.exists()


def test_comment_pages_are_404_for_other_teams(client, team, post, author):
    comment = services.create_comment(author, team.pk, post.pk, "mine")
    stranger = make_user()
    make_team(host=stranger)
    client.force_login(stranger)
    for name, kwargs in [
        ("comment_create", {}),
        ("comment_edit", {"comment": comment.pk}),
        ("comment_delete", {"comment": comment.pk}),
    ]:
        response = client.post(url(name, team=team.pk, post=post.pk, **kwargs), {"text": "x"})
        assert response.status_code == 404, name
    assert PostComment.objects.get().text == "mine"


def test_the_post_page_does_not_grow_queries_with_comments(
    client, team, post, author, other_member, django_assert_max_num_queries
):
    client.force_login(author)
    for i in range(3):
        services.create_comment(other_member, team.pk, post.pk, f"c{i}")
    with django_assert_max_num_queries(20) as few:
        client.get(url("post_detail", team=team.pk, post=post.pk))
    for i in range(20):
        services.create_comment(author if i % 2 else other_member, team.pk, post.pk, f"d{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("post_detail", team=team.pk, post=post.pk))


def test_the_list_counts_each_posts_files(client, team, post, author):
    create_post(author, team.pk, title="No files")
    client.force_login(author)
    html = client.get(url("post_list", team=team.pk)).content.decode()
    assert html.count('<span class="tag">1 file</span>') == 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_file_sizes_use_one_style_of_unit(client, team, author, other_member, lang):
    """Django's filesizeformat wrote "17 바이트" beside "50.3 KB" on a Korean page."""
    post = create_post(
        author,
        team.pk,
        title="Sizes",
        body="<p>two files</p>",
        attachments=[
            SimpleUploadedFile("small.txt", b"x" * 17),
            SimpleUploadedFile("large.txt", b"x" * 51_507),
        ],
    )
    client.force_login(other_member)
    html = client.get(
        url("post_detail", team=team.pk, post=post.pk), HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert "(17 B)" in html and "(50.3 KB)" in html
    assert "바이트" not in html and "bytes)" not in html
