"""Hostile input on the mindmap REST API (issue 9): every bad request is a 400 naming the
problem, never a 500, and nothing is half-saved.

Run on SQLite and, in the ``services`` session, on MariaDB (whose utf8mb4 columns refuse
lone surrogates and whose collation calls "IDEAS" and "Ideas" one title).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient

from teammoa.core.testing.text import any_text, expected_text
from teammoa.mindmap.models import (
    COMMENT_TEXT_MAX,
    MINDMAP_TITLE_MAX,
    NODE_CONTENT_MAX,
    NODE_TITLE_MAX,
    Comment,
    Connection,
    Mindmap,
    Node,
)

pytestmark = pytest.mark.django_db(transaction=True)

FORMAT = {"format": "teammoa-mindmap", "format_version": 1}
DEEP = 100_000
SURROGATE_MESSAGE = "This text is not valid Unicode (it holds the unpaired surrogate U+D800)."


@pytest.fixture
def alice(world):
    client = APIClient()
    client.force_authenticate(world.alice)
    return client


def send(client, method, url, payload):
    """JSON as any client sends it: ``json.dumps`` escapes a lone surrogate as \\ud800
    (the test client's own renderer would refuse to encode it)."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return getattr(client, method)(url, body, content_type="application/json")


def base(world):
    return f"/api/v1/teams/{world.team.pk}/mindmaps/"


def state(world):
    """Everything a refused request must leave as it was."""
    return (
        list(Mindmap.objects.order_by("pk").values("pk", "title", "version")),
        list(Node.objects.order_by("pk").values("pk", "title", "content")),
        Comment.objects.count(),
        Connection.objects.count(),
    )


def text_requests(world, value):
    root = world.nodes[0]
    m = f"{base(world)}{world.mindmap.pk}/"
    return [
        ("post", base(world), {"title": value}, "title"),
        ("patch", m, {"title": value}, "title"),
        ("post", f"{m}nodes/", {"title": value, "x": 1, "y": 1}, "title"),
        ("post", f"{m}nodes/", {"title": "ok", "content": value, "x": 1, "y": 1}, "content"),
        ("patch", f"{m}nodes/{root.pk}/", {"title": value}, "title"),
        ("patch", f"{m}nodes/{root.pk}/", {"content": value}, "content"),
        ("post", f"{m}nodes/{root.pk}/comments/", {"text": value}, "text"),
        (
            "post",
            f"{base(world)}import/",
            {**FORMAT, "mindmap": {"title": value}, "nodes": []},
            "title",
        ),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("\ud800", SURROGATE_MESSAGE),
        ("a\x00b", "This text holds the control character U+0000, which is not allowed."),
        ("\x1b[2J", "This text holds the control character U+001B, which is not allowed."),
        (
            "\u202eevil",
            "This text holds the text-direction control U+202E, which is not allowed: "
            "it makes the text read differently from what it holds.",
        ),
        ("\ufffe", "This text holds U+FFFE, which is not a character. Remove it and try again."),
    ],
)
def test_bad_text_is_a_400_naming_the_field_on_every_endpoint(world, alice, value, message):
    before = state(world)
    for method, url, payload, field in text_requests(world, value):
        response = send(alice, method, url, payload)
        assert response.status_code == 400, (method, url, response.content)
        assert response.json() == {field: [message]}, (method, url)
    assert state(world) == before


def test_bad_text_in_an_imported_node_names_the_node(world, alice):
    document = {
        **FORMAT,
        "mindmap": {"title": "Imported"},
        "nodes": [
            {"id": 1, "title": "ok", "x": 1, "y": 1},
            {"id": 2, "title": "\ud800", "x": 1, "y": 1},
        ],
    }
    response = send(alice, "post", f"{base(world)}import/", document)
    assert response.status_code == 400
    assert response.json() == {"nodes": [f"Node 2: title: {SURROGATE_MESSAGE}"]}
    assert not Mindmap.objects.filter(title="Imported").exists()


