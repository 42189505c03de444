"""Check that every committed translation catalog (.po) has an up-to-date compiled .mo.

The wheels ship the .mo files, so a .po edited without `compilemessages` would silently
ship stale translations. Exit status 1 lists every catalog that is out of step.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {".venv", ".nox", "node_modules", "build", "dist"}


def translations(entries: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    table: dict[tuple[str | None, str], object] = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if any(forms):
                table[(entry.msgctxt, entry.msgid)] = forms
        elif entry.msgstr:
            table[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return table


def problems() -> list[str]:
    found = []
    for po_path in sorted(ROOT.rglob("locale/*/LC_MESSAGES/*.po")):
        if SKIP_PARTS.intersection(po_path.relative_to(ROOT).parts):
            continue
        mo_path = po_path.with_suffix(".mo")
        name = po_path.relative_to(ROOT)
        if not mo_path.exists():
            found.append(f"{name}: no compiled .mo (run compilemessages)")
            continue
        if translations(polib.pofile(str(po_path))) != translations(polib.mofile(str(mo_path))):
            found.append(f"{name}: the .mo differs from the .po (run compilemessages)")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    print(f"{len(found)} catalog problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
