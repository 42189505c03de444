"""Rich text sanitising: scripts and event handlers go, formatting stays."""

from __future__ import annotations

import pytest

from teammoa.core.sanitize import plain_text, sanitize_html


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<style>body{display:none}</style>",
        "<iframe src='https://evil.example'></iframe>",
        "<object data='x.swf'></object>",
        "<svg onload=alert(1)>",
        "<img src=x onerror=alert(1)>",
        "<!-- secret comment -->",
        "<form action='https://evil.example'><input name=q></form>",
    ],
)
def test_dangerous_markup_is_removed(html):
    cleaned = sanitize_html(f"<p>before</p>{html}<p>after</p>")
    assert cleaned == "<p>before</p><p>after</p>"


@pytest.mark.parametrize(
    "attribute",
    ['onclick="alert(1)"', "onmouseover=alert(1)", 'style="color:red"', 'class="x"', 'id="y"'],
)
def test_attributes_outside_the_list_are_removed(attribute):
    assert sanitize_html(f"<p {attribute}>text</p>") == "<p>text</p>"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_dangerous_link_schemes_are_removed(href):
    cleaned = sanitize_html(f'<a href="{href}">click</a>')
    assert "href" not in cleaned
    assert "click" in cleaned
    assert "script" not in cleaned.lower()


@pytest.mark.parametrize(
    "html",
    [
        "<p>Hello <strong>bold</strong> <em>italic</em> <u>under</u> <s>strike</s></p>",
        "<h2>Title</h2><h3>Sub</h3><h4>Small</h4>",
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>",
        "<blockquote>quoted</blockquote><pre><code>x = 1</code></pre>",
        "<p>a<br>b</p><hr>",
        "<table><thead><tr><th>h</th></tr></thead>"
        '<tbody><tr><td colspan="2">c</td></tr></tbody></table>',
        "<p>H<sub>2</sub>O and x<sup>2</sup>, <del>old</del> <b>b</b> <i>i</i></p>",
    ],
)
def test_formatting_is_kept(html):
    assert sanitize_html(html) == html


def test_safe_links_are_kept_with_a_safe_rel():
    cleaned = sanitize_html(
        '<a href="https://example.com/x?a=1&amp;b=2" title="t" target="_blank">x</a>'
        '<a href="mailto:me@example.com">mail</a>'
    )
    assert 'href="https://example.com/x?a=1&amp;b=2"' in cleaned
    assert 'title="t"' in cleaned
    assert "target" not in cleaned
    assert cleaned.count('rel="noopener noreferrer nofollow"') == 2
    assert 'href="mailto:me@example.com"' in cleaned


def test_a_rel_from_the_author_is_replaced():
    assert sanitize_html('<a href="https://e.example" rel="opener">x</a>') == (
        '<a href="https://e.example" rel="noopener noreferrer nofollow">x</a>'
    )


def test_text_is_escaped_and_unclosed_tags_are_closed():
    assert sanitize_html("1 < 2 & <b>bold") == "1 &lt; 2 &amp; <b>bold</b>"


def test_unknown_tags_keep_their_text():
    assert sanitize_html("<p><span>kept</span> <marquee>too</marquee></p>") == "<p>kept too</p>"


def test_surrounding_whitespace_is_trimmed():
    assert sanitize_html("  \n<p>x</p>\n ") == "<p>x</p>"


def test_empty_input():
    assert sanitize_html("") == ""
    assert plain_text("") == ""


def test_plain_text_has_no_markup_and_no_entities():
    html = "<p>Tom &amp; Jerry &lt;3</p><ul><li>one</li><li>two</li></ul><p>a<b>b</b>c</p>"
    assert plain_text(html) == "Tom & Jerry <3 one two abc"


def test_plain_text_drops_script_contents():
    assert plain_text("<p>hi</p><script>alert('x')</script><style>p{}</style>") == "hi"


def test_plain_text_splits_blocks_and_line_breaks():
    assert plain_text("<h2>Title</h2>Line<br>next<table><tr><td>a</td><td>b</td></tr></table>") == (
        "Title Line next a b"
    )
