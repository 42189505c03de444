"""Rich text sanitising for posts, with nh3 (a maintained HTML sanitiser)."""

from __future__ import annotations

from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose boundaries separate words in the text ("<p>one</p><p>two</p>" is "one two").
_BREAKING_TAGS = ALLOWED_TAGS - {
    "a",
    "b",
    "code",
    "del",
    "em",
    "i",
    "s",
    "strong",
    "sub",
    "sup",
    "u",
}


def sanitize_html(html: str) -> str:
    """Keep formatting tags only; links get ``rel="noopener noreferrer nofollow"``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of a body with no markup and no character references (``&amp;`` is
    ``&``), blocks separated by a space: for search, previews and plain-text views.

    The result is text, not HTML: templates escape it like any other string.
    """
    collector = _TextCollector()
    # Sanitise first so script/style contents never count as text.
    collector.feed(sanitize_html(html or ""))
    collector.close()
    return " ".join("".join(collector.parts).split())
