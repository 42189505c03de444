"""Exports: JSON round-trips into an equal mindmap; the outline formats and pictures."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree

import pytest

from teammoa.mindmap.exports import export_mindmap, import_mindmap, load
from teammoa.mindmap.exports.outline import tree
from teammoa.mindmap.models import Connection, Mindmap, Node

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(world):
    """Ideas: Root — Leaf, Root — Child (with content), Child — Leaf (a loop), Alone."""
    root, leaf = world.nodes
    child = Node.objects.create(
        mindmap=world.mindmap, title="Child <&> 한글", content="line 1\nline 2", x=120, y=300
    )
    Node.objects.create(mindmap=world.mindmap, title="Alone", x=900, y=900)
    for a, b in [(root, leaf), (root, child), (child, leaf)]:
        low, high = sorted((a.pk, b.pk))
        Connection.objects.create(mindmap=world.mindmap, source_id=low, target_id=high)
    return world.mindmap


def shape(mindmap):
    """A mindmap without its ids: title, nodes, and connections as node contents."""
    nodes = {n.pk: (n.title, n.content, n.x, n.y) for n in mindmap.nodes.all()}
    connections = sorted(
        tuple(sorted((nodes[c.source_id], nodes[c.target_id]))) for c in mindmap.connections.all()
    )
    return sorted(nodes.values()), connections


def test_json_reimports_to_an_equal_mindmap(world, rich):
    content, content_type, name = export_mindmap(rich, "json")
    assert content_type == "application/json" and name == "Ideas.json"
    document = json.loads(content)
    assert document["format"] == "teammoa-mindmap" and len(document["nodes"]) == 4

    copy = import_mindmap(world.bob, world.team.pk, content)

    assert copy.title == "Ideas (2)" and copy.team_id == world.team.pk
    assert shape(copy) == shape(rich)
    # Into another team, the title is free.
    other = import_mindmap(world.outsider, world.other_team.pk, content)
    assert other.title == "Ideas" and shape(other) == shape(rich)
    # And again: the export of the copy is the same document (but for ids and times).
    again = json.loads(export_mindmap(other, "json")[0])
    strip = lambda d: [{k: v for k, v in n.items() if k != "id"} for n in d["nodes"]]  # noqa: E731
    assert strip(again) == strip(document)


def test_import_needs_membership_and_valid_content(world):
    from teammoa.core.errors import Invalid, NotFound

    good = {
        "format": "teammoa-mindmap",
        "format_version": 1,
        "mindmap": {"title": "T"},
        "nodes": [{"id": 1, "title": "A", "x": 1, "y": 1}],
        "connections": [],
    }
    with pytest.raises(NotFound):
        import_mindmap(world.outsider, world.team.pk, good)
    for broken in [
        {**good, "format_version": 2},
        {**good, "nodes": [{"id": 1, "title": "A", "x": -1, "y": 1}]},
        {**good, "nodes": [{"id": 1, "title": "", "x": 1, "y": 1}]},
        {**good, "nodes": [{"title": "A", "x": 1, "y": 1}]},
        {**good, "connections": [{"source": 1, "target": 2}]},
        {**good, "connections": [{"source": 1, "target": 1}]},
        {**good, "mindmap": {"title": ""}},
    ]:
        with pytest.raises(Invalid):
            import_mindmap(world.alice, world.team.pk, broken)
    assert Mindmap.objects.filter(title="T").count() == 0


def test_the_outline_tree(world, rich):
    data = load(rich)
    roots, extra = tree(data.nodes, data.connections)

    assert [r.node["title"] for r in roots] == ["Root", "Alone"]
    assert [c.node["title"] for c in roots[0].children] == ["Leaf", "Child <&> 한글"]
    assert len(extra) == 1  # the loop's closing link


def test_markdown_outline(rich):
    text = export_mindmap(rich, "md")[0].decode()

    assert text.splitlines()[:4] == ["# Ideas", "", "- Root", "  - Leaf"]
    assert "  - Child \\<\\&\\> 한글" in text
    assert "    line 1" in text and "- Alone" in text


def test_opml(rich):
    document = ElementTree.fromstring(export_mindmap(rich, "opml")[0])  # noqa: S314

    assert document.get("version") == "2.0"
    assert document.find("head/title").text == "Ideas"
    outlines = document.findall("body/outline")
    assert [o.get("text") for o in outlines] == ["Root", "Alone"]
    child = outlines[0].findall("outline")[1]
    assert child.get("text") == "Child <&> 한글" and child.get("_note") == "line 1\nline 2"


def test_freemind(rich):
    document = ElementTree.fromstring(export_mindmap(rich, "mm")[0])  # noqa: S314

    assert document.tag == "map"
    top = document.find("node")
    assert top.get("TEXT") == "Ideas"
    assert [n.get("TEXT") for n in top.findall("node")] == ["Root", "Alone"]
    assert len(document.findall(".//arrowlink")) == 1


def test_svg(rich):
    document = ElementTree.fromstring(export_mindmap(rich, "svg")[0])  # noqa: S314
    ns = {"svg": "http://www.w3.org/2000/svg"}

    assert len(document.findall(".//svg:line", ns)) == 3
    texts = [t.text for t in document.findall(".//svg:text", ns)]
    assert sorted(texts) == sorted(["Root", "Leaf", "Child <&> 한글", "Alone"])


def test_png(rich):
    from PIL import Image

    content, content_type, name = export_mindmap(rich, "png")

    assert content_type == "image/png" and name.endswith(".png")
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG" and image.width > 100 and image.height > 100


def test_an_empty_mindmap_exports_everywhere(world):
    for fmt in ("json", "md", "opml", "mm", "svg", "png"):
        assert export_mindmap(world.other_map, fmt)[0]
