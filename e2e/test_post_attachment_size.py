"""An attachment over the size limit is named beside the field as soon as it is chosen,
in the unit the file list uses (exploratory testing, #13: the list said "10742 KB" and
only a passing tooltip on Publish said "10.5 MB; the limit is 10.0 MB")."""

from __future__ import annotations

from playwright.sync_api import expect

BIG = 11 * 1024 * 1024  # over the default 10 MB limit


def test_a_file_over_the_limit_is_flagged_when_chosen(browsers, people, teams, tmp_path):
    team = teams["desk"]
    big = tmp_path / "big.bin"
    with big.open("wb") as out:  # sparse: no 11 MB written
        out.truncate(BIG)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"hello")
    page, _ = browsers.open(people["hyun"], lang="ko")
    page.goto(f"/teams/{team.id}/posts/new/")
    field = page.get_by_label("첨부 파일")

    # By path: the browser reads the files itself (a buffer this big is slow to send).
    field.set_input_files([big, notes], timeout=60_000)

    listed = page.locator(".drop-zone__files li")
    expect(listed).to_have_text(["big.bin (11.0 MB)", "notes.txt (5 B)"])
    error = page.locator("#id_attachments_size_error")
    expect(error).to_be_visible()
    expect(error).to_have_text(
        "“big.bin” 파일은 11.0 MB입니다. 파일 하나에 최대 10.0 MB까지 올릴 수 있습니다."
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "id_attachments_size_error" in (field.get_attribute("aria-describedby") or "")

    # Choosing again without the big file clears the message.
    field.set_input_files(notes)
    expect(error).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
