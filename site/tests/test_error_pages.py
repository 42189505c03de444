"""The site's 400/403/404/500 pages: in the site's look, in the visitor's language, the
403 page with the reason the view gave, each with a way back. API answers stay JSON.
Found by exploratory testing: a host opening a member's post edit page got an unstyled
English "403 Forbidden" without the translated reason core raised."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from teammoa.core import services
from teammoa.core.testing.factories import add_member, make_team, make_user

pytestmark = pytest.mark.django_db

STYLESHEET = "teammoa_core/css/base.css"


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


@pytest.fixture
def members_post():
    team = make_team()
    host = team.memberships.get().user
    member = add_member(team, user=make_user()).user
    post = services.create_post(member, team.pk, title="Plan", body="<p>Hi</p>")
    return team, host, post


def test_403_shows_the_translated_reason_in_the_site_look(client, members_post):
    team, host, post = members_post
    client.force_login(host)

    response = client.get(f"/teams/{team.pk}/posts/{post.pk}/edit/", HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="ko"' in page
    assert STYLESHEET in page
    assert "작성자만 이 게시글을 수정할 수 있습니다." in page
    assert "팀으로 돌아가기" in page
    assert f'href="/teams/{team.pk}/"' in page
    assert 'class="site-header"' in page


def test_403_of_a_host_only_page_in_english(client, members_post):
    team, host, _post = members_post
    member = team.memberships.exclude(user=host).get().user
    client.force_login(member)

    response = client.get(f"/teams/{team.pk}/settings/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You can't do this here" in page
    assert "Only the team&#x27;s host can do this." in page
    assert "Back to the team" in page


def test_404_for_a_former_member_points_to_my_teams(client, members_post):
    team, _host, _post = members_post
    client.force_login(make_user())

    for language, heading, link in (
        ("en", "We can't find this page", "My teams"),
        ("ko", "페이지를 찾을 수 없습니다", "내 팀"),
    ):
        response = client.get(f"/teams/{team.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        assert response.status_code == 404
        assert f'<html lang="{language}"' in page
        assert STYLESHEET in page
        assert heading in page
        assert f'href="/teams/">{link}</a>' in page


@pytest.mark.urls("tests.urls_failing")
def test_500_is_a_styled_page_in_the_visitors_language(client):
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="ko"' in page
    assert STYLESHEET in page
    assert "문제가 생겼습니다" in page


def test_500_and_400_pages_need_no_request_and_no_database():
    for name in ("500.html", "400.html"):
        with translation.override("ko"), CaptureQueriesContext(connection) as queries:
            page = loader.get_template(name).render()
        assert not queries.captured_queries
        assert '<html lang="ko"' in page
        assert STYLESHEET in page
        assert 'href="/"' in page


def test_400_is_the_sites_page(client):
    response = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 400
    assert STYLESHEET in response.content.decode()


def test_the_api_still_answers_json(client, members_post):
    team, host, _post = members_post
    member = team.memberships.exclude(user=host).get().user
    client.force_login(member)

    forbidden = client.post(f"/api/v1/teams/{team.pk}/invite-code/")
    client.force_login(make_user())
    missing = client.get(f"/api/v1/teams/{team.pk}/")

    assert forbidden.status_code == 403
    assert forbidden["Content-Type"].startswith("application/json")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "This form could not be sent"), ("ko", "양식을 보낼 수 없습니다")],
)
def test_a_form_without_its_csrf_token_gets_the_sites_page(language, heading, members_post):
    """A form sent from a tab opened before the last sign-in (its token is stale): the
    site's page in the visitor's language saying what to do, not Django's English one."""
    from django.test import Client

    team, host, post = members_post
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(host)

    response = browser.post(
        f"/teams/{team.pk}/posts/{post.pk}/comments/",
        {"text": "Hello"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert heading in html
    assert STYLESHEET in html
    assert "CSRF" not in html
    assert post.comments.count() == 0
