"""Property tests for every stored text field, through the live API (and the socket).

Any Unicode string sent to a text field is either stored and read back exactly as
``teammoa.core.text.check_text`` cleans it (blanks stripped from both ends, line breaks
normalised in multi-line fields; docs/text-input.md), or refused with a 400 naming that
field. Never a 5xx, never a different value read back.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests
from conftest import FIGURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from known import field_param, known_request
from live import PROXY_HEADERS, Live

EXAMPLES = int(os.environ.get("TEAMMOA_FUZZ_TEXT_EXAMPLES", "40"))


@dataclass(frozen=True)
class TextField:
    """One stored text field: how to write it, how to read it back, its cleaner's rules."""

    name: str  # "<object>.<field>"
    method: str
    write: Callable[[dict[str, Any]], str]  # world -> URL
    read: Callable[[dict[str, Any], Any], str] | None  # (world, written body) -> URL to GET
    field: str
    max_length: int
    multiline: bool = False
    min_length: int = 1
    strip: bool = True
    extra: tuple[tuple[str, Any], ...] = ()
    # Titles unique per team: a variant MySQL's collation calls equal may be refused.
    unique: bool = False
    pick: Callable[[Any, dict[str, Any], Any], Any] | None = None  # read-back extractor


def _api(world: dict[str, Any], path: str) -> str:
    return f"/api/v1/teams/{world['teams']['main']}/{path}"


def _main(world: dict[str, Any], kind: str) -> int:
    return world["content"]["main"][kind][0]


def _map(world: dict[str, Any]) -> int:
    return world["mindmaps"]["main2"]["id"]


def _node(world: dict[str, Any]) -> int:
    return world["mindmaps"]["main2"]["nodes"][-1]


def _team_url(world: dict[str, Any], body: Any = None) -> str:
    return f"/api/v1/teams/{world['teams']['main']}/"


def _milestone(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"milestones/{_main(world, 'milestones')}/")


def _todo(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"todos/{_main(world, 'todos')}/")


def _post(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"posts/{_main(world, 'posts')}/")


def _meeting(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"schedule/meetings/{world['text_meeting']}/")


def _mindmap(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"mindmaps/{_map(world)}/")


def _node_url(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"mindmaps/{_map(world)}/nodes/{_node(world)}/")


def _comments(world: dict[str, Any], body: Any = None) -> str:
    return _api(world, f"mindmaps/{_map(world)}/nodes/{_node(world)}/comments/")


def _node_in_snapshot(snapshot: Any, world: dict[str, Any], field: str) -> Any:
    (node,) = [n for n in snapshot["nodes"] if n["id"] == _node(world)]
    return node[field]


def _comment_in_list(page: Any, created: Any, field: str) -> Any:
    rows = page["results"] if isinstance(page, dict) and "results" in page else page
    (comment,) = [c for c in rows if c["id"] == created["id"]]
    return comment[field]


FIELDS = [
    TextField("team.title", "PATCH", _team_url, _team_url, "title", 64),
    TextField("team.introduction", "PATCH", _team_url, _team_url, "introduction", 2000, True, 0),
    TextField("milestone.title", "PATCH", _milestone, _milestone, "title", 100),
    TextField(
        "milestone.description", "PATCH", _milestone, _milestone, "description", 5000, True, 0
    ),
    TextField("todo.content", "PATCH", _todo, _todo, "content", 500),
    TextField("post.title", "PATCH", _post, _post, "title", 100),
    TextField("meeting.title", "PATCH", _meeting, _meeting, "title", 100),
    TextField("meeting.place", "PATCH", _meeting, _meeting, "place", 200, False, 0),
    TextField("meeting.notes", "PATCH", _meeting, _meeting, "notes", 2000, True, 0),
    TextField(
        "mindmap.title",
        "PATCH",
        _mindmap,
        _mindmap,
        "title",
        64,
        unique=True,
        pick=lambda got, _world, _body: got["mindmap"]["title"],  # the snapshot
    ),
    TextField(
        "node.title",
        "PATCH",
        _node_url,
        _mindmap,
        "title",
        64,
        pick=lambda got, world, _body: _node_in_snapshot(got, world, "title"),
    ),
    TextField(
        "node.content",
        "PATCH",
        _node_url,
        _mindmap,
        "content",
        10_000,
        True,
        0,
        strip=False,  # a note keeps its indentation and blank lines
        pick=lambda got, world, _body: _node_in_snapshot(got, world, "content"),
    ),
    TextField(
        "comment.text",
        "POST",
        _comments,
        _comments,
        "text",
        2000,
        True,
        pick=lambda got, _world, created: _comment_in_list(got, created, "text"),
    ),
]


