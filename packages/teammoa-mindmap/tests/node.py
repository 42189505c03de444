"""Runs the editor's scripts in Node: each prints one JSON line of observations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parents[1] / "src/teammoa/mindmap/static/teammoa_mindmap/js"
SCRIPTS = Path(__file__).resolve().parent / "js"


def run_script(script: str, module: str | None = None) -> dict[str, Any]:
    """Run ``tests/js/<script>`` with the modules' folder (or one module) as its argument."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
            pytest.fail("node is needed for the editor's script tests")
        pytest.skip("node is not installed")
    target = (JS / module) if module else JS
    done = subprocess.run(
        [node, str(SCRIPTS / script), target.as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
