"""Language and the small things every page leans on (issue 15, "Onboarding and
language"): the switcher applies a mouse choice at once, a keyboard choice on Enter (and
still works by keyboard without JavaScript), Korean wraps between words, the icon is never
a 404, and the API docs load from the site itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect
from support import world
from support.stack import Stack


@pytest.fixture(scope="module")
def lang_world(stack: Stack) -> tuple[dict[str, world.Person], dict[str, world.Team]]:
    return world.make(
        stack,
        [("eunji", "Eunji")],
        {"typo": {"title": "마인드맵 연구회", "host": "eunji", "members": []}},
    )


def _heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).first.inner_text()


def test_the_language_applies_at_once_by_mouse_and_on_enter_by_keyboard(browsers):
    page, _ = browsers.open()
    page.goto("/accounts/login/")
    switcher = page.locator("form.language-switcher")
    # With JavaScript the choice itself applies: no button to press.
    expect(switcher.get_by_role("button")).to_be_hidden()

    page.get_by_label("Language").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="로그인")).to_be_visible()

    # By keyboard an arrow key only moves through the languages (WCAG 3.2.2, exploratory
    # testing #6: it switched at once and left the focus on the page); Enter applies the
    # choice, and the switcher has the focus again in the page that comes back.
    page.get_by_label("언어").focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(500)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(switcher.get_by_role("button", name="변경")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    expect(page.get_by_label("Language")).to_be_focused()
    expect(switcher.get_by_role("button")).to_be_hidden()

    # Or the button, reached with Tab and pressed with Space.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(switcher.get_by_role("button", name="Change")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_label("언어")).to_be_focused()


def test_without_javascript_the_switcher_works_by_keyboard(browsers):
    page, _ = browsers.open(java_script_enabled=False)
    page.goto("/")
    select = page.get_by_label("Language")
    select.focus()
    page.keyboard.press("ArrowDown")  # English -> 한국어; nothing happens yet
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.keyboard.press("Tab")
    expect(page.locator("form.language-switcher").get_by_role("button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ko")


def test_korean_wraps_between_words_on_a_phone(browsers, lang_world):
    people, teams = lang_world
    page, _ = browsers.open(people["eunji"], lang="ko", viewport="phone")
    page.goto(f"/teams/{teams['typo'].id}/")
    assert page.evaluate("() => getComputedStyle(document.body).wordBreak") == "keep-all"
    # Every word of the team's name and of each tab stays on one line.
    words: list[dict[str, Any]] = page.evaluate(
        """() => {
            const out = [];
            const targets = document.querySelectorAll(
                '.team-bar__title, .team-tabs__link, main h1, main h2, main .button');
            for (const el of targets) {
                const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    const re = /\\S+/g;
                    let m;
                    while ((m = re.exec(node.data))) {
                        const range = document.createRange();
                        range.setStart(node, m.index);
                        range.setEnd(node, m.index + m[0].length);
                        const tops = new Set(
                            [...range.getClientRects()].map(r => Math.round(r.top)));
                        out.push({word: m[0], lines: tops.size});
                    }
                }
            }
            return out;
        }"""
    )
    assert any(w["word"] == "마인드맵" for w in words), words
    broken = [w["word"] for w in words if w["lines"] > 1]
    assert not broken, f"words split over lines: {broken}"


def test_the_icon_is_served_everywhere(browsers, lang_world):
    people, teams = lang_world
    page, _ = browsers.open(people["eunji"])
    for path in ("/", f"/teams/{teams['typo'].id}/", "/api/docs/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")  # the docs fetch their schema
        href = page.locator("link[rel=icon]").first.get_attribute("href")
        assert href
        assert page.request.get(href).ok, (path, href)
    # Pages that name no icon (the admin, nginx's error pages): /favicon.ico answers too.
    response = page.goto("/favicon.ico")
    assert response is not None and response.ok
    assert response.url.endswith(".svg")
    assert "svg" in (response.headers.get("content-type") or "")


def test_the_api_docs_work_without_internet(browsers, base_url):
    page, monitor = browsers.open()
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", offline)
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("TeamMoa API"))).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert elsewhere == []
    # Under the site's own policy (a blocked inline script or style is a console error).
    csp = page.request.get("/api/docs/").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" not in csp and "'unsafe-inline'" not in csp.split("style-src-attr")[0]
    assert monitor.take() == []


def test_times_read_as_koreans_write_them(browsers):
    page, _ = browsers.open(lang="ko")
    page.goto("/")
    labels = page.evaluate(
        """async () => {
            const {clockLabel} = await import('/static/teammoa_core/js/dates.js');
            return [[0, 0], [9, 30], [12, 0], [15, 0], [24, 0]].map(([h, m]) => clockLabel(h, m));
        }"""
    )
    assert labels == ["오전 12시", "오전 9시 30분", "오후 12시", "오후 3시", "자정"]
    english = page.evaluate(
        """async () => {
            const {clockLabel} = await import('/static/teammoa_core/js/dates.js');
            return [clockLabel(9, 0, 'en'), clockLabel(24, 0, 'en')];
        }"""
    )
    assert english == ["09:00", "24:00"]
