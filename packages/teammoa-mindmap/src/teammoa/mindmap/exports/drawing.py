"""SVG and PNG pictures of a mindmap, laid out as the editor draws it.

A node's ``x``/``y`` is its centre; its box is as wide as its title needs (within limits).
PNG is drawn with Pillow; set ``TEAMMOA_MINDMAP_PNG_FONT`` to a font with the scripts
your titles use (e.g. a Noto CJK font for Korean), else Pillow's built-in font is used.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, SubElement, tostring

from teammoa.mindmap.conf import conf

if TYPE_CHECKING:
    from teammoa.mindmap.exports.data import MapData

NODE_HEIGHT = 40
CHAR_WIDTH = 8.5
MIN_WIDTH, MAX_WIDTH = 80, 280
MARGIN = 40
MAX_TITLE = 32  # characters drawn before an ellipsis
PNG_MAX_SIDE = 2400
COLORS = {
    "background": "#ffffff",
    "line": "#8a94a6",
    "fill": "#e8eefc",
    "border": "#3554d1",
    "text": "#1d2330",
}


@dataclass(frozen=True)
class Box:
    node_id: int
    label: str
    cx: float
    cy: float
    width: float

    @property
    def left(self) -> float:
        return self.cx - self.width / 2

    @property
    def top(self) -> float:
        return self.cy - NODE_HEIGHT / 2


def label(title: str) -> str:
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def layout(data: MapData) -> tuple[dict[int, Box], tuple[float, float, float, float]]:
    """Boxes by node id, and the picture's bounds (left, top, width, height)."""
    boxes = {}
    for node in data.nodes:
        text = label(node["title"])
        width = min(MAX_WIDTH, max(MIN_WIDTH, len(text) * CHAR_WIDTH + 24))
        boxes[node["id"]] = Box(node["id"], text, node["x"], node["y"], width)
    if not boxes:
        return boxes, (0, 0, 400, 200)
    left = min(b.left for b in boxes.values()) - MARGIN
    top = min(b.top for b in boxes.values()) - MARGIN
    right = max(b.left + b.width for b in boxes.values()) + MARGIN
    bottom = max(b.top + NODE_HEIGHT for b in boxes.values()) + MARGIN
    return boxes, (left, top, right - left, bottom - top)


def as_svg(data: MapData) -> bytes:
    boxes, (left, top, width, height) = layout(data)
    svg = Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"{left:g} {top:g} {width:g} {height:g}",
        width=f"{width:g}",
        height=f"{height:g}",
        role="img",
    )
    SubElement(svg, "title").text = data.title
    SubElement(
        svg,
        "rect",
        x=f"{left:g}",
        y=f"{top:g}",
        width=f"{width:g}",
        height=f"{height:g}",
        fill=COLORS["background"],
    )
    lines = SubElement(svg, "g", {"stroke": COLORS["line"], "stroke-width": "2"})
    for source, target in data.connections:
        a, b = boxes.get(source), boxes.get(target)
        if a and b:
            SubElement(
                lines, "line", x1=f"{a.cx:g}", y1=f"{a.cy:g}", x2=f"{b.cx:g}", y2=f"{b.cy:g}"
            )
    group = SubElement(svg, "g", {"font-family": "sans-serif", "font-size": "14"})
    for box in boxes.values():
        node = SubElement(group, "g")
        SubElement(
            node,
            "rect",
            x=f"{box.left:g}",
            y=f"{box.top:g}",
            width=f"{box.width:g}",
            height=str(NODE_HEIGHT),
            rx="8",
            fill=COLORS["fill"],
            stroke=COLORS["border"],
        )
        text = SubElement(
            node,
            "text",
            x=f"{box.cx:g}",
            y=f"{box.cy:g}",
            fill=COLORS["text"],
            **{"text-anchor": "middle", "dominant-baseline": "central"},
        )
        text.text = box.label
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(svg, encoding="utf-8")


def _font(size: int):
    from PIL import ImageFont

    if conf.PNG_FONT:
        try:
            return ImageFont.truetype(conf.PNG_FONT, size)
        except OSError:
            pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def as_png(data: MapData) -> bytes:
    from PIL import Image, ImageDraw

    boxes, (left, top, width, height) = layout(data)
    scale = min(1.0, PNG_MAX_SIDE / max(width, height))
    image = Image.new(
        "RGB", (max(1, round(width * scale)), max(1, round(height * scale))), COLORS["background"]
    )
    draw = ImageDraw.Draw(image)

    def point(x: float, y: float) -> tuple[float, float]:
        return (x - left) * scale, (y - top) * scale

    for source, target in data.connections:
        a, b = boxes.get(source), boxes.get(target)
        if a and b:
            draw.line([point(a.cx, a.cy), point(b.cx, b.cy)], fill=COLORS["line"], width=2)
    font = _font(max(8, round(14 * scale)))
    for box in boxes.values():
        x0, y0 = point(box.left, box.top)
        x1, y1 = point(box.left + box.width, box.top + NODE_HEIGHT)
        draw.rounded_rectangle(
            [x0, y0, x1, y1],
            radius=max(2, round(8 * scale)),
            fill=COLORS["fill"],
            outline=COLORS["border"],
            width=max(1, round(2 * scale)),
        )
        draw.text(point(box.cx, box.cy), box.label, fill=COLORS["text"], font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
