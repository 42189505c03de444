"""tools/release.py: what may be released from a tag, and what is refused."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import release


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("teammoa-core-v0.2.0", ("core", "0.2.0")),
        ("teammoa-mindmap-v10.0.3", ("mindmap", "10.0.3")),
    ],
)
def test_release_tags(tag, expected):
    assert release.parse_tag(tag) == expected


@pytest.mark.parametrize(
    "tag",
    [
        "v0.2.0",
        "teammoa-site-v0.1.0",
        "teammoa-core-v0.2",
        "teammoa-core-0.2.0",
        "teammoa-core-v0.2.0rc1",
    ],
)
def test_other_tags_are_refused(tag):
    with pytest.raises(release.ReleaseError, match="not a release tag"):
        release.parse_tag(tag)


CHANGELOG = """# Changelog

## Unreleased

### Added
- something new

## 0.2.0 - 2026-12-20

### Fixed
- a thing

## [0.1.0] – 2026-11-30
"""


def test_changelog_sections_are_dated():
    assert release.changelog_date(CHANGELOG, "0.2.0") == datetime.date(2026, 12, 20)
    assert release.changelog_date(CHANGELOG, "0.1.0") == datetime.date(2026, 11, 30)
    assert release.changelog_date(CHANGELOG, "0.3.0") is None


def test_a_section_with_a_bad_date_is_refused():
    with pytest.raises(release.ReleaseError, match="YYYY-MM-DD"):
        release.changelog_date("## 0.2.0 - 20/12/2026\n", "0.2.0")


def test_a_version_only_under_unreleased_cannot_be_tagged(tmp_path, monkeypatch):
    package = tmp_path / "packages" / "teammoa-core"
    package.mkdir(parents=True)
    (package / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n\n- work\n")
    monkeypatch.setattr(release, "ROOT", tmp_path)
    with pytest.raises(release.ReleaseError, match=r"no dated section for 0\.2\.0"):
        release.check_changelog("core", "0.2.0", allow_unreleased=False)
    release.check_changelog("core", "0.2.0", allow_unreleased=True)  # CI, before a release


def test_the_tag_must_match_the_package_version():
    current = release.package_version("core")
    with pytest.raises(release.ReleaseError, match=r"the tag says 99\.0\.0"):
        release.release("core", "99.0.0", Path("unused"), allow_unreleased=True)
    assert release.TAG.match(f"teammoa-core-v{current}")