NODE = {"id": 1, "title": "a", "x": 1, "y": 1}
OTHER = {"id": 2, "title": "b", "x": 2, "y": 2}


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (
            {"nodes": [NODE, OTHER], "connections": [{"source": [1], "target": 2}]},
            "connections",
            "Connection 1 needs node ids (integers) as source and target.",
        ),
        (
            {"nodes": [NODE, OTHER], "connections": [{"source": 1, "target": {"id": 2}}]},
            "connections",
            "Connection 1 needs node ids (integers) as source and target.",
        ),
        (
            {"nodes": [NODE, OTHER], "connections": [{"source": True, "target": 2}]},
            "connections",
            "Connection 1 needs node ids (integers) as source and target.",
        ),
        (
            {"nodes": [NODE, OTHER], "connections": [[1, 2]]},
            "connections",
            "Connection 1 needs node ids (integers) as source and target.",
        ),
        ({"nodes": [NODE], "connections": {"source": 1}}, "connections", "A list of connections."),
        ({"nodes": {"id": 1}}, "nodes", "A list of at most 2000 nodes."),
        ({"nodes": [[1]]}, "nodes", "Node 1 has no unique id."),
        ({"nodes": [{**NODE, "id": [1]}]}, "nodes", "Node 1 has no unique id."),
        ({"nodes": [{**NODE, "x": "1"}]}, "nodes", "Node 1: x: An integer is required."),
        ({"nodes": [{**NODE, "title": ["a"]}]}, "nodes", "Node 1: title: A string is required."),
        ({"nodes": [], "mindmap": {"title": 5}}, "title", "A string is required."),
        ({"nodes": [], "mindmap": ["title"]}, "title", "A string is required."),
    ],
)
def test_an_import_of_wrong_types_is_a_400_naming_the_field(world, alice, document, field, message):
    before = state(world)
    payload = {**FORMAT, "mindmap": {"title": "Imported"}, **document}
    response = send(alice, "post", f"{base(world)}import/", payload)
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}
    assert state(world) == before


