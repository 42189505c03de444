"""Post rules (SPEC section 2): validation, sanitised bodies, attachments (limit, random
stored name, clean original name, file removed after commit), permissions and search."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from teammoa.core import services
from teammoa.core.downloads import content_disposition
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.models import Post, PostAttachment
from teammoa.core.services.posts import clean_attachment_name, post_excerpt
from teammoa.core.testing.factories import host_of, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def team():
    return make_team(members=2)


@pytest.fixture
def alice(team):
    return team.memberships.filter(role="member").order_by("id")[0]


@pytest.fixture
def bob(team):
    return team.memberships.filter(role="member").order_by("id")[1]


def upload(name="notes.txt", content=b"hello", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(author, title="Hello", body="<p>Hi</p>", **data):
    return services.create_post(author.user, author.team_id, title=title, body=body, **data)


def stored_files(media) -> list[str]:
    if not media.exists():
        return []
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def first(item: Post) -> PostAttachment:
    return PostAttachment.objects.filter(post_id=item.pk).order_by("id").first()


def stored_path(media, item: Post):
    return media / first(item).file.name


# --- title and body ------------------------------------------------------------------------


def test_any_member_posts(alice):
    created = post(alice, title="  Weekly notes ", body="<p>Agenda</p>")
    stored = Post.objects.get(pk=created.pk)
    assert (stored.team_id, stored.author_id) == (alice.team_id, alice.pk)
    assert (stored.title, stored.body) == ("Weekly notes", "<p>Agenda</p>")
    assert stored.created_at and stored.updated_at


@pytest.mark.parametrize("title", ["", "   ", "x" * 101, None, 5])
def test_title_has_1_to_100_characters(alice, title):
    with pytest.raises(Invalid) as info:
        post(alice, title=title)
    assert "title" in info.value.errors
    assert not Post.objects.exists()


def test_100_character_title_and_empty_body_fit(alice):
    assert len(post(alice, title="x" * 100, body="").title) == 100


def test_body_is_sanitised_on_save(alice):
    created = post(
        alice,
        body=(
            '<p onclick="steal()">Hi <strong>there</strong> <em>all</em></p>'
            "<script>alert(1)</script>"
            '<a href="javascript:alert(1)">bad</a> <a href="https://example.com">good</a>'
            '<img src="x" onerror="alert(1)"><ul><li>one</li></ul>'
        ),
    )
    body = Post.objects.get(pk=created.pk).body
    for banned in ("script", "alert", "onclick", "onerror", "javascript:", "<img"):
        assert banned not in body
    for kept in ("<p>", "<strong>there</strong>", "<em>all</em>", "<ul><li>one</li></ul>"):
        assert kept in body
    assert 'href="https://example.com"' in body


def test_edited_body_is_sanitised_too(alice):
    created = post(alice)
    services.update_post(
        alice.user, alice.team_id, created.pk, body='<b onmouseover="x()">b</b><script>x</script>'
    )
    assert Post.objects.get(pk=created.pk).body == "<b>b</b>"


def test_body_has_a_length_limit(alice):
    with pytest.raises(Invalid) as info:
        post(alice, body="x" * 100_001)
    assert "body" in info.value.errors


def test_excerpt_is_plain_text(alice):
    created = post(alice, body="<p>Tom &amp; Jerry</p><p>chase</p>")
    assert post_excerpt(created) == "Tom & Jerry chase"
    long = post(alice, body="<p>" + "word " * 100 + "</p>")
    assert len(post_excerpt(long, 20)) == 20
    assert post_excerpt(long, 20).endswith("…")


# --- attachments ---------------------------------------------------------------------------


def test_attachment_is_stored_under_a_random_name(alice, media):
    created = post(alice, attachment=upload("Quarterly report.pdf", b"%PDF-1.4 data"))
    stored = Post.objects.get(pk=created.pk)
    assert first(stored).name == "Quarterly report.pdf"
    assert first(stored).size == len(b"%PDF-1.4 data")
    name = first(stored).file.name
    assert name.startswith(f"teammoa/attachments/{alice.team_id}/")
    assert "Quarterly" not in name
    assert "report" not in name
    assert name.endswith(".pdf")
    assert stored_path(media, stored).read_bytes() == b"%PDF-1.4 data"
    again = post(alice, attachment=upload("Quarterly report.pdf", b"other"))
    assert first(again).file.name != name


def test_attachment_over_the_limit_is_refused_and_nothing_saved(settings, alice, media):
    settings.TEAMMOA_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Invalid) as info:
        post(alice, attachment=upload(content=b"x" * 11))
    assert "attachment" in info.value.errors
    assert not Post.objects.exists()
    assert stored_files(media) == []
    assert first(post(alice, attachment=upload(content=b"x" * 10))).size == 10


def test_replacement_over_the_limit_keeps_the_old_file(settings, alice, media):
    created = post(alice, attachment=upload("a.txt", b"small"))
    settings.TEAMMOA_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Invalid) as info:
        services.update_post(
            alice.user,
            alice.team_id,
            created.pk,
            title="changed",
            attachment=upload("b.txt", b"x" * 11),
        )
    assert "attachment" in info.value.errors
    stored = Post.objects.get(pk=created.pk)
    assert (stored.title, first(stored).name) == ("Hello", "a.txt")
    assert stored_files(media) == [first(stored).file.name]


def test_default_limit_is_10_mb(alice):
    with pytest.raises(Invalid) as info:
        post(alice, attachment=upload(content=b"x" * (10 * 1024 * 1024 + 1)))
    assert "attachment" in info.value.errors


def test_attachment_must_be_an_upload(alice):
    with pytest.raises(Invalid) as info:
        post(alice, attachment="/etc/passwd")
    assert "attachment" in info.value.errors


def test_attachment_name_is_cleaned(alice, media):
    created = post(alice, attachment=upload("../../etc/pass\x00wd.txt"))
    assert first(created).name == "passwd.txt"
    assert stored_files(media) == [first(created).file.name]
    assert first(created).file.name.startswith(f"teammoa/attachments/{alice.team_id}/")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/abs/path/file.txt", "file.txt"),
        ("C:\\Users\\me\\Desktop\\plan.docx", "plan.docx"),
        ("line\nbreak\r\tname.txt", "linebreakname.txt"),
        ("bell\x07\x00.txt", "bell.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # right-to-left override
        ("회의록 최종.hwp", "회의록 최종.hwp"),
        ("café.txt", "café.txt"),  # NFC: one code point for é
        ("😀 smile.png", "😀 smile.png"),
        ("  spaced.txt  ", "spaced.txt"),
        ("", "attachment"),
        ("...", "attachment"),
        ("../", "attachment"),
        (None, "attachment"),
    ],
)
def test_clean_attachment_name(raw, clean):
    assert clean_attachment_name(raw) == clean


def test_clean_attachment_name_truncates_keeping_the_extension():
    cleaned = clean_attachment_name("a" * 300 + ".pdf")
    assert len(cleaned) == 255
    assert cleaned.endswith("a.pdf")
    assert len(clean_attachment_name("b" * 300)) == 255


def test_unicode_extension_is_not_used_for_the_stored_name(alice):
    created = post(alice, attachment=upload("문서.한글"))
    assert first(created).name == "문서.한글"
    assert first(created).file.name.isascii()


# --- files removed after commit ------------------------------------------------------------


def test_deleting_a_post_removes_its_file_after_commit(
    alice, media, django_capture_on_commit_callbacks
):
    created = post(alice, attachment=upload())
    path = stored_path(media, created)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_post(alice.user, alice.team_id, created.pk)
    assert path.exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert not path.exists()
    assert not Post.objects.filter(pk=created.pk).exists()


def test_replacing_an_attachment_removes_the_old_file(
    alice, media, django_capture_on_commit_callbacks
):
    created = post(alice, attachment=upload("old.txt", b"old"))
    old_path = stored_path(media, created)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        updated = services.update_post(
            alice.user, alice.team_id, created.pk, attachment=upload("new.txt", b"new")
        )
    assert old_path.exists()
    for callback in callbacks:
        callback()
    assert not old_path.exists()
    stored = Post.objects.get(pk=created.pk)
    assert (first(stored).name, first(stored).size) == ("new.txt", 3)
    assert first(stored).file.name == first(updated).file.name
    assert stored_path(media, stored).read_bytes() == b"new"
    assert stored_files(media) == [first(stored).file.name]


def test_removing_an_attachment(alice, media, django_capture_on_commit_callbacks):
    created = post(alice, attachment=upload())
    path = stored_path(media, created)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_post(alice.user, alice.team_id, created.pk, remove_attachment=True)
    assert not path.exists()
    stored = Post.objects.get(pk=created.pk)
    assert first(stored) is None


def test_editing_without_touching_the_attachment_keeps_it(
    alice, media, django_capture_on_commit_callbacks
):
    created = post(alice, attachment=upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.update_post(alice.user, alice.team_id, created.pk, title="New title")
    assert stored_path(media, created).exists()
    assert PostAttachment.objects.filter(post_id=created.pk).count() == 1


def test_disbanding_the_team_removes_its_files(
    host, alice, media, django_capture_on_commit_callbacks
):
    files = [stored_path(media, post(m, attachment=upload())) for m in (host, alice)]
    other = post(host_of(make_team()), attachment=upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.disband_team(host.user, host.team_id)
    assert not any(path.exists() for path in files)
    assert stored_path(media, other).exists()


def test_a_failed_save_leaves_no_file_behind(alice, media):
    with pytest.raises(Invalid):
        post(alice, title="", attachment=upload())
    assert stored_files(media) == []


# --- permissions ---------------------------------------------------------------------------


def test_only_the_author_edits(host, alice, bob):
    created = post(alice)
    services.update_post(alice.user, alice.team_id, created.pk, title="Mine", body="<p>new</p>")
    stored = Post.objects.get(pk=created.pk)
    assert (stored.title, stored.body) == ("Mine", "<p>new</p>")
    for other in (bob, host):
        with pytest.raises(Forbidden):
            services.update_post(other.user, other.team_id, created.pk, title="Theirs")
    with pytest.raises(NotFound):
        services.update_post(make_user(), alice.team_id, created.pk, title="Stranger")
    assert Post.objects.get(pk=created.pk).title == "Mine"


def test_update_validates_and_saves_nothing(alice):
    created = post(alice)
    with pytest.raises(Invalid) as info:
        services.update_post(alice.user, alice.team_id, created.pk, title="", body="<p>x</p>")
    assert "title" in info.value.errors
    stored = Post.objects.get(pk=created.pk)
    assert (stored.title, stored.body) == ("Hello", "<p>Hi</p>")


def test_author_or_host_deletes(host, alice, bob):
    by_alice, also_alice = post(alice), post(alice)
    with pytest.raises(Forbidden):
        services.delete_post(bob.user, bob.team_id, by_alice.pk)
    with pytest.raises(NotFound):
        services.delete_post(make_user(), alice.team_id, by_alice.pk)
    services.delete_post(alice.user, alice.team_id, by_alice.pk)
    services.delete_post(host.user, host.team_id, also_alice.pk)
    assert not Post.objects.exists()


def test_post_of_a_departed_author_stays_and_only_the_host_deletes(host, alice, bob):
    created = post(alice)
    services.leave_team(alice.user, alice.team_id)
    stored = services.get_post(bob.user, bob.team_id, created.pk)
    assert stored.author is None
    with pytest.raises(Forbidden):
        services.update_post(bob.user, bob.team_id, created.pk, title="Taken over")
    with pytest.raises(Forbidden):
        services.delete_post(bob.user, bob.team_id, created.pk)
    services.delete_post(host.user, host.team_id, created.pk)


def test_posts_of_another_team_are_not_found(alice):
    foreign = post(host_of(make_team()))
    with pytest.raises(NotFound):
        services.get_post(alice.user, alice.team_id, foreign.pk)
    with pytest.raises(NotFound):
        services.get_post(alice.user, alice.team_id, "abc")
    with pytest.raises(NotFound):
        services.posts_of(make_user(), alice.team_id)


# --- search --------------------------------------------------------------------------------


def test_search_by_title_body_and_author(team, host, alice, bob):
    alice.user.nickname = "Alicorn"
    alice.user.save()
    post(alice, title="Sprint plan", body="<p>nothing here</p>")
    post(bob, title="Notes", body="<p>The <strong>Deadline</strong> moved</p>")
    post(host, title="Links", body='<p><a href="https://example.com">site</a></p>')
    post(host_of(make_team()), title="Sprint elsewhere", body="<p>deadline</p>")

    def titles(query):
        return sorted(p.title for p in services.posts_of(bob.user, team.pk, query))

    assert titles("sprint") == ["Sprint plan"]
    assert titles("DEADLINE") == ["Notes"]
    assert titles("alicorn") == ["Sprint plan"]
    assert titles(bob.user.username) == ["Notes"]
    assert titles("nomatch") == []
    assert titles("") == titles(None) == titles("   ") == ["Links", "Notes", "Sprint plan"]
    # Markup is not text: tag and attribute names do not match.
    assert titles("strong") == []
    assert titles("nofollow") == []
    assert titles("href") == []


def test_posts_are_newest_first(alice):
    first, second = post(alice, title="first"), post(alice, title="second")
    assert [p.pk for p in services.posts_of(alice.user, alice.team_id)] == [second.pk, first.pk]


def test_listing_does_not_grow_queries_with_posts(alice, bob, django_assert_max_num_queries):
    for i in range(5):
        post(alice if i % 2 else bob, title=f"p{i}")
    with django_assert_max_num_queries(2):
        names = [p.author.name for p in services.posts_of(alice.user, alice.team_id, "p")]
    assert len(names) == 5


# --- download header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        (
            "회의록.hwp",
            "attachment; filename=\"___.hwp\"; filename*=UTF-8''%ED%9A%8C%EC%9D%98%EB%A1%9D.hwp",
        ),
        (
            'a"b;c\\d.txt',
            "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd.txt",
        ),
        ("x\r\ny.txt", "attachment; filename=\"x__y.txt\"; filename*=UTF-8''x%0D%0Ay.txt"),
    ],
)
def test_content_disposition(name, header):
    assert content_disposition(name) == header
    assert "\r" not in header
    assert "\n" not in header


def test_content_disposition_falls_back_to_a_name():
    assert content_disposition("").startswith('attachment; filename="attachment"')


def test_stored_file_lives_under_media_root(alice, media):
    created = post(alice, attachment=upload())
    assert os.path.commonpath([stored_path(media, created), media]) == str(media)


# --- several files per post ----------------------------------------------------------------


def test_a_post_keeps_several_files_in_order(alice, media):
    created = post(
        alice,
        attachment=upload("first.txt", b"1"),
        attachments=[upload("second.txt", b"22"), upload("third.txt", b"333")],
    )
    files = list(created.attachments.order_by("id"))
    assert [(f.name, f.size) for f in files] == [
        ("first.txt", 1),
        ("second.txt", 2),
        ("third.txt", 3),
    ]
    assert sorted(stored_files(media)) == sorted(f.file.name for f in files)


def test_adding_and_removing_some_files(alice, media, django_capture_on_commit_callbacks):
    created = post(alice, attachments=[upload("a.txt"), upload("b.txt")])
    a, b = created.attachments.order_by("id")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_post(
            alice.user,
            alice.team_id,
            created.pk,
            attachments=[upload("c.txt")],
            remove_attachments=[a.pk],
        )
    assert [f.name for f in created.attachments.order_by("id")] == ["b.txt", "c.txt"]
    assert not (media / a.file.name).exists()
    assert (media / b.file.name).exists()


def test_removing_a_file_of_another_post_is_refused(alice, media):
    mine = post(alice, attachments=[upload("a.txt")])
    other = post(alice, attachments=[upload("b.txt")])
    theirs = other.attachments.get()
    with pytest.raises(Invalid) as info:
        services.update_post(alice.user, alice.team_id, mine.pk, remove_attachments=[theirs.pk])
    assert "remove_attachments" in info.value.errors
    assert other.attachments.count() == 1


@pytest.mark.parametrize("junk", [["x"], [True], [None], "abc", [1.5]])
def test_junk_file_ids_are_refused(alice, junk):
    mine = post(alice)
    with pytest.raises(Invalid) as info:
        services.update_post(alice.user, alice.team_id, mine.pk, remove_attachments=junk)
    assert "remove_attachments" in info.value.errors


def test_at_most_ten_files_per_post(alice, media):
    with pytest.raises(Invalid) as info:
        post(alice, attachments=[upload(f"{i}.txt") for i in range(11)])
    assert "attachments" in info.value.errors
    assert not Post.objects.exists()
    created = post(alice, attachments=[upload(f"{i}.txt") for i in range(10)])
    with pytest.raises(Invalid):
        services.update_post(alice.user, alice.team_id, created.pk, attachments=[upload()])
    assert created.attachments.count() == 10
    assert len(stored_files(media)) == 10


def test_one_file_too_large_refuses_them_all(settings, alice, media):
    settings.TEAMMOA_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(Invalid) as info:
        post(alice, attachments=[upload("ok.txt", b"x"), upload("big.txt", b"x" * 11)])
    assert "big.txt" in info.value.errors["attachments"][0]
    assert not Post.objects.exists()
    assert stored_files(media) == []
