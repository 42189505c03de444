"""Comments on posts: members write, authors edit and delete their own, the host deletes
any; other teams see nothing."""

from __future__ import annotations

import pytest

from teammoa.core import services
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.models import PostComment
from teammoa.core.testing.factories import host_of, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def alice(member):
    return member


@pytest.fixture
def bob(member2):
    return member2


@pytest.fixture
def a_post(alice):
    return services.create_post(alice.user, alice.team_id, title="Plan", body="<p>Hi</p>")


def comment(member, a_post, text="Looks good"):
    return services.create_comment(member.user, member.team_id, a_post.pk, text)


def test_members_comment_and_read_in_order(alice, bob, a_post):
    comment(alice, a_post, "first")
    comment(bob, a_post, "두 번째\nline two")
    listed = list(services.comments_of(bob.user, bob.team_id, a_post.pk))
    assert [(c.author_id, c.text) for c in listed] == [
        (alice.pk, "first"),
        (bob.pk, "두 번째\nline two"),
    ]


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "bad\x00char", 12, None])
def test_bad_text_is_refused(alice, a_post, text):
    with pytest.raises(Invalid) as info:
        comment(alice, a_post, text)
    assert "text" in info.value.errors
    assert not PostComment.objects.exists()


def test_author_edits_own_and_nobody_else_does(alice, bob, host, a_post):
    mine = comment(bob, a_post)
    edited = services.update_comment(bob.user, bob.team_id, a_post.pk, mine.pk, "Edited")
    assert edited.text == "Edited"
    for other in (alice, host):
        with pytest.raises(Forbidden):
            services.update_comment(other.user, other.team_id, a_post.pk, mine.pk, "nope")
    assert PostComment.objects.get(pk=mine.pk).text == "Edited"


def test_author_or_host_deletes(alice, bob, host, a_post):
    first, second = comment(bob, a_post), comment(bob, a_post)
    with pytest.raises(Forbidden):
        services.delete_comment(alice.user, alice.team_id, a_post.pk, first.pk)
    services.delete_comment(bob.user, bob.team_id, a_post.pk, first.pk)
    services.delete_comment(host.user, host.team_id, a_post.pk, second.pk)
    assert not PostComment.objects.exists()


def test_other_teams_get_not_found(alice, a_post):
    stranger = host_of(make_team())
    mine = comment(alice, a_post)
    with pytest.raises(NotFound):
        services.comments_of(stranger.user, alice.team_id, a_post.pk)
    with pytest.raises(NotFound):
        comment(stranger, a_post)
    # Their own team id with our post id: still not found.
    with pytest.raises(NotFound):
        services.create_comment(stranger.user, stranger.team_id, a_post.pk, "hi")
    with pytest.raises(NotFound):
        services.delete_comment(stranger.user, stranger.team_id, a_post.pk, mine.pk)


def test_a_comment_id_of_another_post_is_not_found(alice, a_post):
    other = services.create_post(alice.user, alice.team_id, title="Other")
    theirs = comment(alice, other)
    with pytest.raises(NotFound):
        services.update_comment(alice.user, alice.team_id, a_post.pk, theirs.pk, "x")


def test_comments_go_with_the_post_and_stay_when_the_author_leaves(alice, bob, a_post):
    comment(bob, a_post)
    services.leave_team(bob.user, bob.team_id)
    kept = PostComment.objects.get()
    assert kept.author_id is None
    services.delete_post(alice.user, alice.team_id, a_post.pk)
    assert not PostComment.objects.exists()
