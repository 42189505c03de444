"""The schedule app as a library: its AppConfig, migrations, URLs and the user model."""

from __future__ import annotations

from pathlib import Path

from teammoa.core.testing.library import AppLibraryChecks


class TestScheduleAsLibrary(AppLibraryChecks):
    label = "teammoa_schedule"
    module = "teammoa.schedule"
    verbose_name = "TeamMoa schedule"
    forbidden_imports = ("teammoa_site", "teammoa.mindmap")
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
