"""The README's two set-up commands are the ones CI proves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    # The first block lists system packages; the next two are the set-up commands.
    return [block.strip() for block in blocks[1:3]]


def test_readme_opens_with_run_and_test_commands():
    run, test = readme_commands()
    assert "\n" not in run and "\n" not in test, "each set-up command is one line"
    assert "manage.py runserver 127.0.0.1:8000" in run
    assert run.startswith("python3 -m venv .venv")
    assert test.endswith(".venv/bin/nox")


def test_ci_runs_the_readme_test_command():
    _, test = readme_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    match = re.search(r"^TEST_COMMAND='(.*)'$", script, flags=re.M)
    assert match, ".ci/run must define TEST_COMMAND"
    assert match.group(1) == test
    assert 'bash -c "$TEST_COMMAND"' in script
    assert "TEAMMOA_REQUIRE_SERVICES=1" in script


def test_readme_lists_system_packages_before_the_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    packages = text.index("default-libmysqlclient-dev")
    assert packages < text.index("python3 -m venv .venv")
