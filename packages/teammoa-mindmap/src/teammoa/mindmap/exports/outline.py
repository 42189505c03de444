"""The mindmap as a tree (the outline view's order) and the outline formats.

A mindmap is a graph; outlines are trees. Each connected group of nodes becomes one tree
rooted at its oldest node, children found breadth-first (the shortest path from the
root) and read top to bottom, left to right. Links that close a loop are left out of the
outline formats (FreeMind keeps them as arrow links). The editor's outline view
(``outline.js``) builds the same tree.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils import timezone

if TYPE_CHECKING:
    from teammoa.mindmap.exports.data import MapData


@dataclass
class Branch:
    node: dict[str, Any]
    children: list[Branch] = field(default_factory=list)


def tree(
    nodes: list[dict[str, Any]], connections: list[tuple[int, int]]
) -> tuple[list[Branch], list[tuple[int, int]]]:
    """The forest, and the connections left out of it."""
    by_id = {node["id"]: node for node in nodes}
    neighbours: dict[int, list[int]] = {node_id: [] for node_id in by_id}
    for source, target in connections:
        if source in neighbours and target in neighbours:
            neighbours[source].append(target)
            neighbours[target].append(source)

    def order(node_id: int) -> tuple[int, int, int]:
        node = by_id[node_id]
        return node["y"], node["x"], node_id

    placed: set[int] = set()
    used: set[frozenset[int]] = set()
    roots: list[Branch] = []
    for root_id in sorted(by_id):
        if root_id in placed:
            continue
        root = Branch(by_id[root_id])
        placed.add(root_id)
        queue = deque([root])
        while queue:
            branch = queue.popleft()
            for child_id in sorted(neighbours[branch.node["id"]], key=order):
                if child_id in placed:
                    continue
                placed.add(child_id)
                used.add(frozenset((branch.node["id"], child_id)))
                child = Branch(by_id[child_id])
                branch.children.append(child)
                queue.append(child)
        roots.append(root)
    extra = [pair for pair in connections if frozenset(pair) not in used]
    return roots, extra


# Every character with a meaning in Markdown or HTML inline text, backslash-escaped
# (CommonMark lets any ASCII punctuation be escaped, and shows it as itself): no tag, no
# link or image, no emphasis, no entity can come out of a title.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!&~])")
# ...and what starts a block at the beginning of a line: a list item, a heading
# underline, a numbered item ("1." or "1)").
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def _md(text: str) -> str:
    """Text that Markdown shows as exactly this text, inert (never markup)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    match = _MARKDOWN_LINE_START.match(escaped)
    if match is None:
        return escaped
    start, marker = match.group(1), match.group(2)
    if marker.isdigit():  # escape the "." or ")" after the number
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return start + "\\" + escaped[len(start) :]


def as_markdown(data: MapData) -> bytes:
    lines = [f"# {_md(data.title)}", ""]

    def walk(branch: Branch, depth: int) -> None:
        indent = "  " * depth
        lines.append(f"{indent}- {_md(branch.node['title'])}")
        for line in branch.node["content"].splitlines():
            # Escaped like the titles, and without leading blanks: four would make code.
            lines.append(f"{indent}  {_md(line.strip())}" if line.strip() else "")
        for child in branch.children:
            walk(child, depth + 1)

    roots, _extra = tree(data.nodes, data.connections)
    for root in roots:
        walk(root, 0)
    return ("\n".join(lines).rstrip() + "\n").encode()


def _xml(root: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")


def as_opml(data: MapData) -> bytes:
    opml = Element("opml", version="2.0")
    head = SubElement(opml, "head")
    SubElement(head, "title").text = data.title
    SubElement(head, "dateCreated").text = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = SubElement(opml, "body")

    def walk(parent: Element, branch: Branch) -> None:
        attributes = {"text": branch.node["title"]}
        if branch.node["content"]:
            attributes["_note"] = branch.node["content"]
        element = SubElement(parent, "outline", attributes)
        for child in branch.children:
            walk(element, child)

    roots, _extra = tree(data.nodes, data.connections)
    for root in roots:
        walk(body, root)
    return _xml(opml)


def as_freemind(data: MapData) -> bytes:
    document = Element("map", version="1.0.1")
    top = SubElement(document, "node", ID="ID_map", TEXT=data.title)
    roots, extra = tree(data.nodes, data.connections)
    elements: dict[int, Element] = {}

    def walk(parent: Element, branch: Branch, side: str | None) -> None:
        attributes = {"ID": f"ID_{branch.node['id']}", "TEXT": branch.node["title"]}
        if side:
            attributes["POSITION"] = side
        element = SubElement(parent, "node", attributes)
        elements[branch.node["id"]] = element
        if branch.node["content"]:
            note = SubElement(element, "richcontent", TYPE="NOTE")
            html = SubElement(note, "html")
            SubElement(html, "head")
            body = SubElement(html, "body")
            for line in branch.node["content"].splitlines() or [""]:
                SubElement(body, "p").text = line
        for child in branch.children:
            walk(element, child, None)

    for index, root in enumerate(roots):
        walk(top, root, "right" if index % 2 == 0 else "left")
    for source, target in extra:  # links that close a loop
        if source in elements:
            SubElement(elements[source], "arrowlink", DESTINATION=f"ID_{target}")
    # FreeMind's own files carry no XML declaration.
    return tostring(document, encoding="utf-8")
