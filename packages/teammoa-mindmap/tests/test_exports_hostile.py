"""Exports of a map with hostile titles (issue 9, item 10): every XML export parses, the
Markdown export renders to inert HTML, and the JSON export imports back.

The hostile text is written straight to the database, as data stored before the input
rules (or by an older version) would be; the cleaner refuses it at the door now.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from teammoa.core.testing.factories import host_of, make_team
from teammoa.core.text import check_text, displayable_text
from teammoa.mindmap.exports import export_mindmap, import_mindmap
from teammoa.mindmap.models import Comment, Connection, Mindmap, Node

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![pic](javascript:alert(2))",
    "<javascript:alert(3)>",
    "<script>alert(4)</script>",
    "&lt;img src=x onerror=alert(5)&gt;",
    "bell\x07 esc\x1b[31m nul\x00 vt\x0b ff\x0c del\x7f c1\x85",
    "noncharacter \ufffe\uffff end",
    "\u202eexe.pdf",
    "]]> --> <!-- \"quotes\" 'single'",
    "1. not a list",
    "- not an item",
    "# not a heading",
    "line one\nline two\r\nline three",
    "*emph* _u_ `code` ~~strike~~ | pipe",
    "한글 제목 😀",
]


@pytest.fixture
def hostile_map():
    team = make_team()
    host = host_of(team).user
    mindmap = Mindmap.objects.create(team=team, title="<b>Map</b>\x1b & [x](javascript:1)")
    titles = list(HOSTILE)  # (no lone surrogate: neither SQLite nor MySQL stores one)
    nodes = [
        Node.objects.create(
            mindmap=mindmap,
            title=title,
            content=f"{title}\n  <iframe src=javascript:alert(6)>\n\n    four spaces",
            x=10 * index,
            y=10 * index,
            created_by=host,
        )
        for index, title in enumerate(titles)
    ]
    # A star, not a chain: renderers stop at some nesting depth (markdown-it at 20).
    for target in nodes[1:]:
        Connection.objects.create(mindmap=mindmap, source=nodes[0], target=target)
    Comment.objects.create(node=nodes[0], text="<img src=x onerror=alert(7)>\x00")
    return mindmap


def visible(text: str) -> str:
    """What an export may show of a stored text: what the cleaner lets through."""
    return displayable_text(text)


@pytest.mark.parametrize("fmt", ["svg", "opml", "mm"])
def test_every_xml_export_parses_and_shows_the_titles_as_text(hostile_map, fmt):
    content, _type, _name = export_mindmap(hostile_map, fmt)
    root = ET.fromstring(content)  # noqa: S314 - our own export, parsed to prove it is XML
    texts = {
        value for element in root.iter() for value in [element.text or "", *element.attrib.values()]
    }
    for node in hostile_map.nodes.all():
        shown = visible(node.title)
        assert shown in texts or (fmt == "svg" and shown[:20] in "".join(texts)), shown
    for value in texts:
        # Nothing the cleaner refuses reaches the file (controls, bidi, noncharacters).
        assert (
            check_text(value, max_length=10**6, min_length=0, multiline=True, strip=False)[1]
            is None
        ), value
    if fmt == "svg":
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        assert not [k for e in root.iter() for k in e.attrib if k.lower().startswith("on")]


def test_the_markdown_export_is_inert(hostile_map):
    content, _type, _name = export_mindmap(hostile_map, "md")
    text = content.decode("utf-8")
    assert check_text(text, max_length=10**6, min_length=0, multiline=True, strip=False)[1] is None
    # Rendered by a CommonMark renderer that passes raw HTML through (the worst viewer):
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {"h1", "ul", "li", "p"}, tags
    # ...and none of them has an attribute (no href, src or on… handler).
    assert not re.search(r"<[a-zA-Z][^>]*\s[\w-]+\s*=", html), html
    # Every title is shown as itself (escaping is invisible once rendered).
    for node in hostile_map.nodes.all():
        words = [w for w in re.split(r"\s+", visible(node.title)) if w]
        plain = re.sub(r"<[^>]+>", "", html)
        rendered = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        rendered = rendered.replace("&amp;", "&")
        for word in words:
            assert word in rendered, (word, node.title)


def test_the_json_export_imports_back_as_the_cleaned_map(hostile_map):
    content, _type, _name = export_mindmap(hostile_map, "json")
    document = json.loads(content)
    user = host_of(hostile_map.team).user
    copy = import_mindmap(user, hostile_map.team_id, content)
    assert copy.title.startswith(visible(hostile_map.title).strip())
    titles = sorted(copy.nodes.values_list("title", flat=True))
    assert titles == sorted(node["title"].strip() for node in document["nodes"])


def test_png_export_draws_hostile_titles(hostile_map):
    content, content_type, _name = export_mindmap(hostile_map, "png")
    assert content_type == "image/png" and content.startswith(b"\x89PNG")
