"""Core as a library: the same checks the sibling apps run, and it imports none of them."""

from __future__ import annotations

from pathlib import Path

from teammoa.core.testing.library import AppLibraryChecks


class TestCoreAsLibrary(AppLibraryChecks):
    label = "teammoa_core"
    module = "teammoa.core"
    verbose_name = "TeamMoa teams"
    # Dependencies point one way: core never imports the apps built on it.
    forbidden_imports = ("teammoa_site", "teammoa.schedule", "teammoa.mindmap")
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
