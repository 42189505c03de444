"""Journey 6: the board: write a post with a heading and a numbered list using the editor's
buttons, and the result is exactly what was typed, with an attachment; search it;
download it; a non-member gets 404 on the page and the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from support.browser import axe_violations, describe

MINUTES = "Minutes of the planning meeting.\nNext: book the room.\n"


def test_write_search_download_and_keep_out(browsers, people, teams, tmp_path: Path):
    team = teams["moa"]
    page, _ = browsers.open(people["seo"])
    page.goto(f"/teams/{team.id}/posts/")
    page.get_by_role("link", name="Write a post").first.click()
    page.get_by_label("Title").fill("Planning notes")

    toolbar = page.get_by_role("toolbar", name="Formatting")
    editor = page.get_by_role("textbox", name="Body")
    editor.click()
    toolbar.get_by_role("button", name="Heading").click()
    page.keyboard.type("Decisions")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Numbered list").click()
    page.keyboard.type("Meet on Tuesdays")
    page.keyboard.press("Enter")
    page.keyboard.type("Ship a prototype in two weeks")

    attachment = tmp_path / "minutes.txt"
    attachment.write_text(MINUTES)
    page.get_by_label("Attachment").set_input_files(attachment)
    page.get_by_role("button", name="Publish").click()

    # Exactly what was typed: one heading, then a list of the two lines, nothing else.
    expect(page.get_by_role("heading", name="Planning notes", level=1)).to_be_visible()
    prose = page.locator(".post .prose")
    blocks = prose.evaluate(
        "el => [...el.children].map(c => [c.tagName, c.tagName === 'OL'"
        " ? [...c.children].map(li => li.textContent) : c.textContent])"
    )
    assert blocks == [
        ["H3", "Decisions"],
        ["OL", ["Meet on Tuesdays", "Ship a prototype in two weeks"]],
    ], blocks
    post_url = page.url

    # Search finds it by a word of its body.
    page.get_by_role("link", name="Back to the board").click()
    page.get_by_label("Search posts").fill("prototype")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 post matches “prototype”.")
    page.get_by_role("link", name="Planning notes").click()

    # Download the attachment (nginx serves it after the app's check).
    with page.expect_download() as download:
        page.get_by_role("link", name="minutes.txt").click()
    assert download.value.suggested_filename == "minutes.txt"
    assert Path(download.value.path()).read_text() == MINUTES
    file_url = page.get_by_role("link", name="minutes.txt").get_attribute("href")

    # Zed is not in the team: 404 on the page and on the file.
    outsider, monitor = browsers.open(people["zed"])
    monitor.expect(404, r"/posts/\d+/(attachment/)?$")
    path = post_url.split(page.url.split("/teams/")[0], 1)[1]
    assert outsider.goto(path).status == 404
    response = outsider.request.get(file_url)
    assert response.status == 404
    assert MINUTES not in response.text()


def blocks_of(page: Page) -> list[Any]:
    """The post's top-level blocks: [tag, text] or, for a list, [tag, [item texts]]."""
    return page.locator(".post .prose").evaluate(
        "el => [...el.children].map(c => [c.tagName, ['OL', 'UL'].includes(c.tagName)"
        " ? [...c.children].map(li => li.textContent) : c.textContent])"
    )


def test_the_editor_keeps_exactly_what_was_typed(browsers, people, teams):
    """Issue 15: "안건", Enter, the numbered list button, "첫째" gives a paragraph and a
    one-item list (the old editor gave "안건첫째" and an empty list); a heading stays
    apart from the next line; a link is a link; several files by drag and drop;
    comments; no serious axe violation on the form or the post."""
    team = teams["desk"]
    page, _ = browsers.open(people["dana"])
    page.goto(f"/teams/{team.id}/posts/new/")
    page.get_by_label("Title").fill("회의 안건")
    assert not axe_violations(page), describe(axe_violations(page))

    toolbar = page.get_by_role("toolbar", name="Formatting")
    page.get_by_role("textbox", name="Body").click()
    page.keyboard.type("안건")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Numbered list").click()
    page.keyboard.type("첫째")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item: out of the list
    toolbar.get_by_role("button", name="Heading").click()
    page.keyboard.type("결정")
    page.keyboard.press("Enter")
    page.keyboard.type("자료: ")
    toolbar.get_by_role("button", name="Link").click()
    address = page.get_by_label("Link address")
    address.fill("javascript:alert(1)")
    address.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("https://")
    address.fill("https://example.com/docs")
    address.press("Enter")
    expect(address).to_be_hidden()

    # Two files dropped on the attachments field, as from a file manager.
    zone = page.locator("[data-drop-zone]")
    page.evaluate(
        """zone => {
            const files = new DataTransfer();
            files.items.add(new File(["first file"], "agenda.txt", {type: "text/plain"}));
            files.items.add(new File(["둘째 파일"], "회의록.txt", {type: "text/plain"}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                const init = {dataTransfer: files, bubbles: true, cancelable: true};
                zone.dispatchEvent(new DragEvent(type, init));
            }
        }""",
        zone.element_handle(),
    )
    expect(page.locator(".drop-zone__files li")).to_have_count(2)
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", name="회의 안건", level=1)).to_be_visible()
    assert blocks_of(page) == [
        ["P", "안건"],
        ["OL", ["첫째"]],
        ["H3", "결정"],
        ["P", "자료: https://example.com/docs"],
    ], blocks_of(page)
    link = page.locator(".post .prose").get_by_role("link", name="https://example.com/docs")
    assert link.get_attribute("href") == "https://example.com/docs"
    assert "noopener" in (link.get_attribute("rel") or "")
    link.click(trial=True)  # visible, enabled, not covered: a reader can click it

    files = page.locator(".attachments").get_by_role("link")
    expect(files).to_have_text(["agenda.txt", "회의록.txt"])
    with page.expect_download() as download:
        files.nth(1).click()
    assert Path(download.value.path()).read_text() == "둘째 파일"
    assert not axe_violations(page), describe(axe_violations(page))

    # A comment by the other member; its author edits it; the host deletes it.
    other, _ = browsers.open(people["hyun"], lang="ko")
    other.goto(page.url)
    other.get_by_role("textbox", name="댓글", exact=True).fill("좋아요. 첫째 안건부터 보죠.")
    other.get_by_role("button", name="댓글 달기").click()
    comment = other.locator(".comment")
    expect(comment).to_contain_text("좋아요. 첫째 안건부터 보죠.")
    expect(comment).to_contain_text("Hyun")
    comment.locator("summary").click()
    comment.get_by_role("textbox", name="댓글", exact=True).fill("첫째 안건부터 봐요.")
    comment.get_by_role("button", name="댓글 저장").click()
    expect(other.locator(".comment__text")).to_have_text("첫째 안건부터 봐요.")
    assert not axe_violations(other), describe(axe_violations(other))

    page.reload()
    host_comment = page.locator(".comment")
    expect(host_comment.locator("summary")).to_have_count(0)  # not hers to edit
    host_comment.get_by_role("link", name="Delete… this comment").click()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_text("No comments yet.")).to_be_visible()

    # Editing the post shows the same blocks and keeps them.
    page.get_by_role("link", name="Edit").click()
    editor = page.get_by_role("textbox", name="Body")
    expect(editor.locator("ol > li")).to_have_text(["첫째"])
    page.get_by_role("button", name="Save post").click()
    assert blocks_of(page)[1] == ["OL", ["첫째"]]
