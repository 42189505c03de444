"""One format per kind of date on every page, in the team's time zone: a post
header read "Dec. 8, 2026, 3:03 a.m. · edited 12/08/2026 3:03 a.m." and the Korean page
mixed "2026년 12월 8일 오전 3:03" with "2026. 12. 8. 오전 3:03"."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from teammoa.core import services
from teammoa.core.models import Post, PostComment
from teammoa.core.testing.factories import host_of, make_team

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 2026-12-07 18:03 UTC is 2026-12-08 03:03 in Asia/Seoul, the team's zone, a day later: the
# site's zone (UTC in these tests) or the reader's would show the 7th.
CREATED = datetime.datetime(2026, 12, 7, 18, 3, tzinfo=UTC)
EDITED = datetime.datetime(2026, 12, 7, 18, 40, tzinfo=UTC)
EXPECTED = {
    "en": ("Dec. 8, 2026, 3:03 a.m.", "Dec. 8, 2026, 3:40 a.m.", "Dec. 10, 2026"),
    "ko": ("2026년 12월 8일 오전 3:03", "2026년 12월 8일 오전 3:40", "2026년 12월 10일"),
}


@pytest.fixture
def team_with_a_post():
    team = make_team()
    team.timezone = "Asia/Seoul"
    team.save(update_fields=["timezone"])
    host = host_of(team).user
    post = services.create_post(host, team.pk, title="Kick-off notes", body="<p>Hello</p>")
    comment = services.create_comment(host, team.pk, post.pk, "Noted.")
    Post.objects.filter(pk=post.pk).update(created_at=CREATED, updated_at=EDITED)
    PostComment.objects.filter(pk=comment.pk).update(created_at=CREATED, updated_at=CREATED)
    todo = services.create_todo(host, team.pk, "Book a room", due_date="2026-12-10")
    client = Client()
    client.force_login(host)
    return team, post, todo, client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_post_and_comment_times_share_one_format(team_with_a_post, lang, settings):
    settings.TIME_ZONE = "UTC"
    team, post, _, client = team_with_a_post
    created, edited, _ = EXPECTED[lang]
    url = reverse("teammoa_core:post_detail", kwargs={"team": team.pk, "post": post.pk})
    page = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode())
    assert page.count(created) == 2, page  # the post and its comment
    assert edited in page, page
    listing = reverse("teammoa_core:post_list", kwargs={"team": team.pk})
    assert created in _text(client.get(listing, HTTP_ACCEPT_LANGUAGE=lang).content.decode())


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_due_dates_use_the_day_format(team_with_a_post, lang, settings):
    settings.TIME_ZONE = "UTC"
    team, _, _, client = team_with_a_post
    day = EXPECTED[lang][2]
    board = reverse("teammoa_core:todo_board", kwargs={"team": team.pk})
    assert day in _text(client.get(board, HTTP_ACCEPT_LANGUAGE=lang).content.decode())


# A format a person reads goes through core's shown_datetime / shown_date filters; what the
# `date` filter may still write is for machines (ISO dates, timestamps) or the timeline's
# compact day labels, which match its script's.
MACHINE_FORMATS = {"'c'", '"c"', "'U'", '"U"', "'Y-m-d'", '"Y-m-d"', '_("M j")', "_('M j')"}


def test_templates_show_dates_only_through_the_shared_filters():
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith(("teammoa", "teammoa_site")):
            continue
        for template in Path(config.path).glob("templates/**/*.html"):
            for match in re.finditer(
                r"\|date:(_\([\"'][^\"']*[\"']\)|[\"'][^\"']*[\"']|\w+)", template.read_text()
            ):
                if match.group(1) not in MACHINE_FORMATS:
                    found.append(f"{template.name}: |date:{match.group(1)}")
    assert not found, found
