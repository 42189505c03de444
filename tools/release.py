"""Build and check one package for release from its tag, e.g. ``teammoa-core-v0.2.0``.

    python tools/release.py teammoa-core-v0.2.0 --out dist/
    python tools/release.py --current --allow-unreleased --out DIR   (every package, in CI)

A release tag names one package and its version. Before anything is published this
checks that the version in the package's ``__init__.py`` is the tag's, that its
CHANGELOG has a dated section for it (``## 0.2.0 - 2026-12-20``, Keep a Changelog), builds
the sdist and wheel, checks that the wheel carries its LICENSE and no
``teammoa/__init__.py``, and runs ``twine check --strict``. The release workflow runs it on
the tag; the ``build`` nox session runs the same on every change (``--current``), where a
version not released yet may still sit under ``## Unreleased``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "schedule", "mindmap")
TAG = re.compile(r"^teammoa-(?P<name>[a-z]+)-v(?P<version>\d+\.\d+\.\d+)$")
VERSION = re.compile(r'^__version__ = "(?P<version>[^"]+)"$', re.M)
SECTION = re.compile(r"^## \[?(?P<version>\d+\.\d+\.\d+)\]? [-–—] (?P<date>\S+)\s*$", re.M)


class ReleaseError(Exception):
    """The tag cannot be released as it stands; the message says why."""


def parse_tag(tag: str) -> tuple[str, str]:
    match = TAG.match(tag)
    if not match or match["name"] not in PACKAGES:
        raise ReleaseError(
            f"{tag!r} is not a release tag; expected teammoa-<{'|'.join(PACKAGES)}>-vX.Y.Z"
        )
    return match["name"], match["version"]


def package_version(name: str) -> str:
    init = ROOT / "packages" / f"teammoa-{name}" / "src" / "teammoa" / name / "__init__.py"
    match = VERSION.search(init.read_text(encoding="utf-8"))
    if not match:
        raise ReleaseError(f"{init} has no __version__ line")
    return match["version"]


def changelog_date(changelog: str, version: str) -> datetime.date | None:
    """The date of the version's section, or None when it has none."""
    for match in SECTION.finditer(changelog):
        if match["version"] == version:
            try:
                return datetime.date.fromisoformat(match["date"])
            except ValueError:
                raise ReleaseError(
                    f"the CHANGELOG section of {version} has the date {match['date']!r}; "
                    "write it as YYYY-MM-DD"
                ) from None
    return None


def check_changelog(name: str, version: str, allow_unreleased: bool) -> None:
    path = ROOT / "packages" / f"teammoa-{name}" / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    if changelog_date(text, version) is not None:
        return
    if allow_unreleased and re.search(r"^## Unreleased\s*$", text, re.M):
        return
    raise ReleaseError(
        f"{path.relative_to(ROOT)} has no dated section for {version}: rename "
        f"'## Unreleased' to '## {version} - YYYY-MM-DD' (and open a new Unreleased)"
    )


def check_wheel(wheel: Path, name: str) -> None:
    files = zipfile.ZipFile(wheel).namelist()
    if "teammoa/__init__.py" in files:
        raise ReleaseError(f"{wheel.name} contains teammoa/__init__.py")
    if not any(f.endswith(".dist-info/licenses/LICENSE") for f in files):
        raise ReleaseError(f"{wheel.name} does not carry its LICENSE")
    if f"teammoa/{name}/__init__.py" not in files:
        raise ReleaseError(f"{wheel.name} lacks teammoa/{name}/__init__.py")


def build(name: str, version: str, out: Path) -> list[Path]:
    source = ROOT / "packages" / f"teammoa-{name}"
    target = out / name
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.is_file():
            old.unlink()
    uv = os.environ.get("UV", "uv")
    subprocess.run([uv, "build", "--quiet", "--out-dir", str(target), str(source)], check=True)
    # uv also leaves a .gitignore there: only distributions count.
    artifacts = sorted([*target.glob("*.whl"), *target.glob("*.tar.gz")])
    stem = f"teammoa_{name}-{version}"
    wheels = [a for a in artifacts if a.name.startswith(stem) and a.suffix == ".whl"]
    sdists = [a for a in artifacts if a.name == f"{stem}.tar.gz"]
    if len(wheels) != 1 or len(sdists) != 1:
        raise ReleaseError(
            f"expected one {stem} wheel and sdist, got {[a.name for a in artifacts]}"
        )
    check_wheel(wheels[0], name)
    subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, artifacts)], check=True
    )
    return artifacts


def release(name: str, version: str, out: Path, allow_unreleased: bool) -> list[Path]:
    found = package_version(name)
    if found != version:
        raise ReleaseError(f"teammoa-{name} is at {found} in __init__.py, the tag says {version}")
    check_changelog(name, version, allow_unreleased)
    return build(name, version, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tag", nargs="?", help="teammoa-<name>-vX.Y.Z")
    parser.add_argument("--current", action="store_true", help="every package at its version")
    parser.add_argument("--allow-unreleased", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    try:
        if args.current:
            targets = [(name, package_version(name)) for name in PACKAGES]
        elif args.tag:
            targets = [parse_tag(args.tag)]
        else:
            parser.error("give a tag or --current")
        for name, version in targets:
            artifacts = release(name, version, args.out, args.allow_unreleased)
            print(f"teammoa-{name} {version}: " + ", ".join(a.name for a in artifacts))
            github_output = os.environ.get("GITHUB_OUTPUT")
            if github_output and not args.current:
                with open(github_output, "a", encoding="utf-8") as output:
                    output.write(f"package=teammoa-{name}\nversion={version}\n")
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
