"""The mindmap REST API: members only (404 for outsiders), junk refused, changes broadcast."""

from __future__ import annotations

import json
from unittest.mock import patch

import pytest
from rest_framework.test import APIClient

from teammoa.mindmap import broadcast
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node, Recommendation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(world):
    def client_for(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


def base(world, mindmap=None):
    return f"/api/v1/teams/{world.team.pk}/mindmaps/" + (f"{mindmap.pk}/" if mindmap else "")


def endpoints(world):
    """Every endpoint with a request that a member may make."""
    root, leaf = world.nodes
    m = base(world, world.mindmap)
    return [
        ("get", base(world), None),
        ("post", base(world), {"title": "New map"}),
        (
            "post",
            f"{base(world)}import/",
            {
                "format": "teammoa-mindmap",
                "format_version": 1,
                "mindmap": {"title": "Imp"},
                "nodes": [],
            },
        ),
        ("get", m, None),
        ("patch", m, {"title": "Renamed"}),
        ("post", f"{m}nodes/", {"title": "N", "x": 1, "y": 2}),
        ("patch", f"{m}nodes/{root.pk}/", {"title": "T"}),
        ("post", f"{m}connections/", {"source": root.pk, "target": leaf.pk}),
        ("get", f"{m}nodes/{root.pk}/comments/", None),
        ("post", f"{m}nodes/{root.pk}/comments/", {"text": "Hi"}),
        ("post", f"{m}nodes/{root.pk}/recommend/", None),
        ("get", f"{m}export/?format=json", None),
        ("delete", f"{m}nodes/{leaf.pk}/", None),
        ("delete", m, None),
    ]


def test_outsiders_get_404_everywhere_and_change_nothing(world, api):
    outsider = api(world.outsider)
    for method, url, body in endpoints(world):
        response = getattr(outsider, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)
    assert Mindmap.objects.filter(team=world.team).count() == 2
    assert Node.objects.filter(mindmap=world.mindmap).count() == 2


def test_anonymous_gets_401_or_403(world, api):
    for method, url, body in endpoints(world):
        response = getattr(api(None), method)(url, body, format="json")
        assert response.status_code in (401, 403), (method, url)


def test_every_endpoint_works_for_a_plain_member(world, api):
    member = api(world.bob)
    for method, url, body in endpoints(world):
        response = getattr(member, method)(url, body, format="json")
        assert response.status_code in (200, 201, 204), (method, url, response.content)
    assert not Mindmap.objects.filter(pk=world.mindmap.pk).exists()


def test_a_mindmap_of_another_team_is_404_through_my_team(world, api):
    url = f"/api/v1/teams/{world.team.pk}/mindmaps/{world.foreign_map.pk}/"
    assert api(world.alice).get(url).status_code == 404


def test_create_list_rename_and_versions(world, api):
    alice = api(world.alice)
    created = alice.post(base(world), {"title": "  Plans  "}, format="json")
    assert created.status_code == 201
    assert created.json()["title"] == "Plans" and created.json()["version"] == 0

    duplicate = alice.post(base(world), {"title": "Plans"}, format="json")
    assert duplicate.status_code == 400 and "title" in duplicate.json()
    assert alice.post(base(world), {"title": ""}, format="json").status_code == 400
    assert alice.post(base(world), {"title": "x" * 65}, format="json").status_code == 400
    assert alice.post(base(world), ["junk"], format="json").status_code == 400

    listing = alice.get(base(world)).json()
    assert listing["count"] == 3
    assert {"id", "title", "version", "node_count"} <= set(listing["results"][0])

    renamed = alice.patch(base(world, world.mindmap), {"title": "Brainstorm"}, format="json")
    assert renamed.json()["version"] == 1
    clash = alice.patch(base(world, world.mindmap), {"title": "Other"}, format="json")
    assert clash.status_code == 400


def test_node_endpoints_validate_like_the_socket(world, api):
    alice = api(world.alice)
    nodes = f"{base(world, world.mindmap)}nodes/"
    for body, field in [
        ({"title": "T", "x": 99999, "y": 1}, "x"),
        ({"title": "", "x": 1, "y": 1}, "title"),
        ({"x": 1, "y": 1}, "title"),
        ({"title": "T", "x": "abc", "y": 1}, "x"),
    ]:
        response = alice.post(nodes, body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    ok = alice.post(nodes, {"title": "T", "content": "c", "x": 5, "y": 6}, format="json")
    assert ok.status_code == 201
    assert ok.json()["version"] == 1 and ok.json()["created_by"] == world.alice.pk

    node_url = f"{nodes}{ok.json()['id']}/"
    moved = alice.patch(node_url, {"x": 7, "y": 8, "title": "U"}, format="json").json()
    assert (moved["x"], moved["y"], moved["title"], moved["version"]) == (7, 8, "U", 3)
    assert alice.patch(node_url, {}, format="json").status_code == 400
    assert alice.patch(f"{nodes}{world.foreign_node.pk}/", {"title": "X"}).status_code == 404
    assert alice.delete(f"{nodes}{world.foreign_node.pk}/").status_code == 404
    assert Node.objects.get(pk=world.foreign_node.pk).title == "Theirs"


def test_a_node_patch_of_text_and_position_is_one_edit(world, api):
    """A bad x in the same PATCH as a new title: 400 naming x, and the title is neither
    saved nor broadcast (the two used to be separate transactions)."""
    alice = api(world.alice)
    root = world.nodes[0]
    node_url = f"{base(world, world.mindmap)}nodes/{root.pk}/"
    before = Mindmap.objects.get(pk=world.mindmap.pk).version
    published = []
    with patch.object(broadcast, "publish", side_effect=lambda *a: published.append(a)):
        bad = alice.patch(node_url, {"title": "Renamed", "x": 99999, "y": 1}, format="json")
    assert bad.status_code == 400 and "x" in bad.json(), bad.json()
    root.refresh_from_db()
    assert root.title != "Renamed"
    assert Mindmap.objects.get(pk=world.mindmap.pk).version == before
    assert published == []


def test_connections_comments_recommendations(world, api):
    alice, bob = api(world.alice), api(world.bob)
    m = base(world, world.mindmap)
    root, leaf = world.nodes

    connection = alice.post(
        f"{m}connections/", {"source": leaf.pk, "target": root.pk}, format="json"
    )
    assert connection.status_code == 201
    assert (
        alice.post(
            f"{m}connections/", {"source": root.pk, "target": leaf.pk}, format="json"
        ).status_code
        == 400
    )
    assert (
        alice.post(
            f"{m}connections/", {"source": root.pk, "target": root.pk}, format="json"
        ).status_code
        == 400
    )
    assert (
        alice.post(
            f"{m}connections/", {"source": root.pk, "target": world.foreign_node.pk}, format="json"
        ).status_code
        == 404
    )

    comment = bob.post(f"{m}nodes/{root.pk}/comments/", {"text": "Good"}, format="json")
    assert comment.status_code == 201 and comment.json()["author"]["user"] == world.bob.pk
    assert (
        bob.post(f"{m}nodes/{root.pk}/comments/", {"text": " "}, format="json").status_code == 400
    )
    listed = alice.get(f"{m}nodes/{root.pk}/comments/").json()
    assert [c["text"] for c in listed["results"]] == ["Good"]
    assert alice.get(f"{m}nodes/{world.foreign_node.pk}/comments/").status_code == 404

    first = alice.post(f"{m}nodes/{root.pk}/recommend/").json()
    second = bob.post(f"{m}nodes/{root.pk}/recommend/").json()
    again = alice.post(f"{m}nodes/{root.pk}/recommend/").json()
    assert [(r["count"], r["on"]) for r in (first, second, again)] == [
        (1, True),
        (2, True),
        (1, False),
    ]

    snapshot = bob.get(m).json()
    node = next(n for n in snapshot["nodes"] if n["id"] == root.pk)
    assert (node["recommendations"], node["recommended_by_me"], node["comment_count"]) == (
        1,
        True,
        1,
    )
    assert snapshot["connections"] == [
        {"id": connection.json()["id"], "source": root.pk, "target": leaf.pk}
    ]
    assert snapshot["version"] == Mindmap.objects.get(pk=world.mindmap.pk).version == 5

    assert alice.delete(f"{m}connections/{connection.json()['id']}/").status_code == 204
    assert alice.delete(f"{m}connections/{connection.json()['id']}/").status_code == 404
    assert alice.delete(f"{m}nodes/{root.pk}/").status_code == 204
    assert not Comment.objects.exists() and not Recommendation.objects.exists()
    assert not Connection.objects.exists()


def test_a_comment_of_a_member_who_left_reads_deleted_user(world, api):
    from teammoa.core.services import leave_team

    m = base(world, world.mindmap)
    api(world.bob).post(f"{m}nodes/{world.nodes[0].pk}/comments/", {"text": "Bye"}, format="json")
    leave_team(world.bob, world.team.pk)

    (comment,) = api(world.alice).get(f"{m}nodes/{world.nodes[0].pk}/comments/").json()["results"]
    assert comment["author"] is None and comment["author_name"] == "deleted user"


def test_export_format_is_checked(world, api):
    response = api(world.alice).get(f"{base(world, world.mindmap)}export/?format=doc")
    assert response.status_code == 400 and "format" in response.json()


def test_import_upload_and_junk(world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    alice = api(world.alice)
    url = f"{base(world)}import/"
    exported = alice.get(f"{base(world, world.mindmap)}export/?format=json").content
    upload = SimpleUploadedFile("map.json", exported, content_type="application/json")

    response = alice.post(url, {"file": upload}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Ideas (2)" and response.json()["node_count"] == 2
    for junk in [b"not json", json.dumps({"format": "other"}).encode(), b"[]"]:
        bad = SimpleUploadedFile("x.json", junk)
        assert alice.post(url, {"file": bad}, format="multipart").status_code == 400
    assert alice.post(url, {"nothing": 1}, format="json").status_code == 400
