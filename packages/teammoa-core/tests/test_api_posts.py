"""The team board through the REST API, and the member-only attachment download."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from teammoa.core import services
from teammoa.core.models import Membership, Post, Team
from teammoa.core.testing.factories import host_of, make_team, make_user
from tests.api_support import as_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

LIMIT = 1024


def posts(team: Team) -> str:
    return f"/api/v1/teams/{team.pk}/posts/"


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def upload(name: str, content: bytes = b"x") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def multipart_with_filename(fields: dict[str, str], filename: str, content: bytes) -> bytes:
    """A multipart body written by hand, so the file name arrives exactly as given (the
    test client would strip path parts before sending)."""
    parts = [
        f'--B\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--B\r\nContent-Disposition: form-data; name="attachment"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n--B--\r\n"
    )
    return b"".join(parts)


def download(user: Any, post: dict[str, Any] | Post) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    url = post["attachment"]["url"] if isinstance(post, dict) else _download_url(post)
    response = client.get(url)
    # Read a streamed file to the end here (the test client then closes it), so no test
    # leaves it open. Closing it directly would also close the database connection.
    response.body = b"".join(response.streaming_content) if response.streaming else None
    return response


def _download_url(post: Post) -> str:
    return f"/teams/{post.team_id}/posts/{post.pk}/attachment/"


# --- writing and reading -------------------------------------------------------------------


def test_create_post_with_attachment(team: Team, member: Membership, media_root: Path) -> None:
    content = b"x" * LIMIT
    with override_settings(TEAMMOA_ATTACHMENT_MAX_BYTES=LIMIT):
        response = as_user(member.user).post(
            posts(team),
            {
                "title": "Minutes",
                "body": "<p>Notes</p>",
                "attachment": upload("회의록.txt", content),
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == {
        "id",
        "title",
        "body",
        "author",
        "created_at",
        "updated_at",
        "attachment",
        "attachments",
    }
    assert data["author"]["id"] == member.pk
    assert data["author"]["user"]["username"] == member.user.username
    assert data["attachment"]["name"] == "회의록.txt"
    assert data["attachment"]["size"] == LIMIT
    assert data["attachment"]["url"] == (
        f"http://testserver/teams/{team.pk}/posts/{data['id']}/attachment/"
    )
    [only] = data["attachments"]
    assert (only["name"], only["size"]) == ("회의록.txt", LIMIT)
    assert only["url"] == (
        f"http://testserver/teams/{team.pk}/posts/{data['id']}/files/{only['id']}/"
    )
    stored = Post.objects.get(pk=data["id"]).attachments.get().file.name
    assert "회의록" not in stored
    assert stored.startswith(f"teammoa/attachments/{team.pk}/")
    assert stored.endswith(".txt")
    [path] = stored_files(media_root)
    assert path.read_bytes() == content
    assert "/media/" not in data["attachment"]["url"]


def test_a_post_without_attachment_and_as_json(team: Team, member: Membership) -> None:
    response = as_user(member.user).post(posts(team), {"title": "Hi", "body": "<b>there</b>"})
    assert response.status_code == 201
    assert response.json()["attachment"] is None
    assert response.json()["body"] == "<b>there</b>"


def test_an_attachment_over_the_limit_is_refused(
    team: Team, member: Membership, media_root: Path, db_state: Any
) -> None:
    before = db_state()
    with override_settings(TEAMMOA_ATTACHMENT_MAX_BYTES=LIMIT):
        response = as_user(member.user).post(
            posts(team),
            {"title": "Big", "body": "", "attachment": upload("big.bin", b"x" * (LIMIT + 1))},
            format="multipart",
        )
    assert response.status_code == 400
    assert "attachment" in response.json()
    assert db_state() == before
    assert stored_files(media_root) == []


def test_an_attachment_that_is_not_a_file_is_refused(
    team: Team, member: Membership, db_state: Any
) -> None:
    before = db_state()
    response = as_user(member.user).post(
        posts(team), {"title": "T", "attachment": "not a file"}, format="multipart"
    )
    assert response.status_code == 400
    assert "attachment" in response.json()
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "x"}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "T", "body": "x" * 100_001}, "body"),
    ],
)
def test_post_junk_is_refused(
    team: Team, member: Membership, body: dict[str, Any], field: str, db_state: Any
) -> None:
    before = db_state()
    response = as_user(member.user).post(posts(team), body, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert db_state() == before


def test_the_body_is_sanitised(team: Team, member: Membership) -> None:
    body = (
        '<p onclick="steal()">Hello <script>alert(1)</script><strong>bold</strong> '
        '<em>it</em> <a href="javascript:alert(2)">bad</a> '
        '<a href="https://example.com/" onmouseover="x()">good</a></p>'
        '<img src=x onerror="alert(3)"><ul><li>one</li></ul><style>p{}</style>'
    )
    response = as_user(member.user).post(posts(team), {"title": "T", "body": body})
    assert response.status_code == 201
    clean = response.json()["body"]
    for gone in ("<script", "alert(1)", "onclick", "onmouseover", "onerror", "javascript:", "<img"):
        assert gone not in clean
    assert "<style" not in clean
    for kept in ("<p>", "<strong>bold</strong>", "<em>it</em>", "<ul><li>one</li></ul>"):
        assert kept in clean
    assert 'href="https://example.com/"' in clean
    edited = as_user(member.user).patch(
        f"{posts(team)}{response.json()['id']}/", {"body": "<p onload='x()'>Edited</p>"}
    )
    assert edited.json()["body"] == "<p>Edited</p>"


def test_search_by_title_body_and_author(team: Team, host: Membership, member: Membership) -> None:
    services.create_post(host.user, team.pk, title="Sprint plan", body="<p>Kickoff</p>")
    services.create_post(host.user, team.pk, title="Retro", body="<p>What went <b>well</b></p>")
    services.create_post(member.user, team.pk, title="Question", body="")
    client = as_user(member.user)

    def titles(q: str) -> set[str]:
        response = client.get(posts(team), {"q": q})
        assert response.status_code == 200
        return {p["title"] for p in response.json()["results"]}

    assert titles("sprint") == {"Sprint plan"}
    assert titles("kickoff") == {"Sprint plan"}
    assert titles("went well") == {"Retro"}
    assert titles(member.user.username) == {"Question"}
    assert titles(host.user.nickname) == {"Sprint plan", "Retro"}
    assert titles("") == {"Sprint plan", "Retro", "Question"}
    assert titles("nothing like this") == set()


def test_ten_posts_per_page_newest_first(team: Team, host: Membership) -> None:
    for i in range(23):
        services.create_post(host.user, team.pk, title=f"Post {i}", body="")
    client = as_user(host.user)
    first = client.get(posts(team)).json()
    assert first["count"] == 23
    assert [p["title"] for p in first["results"]] == [f"Post {i}" for i in range(22, 12, -1)]
    third = client.get(posts(team), {"page": 3}).json()
    assert [p["title"] for p in third["results"]] == ["Post 2", "Post 1", "Post 0"]
    assert third["next"] is None
    # The page size is fixed.
    assert len(client.get(posts(team), {"page_size": 50}).json()["results"]) == 10
    assert client.get(posts(team), {"page": "two"}).status_code == 400


def test_author_rules(team: Team, host: Membership, member: Membership) -> None:
    post = as_user(member.user).post(posts(team), {"title": "Mine"}).json()
    url = f"{posts(team)}{post['id']}/"
    assert as_user(member.user).patch(url, {"title": "Mine!"}).json()["title"] == "Mine!"
    assert as_user(host.user).patch(url, {"title": "Host edit"}).status_code == 403
    assert as_user(host.user).delete(url).status_code == 204


def test_a_post_keeps_its_place_when_the_author_leaves(team: Team, member: Membership) -> None:
    post = as_user(member.user).post(posts(team), {"title": "Bye"}).json()
    as_user(member.user).post(f"/api/v1/teams/{team.pk}/leave/")
    host = host_of(team)
    response = as_user(host.user).get(f"{posts(team)}{post['id']}/")
    assert response.status_code == 200
    assert response.json()["author"] is None


# --- attachment life cycle -----------------------------------------------------------------


def test_replace_and_remove_the_attachment(
    team: Team, member: Membership, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        post = client.post(
            posts(team), {"title": "T", "attachment": upload("a.txt", b"one")}, format="multipart"
        ).json()
    [first] = stored_files(media_root)
    url = f"{posts(team)}{post['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        replaced = client.patch(url, {"attachment": upload("b.txt", b"two")}, format="multipart")
    assert replaced.json()["attachment"]["name"] == "b.txt"
    [second] = stored_files(media_root)
    assert second != first
    assert second.read_bytes() == b"two"
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.patch(url, {"remove_attachment": "true"}, format="multipart")
    assert removed.status_code == 200
    assert removed.json()["attachment"] is None
    assert stored_files(media_root) == []


def test_deleting_the_post_deletes_the_file(
    team: Team, member: Membership, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(member.user)
    post = client.post(
        posts(team), {"title": "T", "attachment": upload("a.txt", b"x")}, format="multipart"
    ).json()
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{posts(team)}{post['id']}/").status_code == 204
    assert stored_files(media_root) == []


def test_disbanding_the_team_deletes_the_files(
    team: Team,
    host: Membership,
    member: Membership,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for user in (host.user, member.user):
        as_user(user).post(
            posts(team), {"title": "T", "attachment": upload("a.txt", b"x")}, format="multipart"
        )
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert as_user(host.user).delete(f"/api/v1/teams/{team.pk}/").status_code == 204
    assert stored_files(media_root) == []


# --- downloads -----------------------------------------------------------------------------


def test_a_member_downloads_the_file(team: Team, host: Membership, member: Membership) -> None:
    content = bytes(range(256)) * 4
    post = (
        as_user(member.user)
        .post(
            posts(team),
            {"title": "T", "attachment": upload("data.bin", content)},
            format="multipart",
        )
        .json()
    )
    response = download(host.user, post)
    assert response.status_code == 200
    assert response.body == content
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"data.bin\"; filename*=UTF-8''data.bin"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("sent_name", "kept_name"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
    ],
)
def test_path_parts_are_dropped_from_uploaded_names(
    team: Team, member: Membership, media_root: Path, sent_name: str, kept_name: str
) -> None:
    client = as_user(member.user)
    response = client.generic(
        "POST",
        posts(team),
        multipart_with_filename({"title": "T"}, sent_name, b"secret"),
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attachment"]["name"] == kept_name
    [path] = stored_files(media_root)
    assert path.is_relative_to(media_root / "teammoa" / "attachments")
    assert kept_name.rsplit(".", 1)[0] not in path.name
    header = download(member.user, response.json())["Content-Disposition"]
    assert f'filename="{kept_name}"' in header
    assert "/" not in header and "\\" not in header


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ('my "final" report.pdf', "my _final_ report.pdf"),
        ("보고서 최종.hwp", "___ __.hwp"),
        ("semi;colon.txt", "semi_colon.txt"),
    ],
)
def test_content_disposition_is_safe_for_any_name(
    team: Team, member: Membership, name: str, fallback: str
) -> None:
    post = services.create_post(member.user, team.pk, title="T", attachment=upload(name, b"x"))
    assert post.attachments.get().name == name
    response = download(member.user, post)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Disposition"].encode("ascii")  # no raw non-ASCII in the header


def test_x_accel_redirect_when_configured(team: Team, member: Membership) -> None:
    post = services.create_post(
        member.user, team.pk, title="T", attachment=upload("보고서.pdf", b"%PDF-1.4")
    )
    with override_settings(TEAMMOA_ATTACHMENT_ACCEL_PREFIX="/protected/"):
        response = download(member.user, post)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected/" + post.attachments.get().file.name
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf" in response["Content-Disposition"]


def test_download_access(team: Team, host: Membership, member: Membership) -> None:
    post = services.create_post(member.user, team.pk, title="T", attachment=upload("a.txt", b"x"))
    assert download(make_user(), post).status_code == 404
    anonymous = download(None, post)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert download(member.user, post).status_code == 200

    removed = team.memberships.filter(role="member").exclude(pk=member.pk).get()
    assert download(removed.user, post).status_code == 200
    as_user(host.user).delete(f"/api/v1/teams/{team.pk}/members/{removed.pk}/")
    assert download(removed.user, post).status_code == 404


def test_a_post_without_file_has_no_download(team: Team, member: Membership) -> None:
    post = services.create_post(member.user, team.pk, title="T")
    assert download(member.user, post).status_code == 404


# --- several files, and comments -----------------------------------------------------------


def test_several_files_are_added_and_removed(
    team: Team, member: Membership, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(member.user)
    created = client.post(
        posts(team),
        {"title": "T", "attachments": [upload("a.txt", b"a"), upload("b.txt", b"bb")]},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert [(f["name"], f["size"]) for f in data["attachments"]] == [("a.txt", 1), ("b.txt", 2)]
    assert data["attachment"]["name"] == "a.txt"  # the first file, as before
    second = data["attachments"][1]
    response = Client()
    response.force_login(member.user)
    got = response.get(second["url"])
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"bb"
    url = f"{posts(team)}{data['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        edited = client.patch(
            url,
            {"remove_attachments": [data["attachments"][0]["id"]], "attachments": upload("c.txt")},
            format="multipart",
        )
    assert edited.status_code == 200, edited.json()
    assert [f["name"] for f in edited.json()["attachments"]] == ["b.txt", "c.txt"]
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize("junk", [["abc"], ["1.5"], [""]])
def test_junk_file_ids_are_a_400(team: Team, member: Membership, junk: list[str]) -> None:
    client = as_user(member.user)
    post = client.post(posts(team), {"title": "T"}).json()
    response = client.patch(
        f"{posts(team)}{post['id']}/", {"remove_attachments": junk}, format="multipart"
    )
    assert response.status_code == 400
    assert "remove_attachments" in response.json()


def test_a_file_of_another_team_is_not_found(team: Team, member: Membership) -> None:
    post = services.create_post(member.user, team.pk, title="T", attachment=upload("a.txt"))
    file_id = post.attachments.get().pk
    stranger = host_of(make_team()).user
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/teams/{team.pk}/posts/{post.pk}/files/{file_id}/").status_code == 404
    client.force_login(member.user)
    other = services.create_post(member.user, team.pk, title="Other")
    # The right team, but the file is not this post's.
    assert client.get(f"/teams/{team.pk}/posts/{other.pk}/files/{file_id}/").status_code == 404


def comments_url(team: Team, post_id: int) -> str:
    return f"{posts(team)}{post_id}/comments/"


def test_comments_through_the_api(team: Team, host: Membership, member: Membership) -> None:
    post = services.create_post(host.user, team.pk, title="T")
    client = as_user(member.user)
    created = client.post(comments_url(team, post.pk), {"text": "좋아요"})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == {"id", "post", "text", "author", "created_at", "updated_at"}
    assert (data["post"], data["text"], data["author"]["id"]) == (post.pk, "좋아요", member.pk)
    url = f"{comments_url(team, post.pk)}{data['id']}/"
    assert client.patch(url, {"text": "수정"}).json()["text"] == "수정"
    assert as_user(host.user).patch(url, {"text": "host"}).status_code == 403
    listed = as_user(host.user).get(comments_url(team, post.pk)).json()
    assert [c["text"] for c in listed["results"]] == ["수정"]
    assert as_user(host.user).delete(url).status_code == 204
    assert as_user(host.user).get(comments_url(team, post.pk)).json()["count"] == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": 5}, {"text": None}, {"text": ["a"]}, {"text": "x" * 2001}],
)
def test_junk_comments_are_a_400(team: Team, member: Membership, body: dict[str, Any]) -> None:
    post = services.create_post(member.user, team.pk, title="T")
    response = as_user(member.user).post(comments_url(team, post.pk), body, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_comments_of_another_team_are_not_found(team: Team, member: Membership) -> None:
    post = services.create_post(member.user, team.pk, title="T")
    comment = services.create_comment(member.user, team.pk, post.pk, "mine")
    stranger = as_user(host_of(make_team()).user)
    assert stranger.get(comments_url(team, post.pk)).status_code == 404
    assert stranger.post(comments_url(team, post.pk), {"text": "hi"}).status_code == 404
    url = f"{comments_url(team, post.pk)}{comment.pk}/"
    assert stranger.patch(url, {"text": "x"}).status_code == 404
    assert stranger.delete(url).status_code == 404
