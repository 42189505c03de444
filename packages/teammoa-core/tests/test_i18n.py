"""Korean translations of core: the catalogs ship, services and pages speak Korean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog

import teammoa.core
from teammoa.core import services
from teammoa.core.errors import Invalid, NotFound
from teammoa.core.models import MilestoneStatus, Role
from teammoa.core.testing.factories import TEAM_PASSWORD, host_of, make_team, make_user

PACKAGE_DIR = Path(teammoa.core.__file__).resolve().parent
KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture(autouse=True)
def _keep_the_active_language():
    """LocaleMiddleware leaves the request's language active in the test's thread; put
    the previous one back so later tests still run in English."""
    before = translation.get_language()
    yield
    if before is None:
        translation.deactivate_all()
    else:
        translation.activate(before)


def url(name: str, **kwargs: object) -> str:
    return reverse(f"teammoa_core:{name}", kwargs=kwargs or None)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --- the catalogs --------------------------------------------------------------------------


def test_the_compiled_catalogs_ship_with_the_package():
    messages = PACKAGE_DIR / "locale" / "ko" / "LC_MESSAGES"

    assert (messages / "django.mo").is_file()
    assert (messages / "djangojs.mo").is_file()


def test_core_strings_in_korean():
    with translation.override("ko"):
        assert gettext("Todos") == "할 일"
        assert gettext("My teams") == "내 팀"
        assert str(Role.HOST.label) == "호스트"
        assert str(MilestoneStatus.OVERDUE.label) == "기한 초과"
    with translation.override("en"):
        assert gettext("Todos") == "Todos"


def test_default_domain_error_messages_follow_the_active_language():
    error = NotFound()  # made before any language is chosen, shown in the reader's

    with translation.override("ko"):
        assert str(error.message) == "찾을 수 없습니다."
    with translation.override("en"):
        assert str(error.message) == "Not found."


@pytest.mark.django_db
def test_service_errors_in_korean():
    team = make_team()
    user = make_user()

    with translation.override("ko"), pytest.raises(Invalid) as wrong:
        services.join_team(user, team.invite_code, "not-the-password")
    assert str(wrong.value.message) == "초대 코드나 비밀번호가 틀렸습니다."

    with translation.override("ko"), pytest.raises(Invalid) as invalid:
        services.create_team(user, title="", password=TEAM_PASSWORD)
    assert invalid.value.errors["title"] == ["비워 둘 수 없습니다."]


def test_every_javascript_message_is_translated():
    """Each ``gettext("…")`` literal of the page scripts is in the compiled JS catalog
    (a message built some other way would never reach makemessages)."""
    catalog = DjangoTranslation("ko", domain="djangojs")
    marked = re.compile(r'gettext\("((?:[^"\\]|\\.)*)"\)')
    string = re.compile(r'"((?:[^"\\]|\\.)*)"')
    sources = [
        script.read_text(encoding="utf-8")
        for script in (PACKAGE_DIR / "static" / "teammoa_core" / "js").glob("*.js")
    ]
    plural = re.compile(r'ngettext\("((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"')
    plurals = {pair for source in sources for pair in plural.findall(source)}
    found = {message for source in sources for message in marked.findall(source)}

    assert len(found) > 30
    assert sorted(m for m in found if catalog.gettext(m) == m) == []
    assert sorted(p for p in plurals if catalog.ngettext(*p, 2) == p[1]) == []
    found |= {message for pair in plurals for message in pair}
    # A format with placeholders outside gettext("…") is a message makemessages misses.
    formats = {s for source in sources for s in string.findall(source) if "%(" in s}
    assert sorted(formats - found) == []


def test_javascript_catalog_in_korean(rf):
    view = JavaScriptCatalog.as_view(packages=["teammoa.core"])

    with translation.override("ko"):
        body = view(rf.get("/jsi18n/")).content.decode()

    # JSON inside the script: the Korean text is \u-escaped.
    pair = f"{json.dumps('Copied to the clipboard.')}: {json.dumps('클립보드에 복사했습니다.')}"
    assert pair in body


# --- pages through the test client ------------------------------------------------------


@pytest.mark.django_db
def test_pages_follow_the_browser_language(client):
    client.force_login(make_user())

    korean = client.get(url("team_list"), **KO).content.decode()
    english = client.get(url("team_list")).content.decode()

    assert html_lang(korean) == "ko"
    assert title(korean) == "내 팀 · TeamMoa"
    assert "아직 속한 팀이 없습니다" in korean
    assert html_lang(english) == "en"
    assert title(english) == "My teams · TeamMoa"


@pytest.mark.django_db
def test_join_error_on_the_page_in_korean(client):
    team = make_team()
    client.force_login(make_user())

    response = client.post(
        url("team_join"), {"invite_code": team.invite_code, "password": "nope"}, **KO
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert title(html) == "팀 참여하기 · TeamMoa"
    assert "초대 코드나 비밀번호가 틀렸습니다." in html  # the service's message
    assert '<label for="id_password">참여 비밀번호</label>' in html  # the form's label


@pytest.mark.django_db
def test_team_home_in_korean(client):
    team = make_team(title="Rocket crew", members=1)
    host = host_of(team).user
    services.create_milestone(
        host, team.pk, title="Launch", start_date="2026-03-02", end_date="2026-03-13"
    )
    client.force_login(host)

    html = client.get(url("team_home", team=team.pk), **KO).content.decode()

    tabs = re.findall(r'class="team-tabs__link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>', html)
    assert tabs == ["홈", "할 일", "게시판"]
    assert "멤버 2/10명" in html  # the plural form
    assert "호스트로 참여 중" in html
    assert "새 초대 코드와 링크 만들기" in html
    # A translated date format, each date kept whole (it never wraps inside).
    assert (
        '<span data-dates><span class="date">3월 2일</span> – <span class="date">3월 13일</span>'
        in html
    )
    ticks = re.findall(r'class="timeline__tick"[^>]*>([^<]+)</span>', html)
    assert ticks and all(re.fullmatch(r"\d+월 \d+일|\d+년 \d+월|\d+월", t) for t in ticks)


@pytest.mark.django_db
def test_flash_messages_in_korean(client):
    client.force_login(make_user())

    response = client.post(
        url("team_create"),
        {"title": "Moa", "password": TEAM_PASSWORD, "max_members": 5, "timezone": "Asia/Seoul"},
        follow=True,
        **KO,
    )

    assert response.status_code == 200
    assert "팀이 준비되었습니다. 초대 링크로 사람들을 초대하세요." in (response.content.decode())
