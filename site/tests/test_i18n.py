"""Korean pages: chosen from the browser's language or the switcher, and complete catalogs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

from tests.accounts_support import Page

ROOT = Path(__file__).resolve().parents[2]
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


def html_lang(response) -> str:
    return Page(response.content).find_all("html")[0].attrs["lang"]


def text_of(response) -> str:
    """The page's text with whitespace collapsed (blocktranslate trims, HTML wraps)."""
    return " ".join(Page(response.content).root.text.split())


# --- pages in Korean ----------------------------------------------------------------------


@pytest.mark.django_db
def test_landing_page_follows_the_browser_language(client):
    response = client.get("/", **KO)

    assert response.status_code == 200
    assert html_lang(response) == "ko"
    text = text_of(response)
    assert "프로젝트 팀의 모든 것을 한곳에서." in text  # the site's own catalog
    assert "본문으로 건너뛰기" in text  # core's layout
    assert "Your project team, in one place." not in text


@pytest.mark.django_db
def test_landing_page_stays_english_without_a_preference(client):
    response = client.get("/")

    assert html_lang(response) == "en"
    assert "Your project team, in one place." in text_of(response)


@pytest.mark.django_db
def test_login_page_in_korean(client):
    response = client.get("/accounts/login/", **KO)

    assert response.status_code == 200
    assert html_lang(response) == "ko"
    text = text_of(response)
    assert "회원가입" in text  # our header ("Sign up")
    assert "로그인" in text  # allauth's own catalog and ours
    assert "Sign In" not in text and "Skip to content" not in text


@pytest.mark.django_db
def test_signup_page_in_korean(client):
    response = client.get("/accounts/signup/", **KO)

    assert response.status_code == 200
    page = Page(response.content)
    labels = [" ".join(label.text.split()) for label in page.find_all("label")]
    assert "닉네임" in labels  # our sign-up field
    assert "2–20자이며, 팀원들에게 보입니다." in text_of(response)
    assert "Nickname" not in labels


@pytest.mark.django_db
def test_signup_errors_in_korean(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "bad name!",
            "email": "kim@example.com",
            "nickname": "x",
            "password1": "quiet-harbour-lantern-42",
            "password2": "quiet-harbour-lantern-42",
        },
        **KO,
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "영문자, 숫자와 . _ - 문자만 쓸 수 있습니다." in text
    assert "아래 표시된 항목을 고쳐 주세요:" in text


@pytest.mark.django_db
def test_the_reserved_username_prefix_is_explained_in_korean(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "deleted-1",
            "email": "kim@example.com",
            "nickname": "김철수",
            "password1": "quiet-harbour-lantern-42",
            "password2": "quiet-harbour-lantern-42",
        },
        **KO,
    )

    assert response.status_code == 200
    text = text_of(response)
    assert "“deleted-” 접두사가 붙은 이름은 탈퇴한 계정에 쓰이므로 고를 수 없습니다." in text


def test_javascript_catalog_serves_korean(client):
    response = client.get("/jsi18n/", **KO)

    assert response.status_code == 200
    body = response.content.decode()
    # The catalog is JSON inside the script: non-ASCII text is \u-escaped.
    for english, korean in [
        ("Copied to the clipboard.", "클립보드에 복사했습니다."),  # core
        ("“%(todo)s” moved to %(column)s.", "“%(todo)s” 할 일을 %(column)s 열로 옮겼습니다."),
        ("Saved as your usual week.", "평소 일정으로 저장했습니다."),  # schedule
    ]:
        assert f"{json.dumps(english)}: {json.dumps(korean)}" in body
    assert "const v = 0;" in body  # Korean's one plural form


def test_javascript_catalog_in_english_has_no_korean(client):
    body = client.get("/jsi18n/").content.decode()

    assert json.dumps("클립보드에 복사했습니다.") not in body