@pytest.fixture(scope="module")
def api(live: Live) -> requests.Session:
    session = requests.Session()
    session.headers.update(
        {**PROXY_HEADERS, "Authorization": f"Token {live.world['token']['member']}"}
    )
    return session


def _call(api: requests.Session, live: Live, method: str, path: str, **kwargs: Any) -> Any:
    response = api.request(method, live.base_url + path, timeout=30, **kwargs)
    FIGURES["text requests"] += 1
    if response.status_code >= 500:
        FIGURES["text responses >= 500"] += 1
        if known_request("server_error", method, path):
            FIGURES["text known server errors"] += 1
    return response


@pytest.mark.parametrize("spec", [field_param(spec.name, spec) for spec in FIELDS])
def test_text_field_stores_or_refuses(spec: TextField, live: Live, api: requests.Session) -> None:
    from teammoa.core.testing.text import any_text, expected_text

    world = live.world
    rules = {
        "max_length": spec.max_length,
        "min_length": spec.min_length,
        "multiline": spec.multiline,
        "strip": spec.strip,
    }

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=st.one_of(any_text(), any_text(max_size=spec.max_length + 5)))
    def property_(value: str) -> None:
        FIGURES["text hypothesis cases"] += 1
        # What the server decodes: JSON joins an escaped surrogate pair into one character.
        expected = expected_text(json.loads(json.dumps(value)), **rules)
        body = {spec.field: value, **dict(spec.extra)}
        response = _call(api, live, spec.method, spec.write(world), json=body)
        shown = f"{spec.method} {spec.write(world)} {body!r} -> {response.status_code}"
        assert response.status_code < 500, f"{shown}: {response.text[:500]}"
        if response.status_code == 400:
            errors = response.json()
            assert spec.field in errors, f"{shown}: the error names no field: {errors}"
            assert expected is None or spec.unique, f"{shown}: refused a valid text: {errors}"
            return
        assert response.status_code in (200, 201), f"{shown}: {response.text[:500]}"
        assert expected is not None, f"{shown}: stored a text that must be refused"
        created = response.json()
        got = _call(api, live, "GET", spec.read(world, created))
        assert got.status_code == 200, got.text[:500]
        data = got.json()
        stored = spec.pick(data, world, created) if spec.pick else data[spec.field]
        assert stored == expected, f"{shown}: read back {stored!r}, expected {expected!r}"

    property_()


# --- the site's own text fields: the profile form (no API; a page, as a person uses it) ---

PROFILE_FIELDS = {
    "profile.nickname": ("nickname", {"max_length": 20, "min_length": 2}),
    "profile.bio": ("bio", {"max_length": 300, "min_length": 0, "multiline": True}),
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _form_value(value: str) -> str:
    """What the server decodes from a form post: UTF-8, an unpaired surrogate replaced."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


@pytest.mark.parametrize("name", [field_param(name) for name in PROFILE_FIELDS])
def test_profile_text_is_stored_or_refused(name: str, live: Live) -> None:
    from teammoa.core.testing.text import any_text, expected_text

    field, rules = PROFILE_FIELDS[name]
    world = live.world
    origin = f"https://127.0.0.1:{live.port}"
    url = f"{live.base_url}/accounts/profile/"
    session = requests.Session()
    session.headers.update({**PROXY_HEADERS, "Origin": origin, "Referer": f"{origin}/"})
    cookies = {"sessionid": world["session"]["member"]}

    def current() -> dict[str, str]:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=world["users"]["member"])
        return {"nickname": user.nickname, "bio": user.bio}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=any_text(max_size=rules["max_length"] + 5))
    def property_(value: str) -> None:
        FIGURES["text hypothesis cases"] += 1
        page = session.get(url, cookies=cookies, timeout=30)
        FIGURES["text requests"] += 1
        assert page.status_code == 200, page.status_code
        token = CSRF_INPUT.search(page.text).group(1)
        csrf_cookie = page.cookies.get("csrftoken") or session.cookies.get("csrftoken")
        data = {**current(), field: value, "csrfmiddlewaretoken": token}
        body = "&".join(
            f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in data.items()
        )
        response = session.post(
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            cookies={**cookies, "csrftoken": csrf_cookie or ""},
            allow_redirects=False,
            timeout=30,
        )
        FIGURES["text requests"] += 1
        expected = expected_text(_form_value(value), **rules)
        shown = f"{field}={value!r} -> {response.status_code}"
        assert response.status_code in (200, 302), f"{shown}: {response.text[:300]}"
        if response.status_code == 200:
            assert f'id="id_{field}_error"' in response.text, f"{shown}: no error by the field"
            assert expected is None, f"{shown}: refused a valid text"
            return
        assert expected is not None, f"{shown}: stored a text that must be refused"
        assert current()[field] == expected, f"{shown}: stored {current()[field]!r}"

    property_()
