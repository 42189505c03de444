"""Check the committed translation catalogs (.po).

- Every catalog has an up-to-date compiled .mo: the wheels ship the .mo files, so a .po
  edited without `compilemessages` would silently ship stale translations.
- No Korean translation writes a particle in both forms, "을(를)", "(으)로", "이(가)":
  machine-like, and a sentence can always be rephrased so the particle follows a fixed
  word ("“%(title)s” 마일스톤을 …") or is not needed ("…: %(date)s").

Exit status 1 lists every problem found.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {".venv", ".nox", "node_modules", "build", "dist"}
# A particle in both forms, for a word whose last syllable the translator could not know:
# 을(를), (을)를, 이(가), 은(는), 과(와), (으)로, (이)나, (이)라고, 아(야), (이)여 …
DOUBLE_PARTICLE = re.compile(r"\((?:을|를|이|가|은|는|과|와|으|아|야)\)")


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


def catalogs(root: Path = ROOT) -> list[Path]:
    return [
        path
        for path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po"))
        if not any(
            part in SKIP_PARTS or part.startswith(".") for part in path.relative_to(root).parts
        )
    ]


def double_particles(po_path: Path, name: object) -> list[str]:
    """Korean entries that write a particle in both forms ("을(를)")."""
    found = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for text in texts:
            match = DOUBLE_PARTICLE.search(text)
            if match:
                found.append(
                    f"{name}: “{entry.msgid}” → “{text}” writes the particle "
                    f"“{match.group()}” in both forms; rephrase the sentence"
                )
                break
    return found


def problems(root: Path = ROOT) -> list[str]:
    found = []
    for po_path in catalogs(root):
        name = po_path.relative_to(root)
        if po_path.parent.parent.name == "ko":
            found += double_particles(po_path, name)
        mo_path = po_path.with_suffix(".mo")
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
