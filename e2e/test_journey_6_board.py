"""Journey 6: the board: write a post with a heading and a numbered list using the editor's
buttons, and the result is exactly what was typed, with an attachment; search it;
download it; a non-member gets 404 on the page and the file."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

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
