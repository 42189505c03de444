"""Fixtures of the browser suite: the production stack, Chromium, and people in it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from support import world
from support.browser import LOCALES, VIEWPORTS, Monitor
from support.stack import HOST, Stack, running_stack

CHROMIUM = os.environ.get("TEAMMOA_CHROMIUM", "/usr/bin/chromium")


def _required() -> bool:
    return os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    missing = [tool for tool in ("nginx",) if not shutil.which(tool)]
    if not Path(CHROMIUM).exists():
        missing.append(CHROMIUM)
    if missing:
        reason = f"missing: {', '.join(missing)}"
        if _required():
            pytest.fail(reason + " (TEAMMOA_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def base_url(stack: Stack) -> str:
    return stack.base_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded browser build.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "base_url": base_url,
        # The throwaway certificate; everything else is TLS as in production.
        "ignore_https_errors": True,
        "timezone_id": "Asia/Seoul",
    }


@pytest.fixture(autouse=True)
def _stack_alive(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "stack" in request.fixturenames:
        request.getfixturevalue("stack").check_running()


class Browsers:
    """Opens a browser context per person (signed in by their session cookie)."""

    def __init__(self, new_context: Callable[..., BrowserContext], base_url: str) -> None:
        self._new_context = new_context
        self._base_url = base_url
        self.monitors: list[Monitor] = []

    def open(
        self,
        person: world.Person | None = None,
        lang: str = "en",
        viewport: str = "desktop",
        **options: Any,
    ) -> tuple[Page, Monitor]:
        context = self._new_context(locale=LOCALES[lang], viewport=VIEWPORTS[viewport], **options)
        # A person gives up long before 30 s; so does a journey.
        context.set_default_timeout(10_000)
        if person is not None:
            sign_in(context, self._base_url, person)
        monitor = Monitor().attach(context)
        self.monitors.append(monitor)
        return context.new_page(), monitor

    def problems(self) -> list[str]:
        return [problem for monitor in self.monitors for problem in monitor.take()]


def sign_in(context: BrowserContext, base_url: str, person: world.Person) -> None:
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": person.session,
                "domain": HOST,
                "path": "/",
                "secure": True,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


@pytest.fixture
def browsers(new_context: Callable[..., BrowserContext], base_url: str) -> Iterator[Browsers]:
    """Each test's people; the test fails if any of their pages logged an error."""
    opened = Browsers(new_context, base_url)
    yield opened
    problems = opened.problems()
    assert not problems, "the pages reported problems:\n" + "\n".join(problems)


# Everyone the journeys need, made once (one Django start) for the whole session.
PEOPLE = [
    ("hana", "Hana"),
    ("jun", "Jun"),
    ("sora", "Sora"),
    ("tae", "Tae"),
    ("yuna", "Yuna"),
    ("minho", "Minho"),
    ("seo", "Seo"),
    ("ara", "Ara"),
    ("zed", "Zed"),
    ("kibo", "Kibo"),
    ("dami", "Dami"),
    ("eun", "Eun"),
    ("bomi", "Bomi"),
    ("chan", "Chan"),
    ("dana", "Dana"),
    ("hyun", "Hyun"),
    ("ivy", "Ivy"),
    ("woojin", "Woojin"),
]
TEAMS = {
    # Journey 2: a host alone; three people join through the pages.
    "newcomers": {"title": "Newcomers", "host": "hana", "members": []},
    # Journeys 3 to 6: a team of four.
    "moa": {"title": "Moa Crew", "host": "yuna", "members": ["minho", "seo", "ara"]},
    # Journey 9: a pair who agree on a meeting.
    "meetup": {"title": "Meetup", "host": "dami", "members": ["eun"]},
    # Journey 10: two teammates watching each other's changes live.
    "live": {"title": "Live Duo", "host": "bomi", "members": ["chan"]},
    # Journeys 5 and 6, issue 15's editing: a team of two of its own.
    "desk": {"title": "Desk", "host": "dana", "members": ["hyun"]},
    # A team its host disbands while a member has its todo board open.
    "doomed": {"title": "Short Lived", "host": "ivy", "members": ["woojin"]},
}


@pytest.fixture(scope="session")
def people_and_teams(stack: Stack) -> tuple[dict[str, world.Person], dict[str, world.Team]]:
    return world.make(stack, PEOPLE, TEAMS)


@pytest.fixture(scope="session")
def people(people_and_teams) -> dict[str, world.Person]:
    return people_and_teams[0]


@pytest.fixture(scope="session")
def teams(people_and_teams) -> dict[str, world.Team]:
    return people_and_teams[1]