@pytest.mark.django_db
def test_language_switcher_switches_the_next_page(client):
    assert html_lang(client.get("/")) == "en"

    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies["django_language"].value == "ko"
    page = client.get("/")
    assert html_lang(page) == "ko"
    assert "프로젝트 팀의 모든 것을 한곳에서." in text_of(page)
    # The switcher itself: Korean selected, labelled in Korean.
    switcher = Page(page.content)
    selected = [o for o in switcher.find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["ko"]
    assert "언어" in [" ".join(label.text.split()) for label in switcher.find_all("label")]

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert html_lang(client.get("/")) == "en"


@pytest.mark.django_db
def test_language_switcher_is_on_every_page(client):
    page = Page(client.get("/accounts/login/").content)

    forms = [f for f in page.find_all("form") if f.attrs.get("action") == "/i18n/setlang/"]
    assert len(forms) == 1
    values = [o.attrs["value"] for o in page.find_all("option") if o.attrs.get("lang")]
    assert values == ["en", "ko"]


# --- the catalogs -------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def catalogs() -> list[Path]:
    found = []
    for top in ("packages", "site"):
        for po in sorted((ROOT / top).rglob("locale/*/LC_MESSAGES/*.po")):
            if not {".venv", ".nox", "build", "dist"}.intersection(po.relative_to(ROOT).parts):
                found.append(po)
    return found


def test_the_catalogs_are_found():
    names = {str(po.relative_to(ROOT)) for po in catalogs()}

    assert {
        "packages/teammoa-core/src/teammoa/core/locale/ko/LC_MESSAGES/django.po",
        "packages/teammoa-core/src/teammoa/core/locale/ko/LC_MESSAGES/djangojs.po",
        "packages/teammoa-schedule/src/teammoa/schedule/locale/ko/LC_MESSAGES/django.po",
        "site/teammoa_site/locale/ko/LC_MESSAGES/django.po",
    } <= names


@pytest.mark.parametrize("po_path", catalogs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete(po_path: Path):
    catalog = polib.pofile(str(po_path))
    language = po_path.parts[-3]

    assert catalog.metadata.get("Language") == language
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")
    if language == "ko":
        assert catalog.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"
    assert not catalog.metadata_is_fuzzy
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    for entry in catalog.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_edit_is_sujeong_even_where_allauth_says_byeongyeong():
    """allauth (earlier in INSTALLED_APPS) translates "Edit" as "변경"; the site says "수정"."""
    from django.utils import translation

    with translation.override("ko"):
        assert translation.gettext("Edit") == "수정"


# --- the catalogs hold what the sources say -------------------------------------------------

# Where each catalog's messages live and the settings makemessages needs there (the recipe
# of docs/translations.md): the app directory, the path that imports it, the settings.
CATALOG_SOURCES = {
    "teammoa-core": (
        "packages/teammoa-core/src/teammoa/core",
        "packages/teammoa-core",
        "tests.settings",
    ),
    "teammoa-schedule": (
        "packages/teammoa-schedule/src/teammoa/schedule",
        "packages/teammoa-schedule",
        "tests.settings",
    ),
    "teammoa-mindmap": (
        "packages/teammoa-mindmap/src/teammoa/mindmap",
        "packages/teammoa-mindmap",
        "tests.settings",
    ),
    "site": ("site/teammoa_site", "site", "teammoa_site.settings.dev"),
}


RECIPE = ("--no-location", "--no-wrap", "--no-obsolete")  # docs/translations.md's options


def extracted_messages(
    source: str, path: str, settings: str, tmp_path: Path
) -> dict[str, set[str]]:
    """Run docs/translations.md's makemessages over a copy of ``source``; msgids per domain."""
    copy = tmp_path / Path(source).name
    shutil.copytree(ROOT / source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / path), str(ROOT / "site")]),
        "DJANGO_SETTINGS_MODULE": settings,
    }
    env.pop("DATABASE_URL", None)
    found = {}
    for domain in ("django", "djangojs"):
        po = copy / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po"
        if not po.exists():
            continue
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "ko", "-d", domain, *RECIPE],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        found[domain] = {e.msgid for e in polib.pofile(str(po)) if e.msgid}
    return found


@pytest.mark.parametrize("name", sorted(CATALOG_SOURCES))
def test_every_message_of_the_sources_is_in_the_committed_catalog(name, tmp_path):
    """makemessages run as docs/translations.md says neither adds nor drops a message: a
    string marked in a way xgettext does not see (``_lazy = gettext_lazy``) would otherwise
    stay in the catalog from an earlier run and vanish at the next, and a new string that
    nobody extracted would show in English on a Korean page."""
    source, path, settings = CATALOG_SOURCES[name]
    committed = {
        po.stem: {e.msgid for e in polib.pofile(str(po)) if e.msgid}
        for po in (ROOT / source / "locale" / "ko" / "LC_MESSAGES").glob("*.po")
    }

    extracted = extracted_messages(source, path, settings, tmp_path)

    assert set(extracted) == set(committed)
    for domain, messages in extracted.items():
        assert sorted(committed[domain] - messages) == [], f"{domain}: no longer in the sources"
        assert sorted(messages - committed[domain]) == [], f"{domain}: not in the catalog"
