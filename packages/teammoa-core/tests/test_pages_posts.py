"""The board pages: list, search, pagination, read, write, edit and delete."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from teammoa.core.models import Post, Role, Team
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
    assert url("post_attachment", team=team.pk, post=post.pk) in html
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
            "attachment": SimpleUploadedFile("notes.txt", b"some notes"),
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response.url == url("post_detail", team=team.pk, post=post.pk)
    assert post.body == "<p>Hi <em>all</em></p>"
    assert post.author.user == author
    assert (post.attachment_name, post.attachment_size) == ("notes.txt", 10)
    assert (media / post.attachment.name).read_bytes() == b"some notes"


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
            "attachment": SimpleUploadedFile("big.bin", b"x" * 11),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["attachment"]
    html = response.content.decode()
    assert 'id="id_attachment_error"' in html
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


def test_author_edits_and_replaces_the_attachment(
    client, team, post, author, media, django_capture_on_commit_callbacks
):
    old_file = post.attachment.name
    client.force_login(author)
    page = client.get(url("post_edit", team=team.pk, post=post.pk))
    assert page.status_code == 200
    assert "Current attachment" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("post_edit", team=team.pk, post=post.pk),
            {
                "title": "Meeting notes v2",
                "body": "<p>changed</p>",
                "attachment": SimpleUploadedFile("v2.txt", b"two"),
            },
        )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body, post.attachment_name) == (
        "Meeting notes v2",
        "<p>changed</p>",
        "v2.txt",
    )
    assert not (media / old_file).exists()


def test_author_removes_the_attachment(client, team, post, author):
    client.force_login(author)
    client.post(
        url("post_edit", team=team.pk, post=post.pk),
        {"title": "Meeting notes", "body": post.body, "remove_attachment": "on"},
    )
    post.refresh_from_db()
    assert not post.attachment and post.attachment_name == ""


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
    stored = media / post.attachment.name
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
