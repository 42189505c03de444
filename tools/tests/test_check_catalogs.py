"""tools/check_catalogs.py: compiled catalogs in step, and Korean without "을(를)"."""

from __future__ import annotations

import sys
from pathlib import Path

import polib
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import check_catalogs


def _catalog(root: Path, language: str, entries: dict[str, str]) -> Path:
    path = root / "app" / "locale" / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": language}
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))
    return path


@pytest.mark.parametrize(
    "msgstr",
    [
        "“%(title)s”을(를) 삭제했습니다.",
        "%(end)s(으)로 바꿨습니다.",
        "%(date)s이(가) 두 번 나옵니다.",
        "“%(value)s”은(는) 올바르지 않습니다.",
        "%(name)s(이)나 %(other)s",
    ],
)
def test_a_particle_in_both_forms_is_a_problem(tmp_path, msgstr):
    _catalog(tmp_path, "ko", {"Something with %(title)s": msgstr})
    (problem,) = check_catalogs.problems(tmp_path)
    assert "rephrase" in problem and msgstr in problem


def test_rephrased_korean_and_other_languages_pass(tmp_path):
    _catalog(tmp_path, "ko", {"Deleted %(title)s.": "“%(title)s” 마일스톤을 삭제했습니다."})
    (tmp_path / "other").mkdir()
    _catalog(tmp_path / "other", "de", {"Note (a)": "Notiz (가)"})
    assert check_catalogs.problems(tmp_path) == []


def test_a_stale_mo_is_a_problem(tmp_path):
    path = _catalog(tmp_path, "ko", {"Edit": "수정"})
    path.write_text(path.read_text().replace('msgstr "수정"', 'msgstr "편집"'))
    (problem,) = check_catalogs.problems(tmp_path)
    assert "compilemessages" in problem


def test_the_committed_catalogs_have_no_problem():
    assert check_catalogs.problems() == []