@pytest.mark.parametrize(
    "body",
    [
        "[" * DEEP + "]" * DEEP,
        '{"format": "teammoa-mindmap", "nodes": ' + "[" * DEEP + "]" * DEEP + "}",
        '{"a": ' * DEEP + "1" + "}" * DEEP,
        "[" * DEEP,  # not even closed
    ],
    ids=["array", "inside-an-export", "objects", "unclosed"],
)
def test_a_body_nested_100000_deep_is_a_400(world, alice, body):
    response = send(alice, "post", f"{base(world)}import/", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is nested more than 32 levels deep."}
    # The same bound on every JSON endpoint, not only the import.
    assert send(alice, "post", base(world), body).status_code == 400


def test_an_uploaded_file_nested_100000_deep_is_a_400(world, alice):
    before = state(world)
    upload = SimpleUploadedFile("deep.json", ("[" * DEEP + "]" * DEEP).encode())
    response = alice.post(f"{base(world)}import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["The JSON is nested more than 32 levels deep."]}
    assert state(world) == before


def test_brackets_inside_strings_do_not_count_as_nesting(world, alice):
    title = "[" * 100 + "{" * 100
    response = send(
        alice,
        "post",
        f"{base(world)}import/",
        {**FORMAT, "mindmap": {"title": "T"}, "nodes": [{**NODE, "content": title}]},
    )
    assert response.status_code == 201, response.content
    assert Node.objects.get(mindmap_id=response.json()["id"]).content == title


# --- titles that differ only by case or width ------------------------------------------------


@pytest.mark.parametrize("title", ["IDEAS", "ideas", "\uff29\uff44\uff45\uff41\uff53", " Ideas "])
def test_a_title_equal_but_for_case_or_width_is_taken(world, alice, title):
    """The team has "Ideas": MySQL's collation calls these the same title, so the
    service does too (on every database), and says so instead of a 500."""
    before = state(world)
    response = send(alice, "post", base(world), {"title": title})
    assert response.status_code == 400
    assert response.json() == {"title": ["This team already has a mindmap with this title."]}
    rename = send(alice, "patch", f"{base(world)}{world.other_map.pk}/", {"title": title})
    assert rename.status_code == 400
    assert rename.json() == {"title": ["This team already has a mindmap with this title."]}
    assert state(world) == before


def test_an_import_whose_title_differs_only_by_case_gets_a_number(world, alice):
    document = {**FORMAT, "mindmap": {"title": "IDEAS"}, "nodes": []}
    first = send(alice, "post", f"{base(world)}import/", document)
    second = send(alice, "post", f"{base(world)}import/", document)
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["title"], second.json()["title"]) == ("IDEAS (2)", "IDEAS (3)")


def test_a_duplicate_the_check_misses_is_still_a_400(world, alice, monkeypatch):
    """When the database's unique index refuses a title the check let through (a
    concurrent create, or a collation equating more than NFKC and case), the answer is
    the same 400, and an import takes the next number."""
    from teammoa.mindmap.exports import importing
    from teammoa.mindmap.services import mindmaps

    monkeypatch.setattr(mindmaps, "title_taken", lambda *args, **kwargs: False)
    monkeypatch.setattr(importing, "title_taken", lambda team_id, title: title == "Other")
    response = send(alice, "post", base(world), {"title": "Ideas"})
    assert response.status_code == 400
    assert response.json() == {"title": ["This team already has a mindmap with this title."]}
    rename = send(alice, "patch", f"{base(world)}{world.other_map.pk}/", {"title": "Ideas"})
    assert rename.status_code == 400
    imported = send(
        alice,
        "post",
        f"{base(world)}import/",
        {**FORMAT, "mindmap": {"title": "Ideas"}, "nodes": []},
    )
    assert imported.status_code == 201
    assert imported.json()["title"] == "Ideas (2)"


@pytest.mark.services("mysql")
@pytest.mark.parametrize("title", ["IDÉAS", "Idéas", "ideas"])
def test_mariadb_collation_duplicates_are_a_400(world, alice, title):
    """On MariaDB ``utf8mb4_unicode_ci`` also equates accents: the check asks the
    database as well, so these are a clear 400 rather than an IntegrityError."""
    response = send(alice, "post", base(world), {"title": title})
    assert response.status_code == 400
    assert response.json() == {"title": ["This team already has a mindmap with this title."]}


# --- the property: stored and read back exactly as cleaned, or refused -----------------------

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def received(value):
    """What the server decodes: JSON joins an escaped surrogate pair into one character."""
    return json.loads(json.dumps(value))


@PROPERTY
@given(value=any_text())
def test_node_title_and_content_round_trip_or_are_refused(world, alice, value):
    url = f"{base(world)}{world.mindmap.pk}/nodes/{world.nodes[0].pk}/"
    for field, rules in (
        ("title", {"max_length": NODE_TITLE_MAX}),
        (
            "content",
            {"max_length": NODE_CONTENT_MAX, "min_length": 0, "multiline": True, "strip": False},
        ),
    ):
        before = Node.objects.get(pk=world.nodes[0].pk)
        expected = expected_text(received(value), **rules)
        response = send(alice, "patch", url, {field: value})
        stored = getattr(Node.objects.get(pk=world.nodes[0].pk), field)
        if expected is None:
            assert response.status_code == 400 and field in response.json()
            assert stored == getattr(before, field)
        else:
            assert response.status_code == 200, response.content
            assert response.json()[field] == stored == expected


@PROPERTY
@given(value=any_text())
def test_mindmap_title_and_comment_round_trip_or_are_refused(world, alice, value):
    expected = expected_text(received(value), max_length=MINDMAP_TITLE_MAX)
    response = send(alice, "patch", f"{base(world)}{world.other_map.pk}/", {"title": value})
    stored = Mindmap.objects.get(pk=world.other_map.pk).title
    if response.status_code == 400:
        assert "title" in response.json()
        assert expected is None or response.json()["title"] == [
            "This team already has a mindmap with this title."
        ]
    else:
        assert response.status_code == 200, response.content
        assert response.json()["title"] == stored == expected

    expected = expected_text(received(value), max_length=COMMENT_TEXT_MAX, multiline=True)
    url = f"{base(world)}{world.mindmap.pk}/nodes/{world.nodes[0].pk}/comments/"
    count = Comment.objects.count()
    response = send(alice, "post", url, {"text": value})
    if expected is None:
        assert response.status_code == 400 and "text" in response.json()
        assert Comment.objects.count() == count
    else:
        assert response.status_code == 201, response.content
        assert Comment.objects.get(pk=response.json()["id"]).text == expected
