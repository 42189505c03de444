from __future__ import annotations

import pytest

from tests.support import DATABASE_URL, REDIS_URL, reachable, require


@pytest.fixture(scope="session")
def services() -> None:
    """MySQL/MariaDB and Redis on the URLs the nox session passes (127.0.0.1 by default)."""
    require(reachable(DATABASE_URL, 3306), f"no MySQL/MariaDB at {DATABASE_URL}")
    require(reachable(REDIS_URL, 6379), f"no Redis at {REDIS_URL}")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    for line in getattr(config, "teammoa_report", []):
        terminalreporter.write_line(line)
