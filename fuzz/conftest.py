"""The fuzz suite: one live server for the whole run, and the figures it reports.

Without MariaDB/MySQL or Redis the suite skips with the reason, unless
``TEAMMOA_REQUIRE_SERVICES=1`` (CI), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import resource
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import live as live_module
import pytest
from known import SEEN, known_log_line

# Every figure the session prints (and docs/reliability.md records).
FIGURES: Counter[str] = Counter()
STARTED = time.monotonic()
# Lines of the server's log that count as a crash or an unhandled error.
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)")


_LIVE: live_module.Live | None = None


def live_server() -> live_module.Live:
    """The one server of this run, started on first use (test modules load the API schema
    from it at import); skips, or fails under TEAMMOA_REQUIRE_SERVICES=1, without services."""
    global _LIVE
    if _LIVE is None:
        problem = live_module.missing_services()
        if problem:
            message = f"services not reachable: {problem}"
            if live_module.services_required():
                pytest.fail(f"{message} (TEAMMOA_REQUIRE_SERVICES=1)")
            pytest.skip(message, allow_module_level=True)
        _LIVE = live_module.start()
        FIGURES["server start-up seconds"] = round(time.monotonic() - STARTED)
    return _LIVE


@pytest.fixture(scope="session")
def live() -> Iterator[live_module.Live]:
    """The server; at the end of the run it must still be up, with no error in its log."""
    server = live_server()
    yield server
    FIGURES["cpu seconds, server"] = round(server.cpu_seconds())
    strays = stray_rows()
    alive, log = server.healthy(), server.log()
    errors = [line for line in log.splitlines() if ERROR_LINE.search(line)]
    headlines = sorted({line.split(" ", 3)[-1] for line in errors if "ERROR" in line})
    unknown = [line for line in headlines if not known_log_line(line)]
    FIGURES["server errors logged"] = len(errors)
    if not alive:
        pytest.fail(f"the server died or stopped answering during the run:\n{log[-5000:]}")
    if unknown:
        pytest.fail(
            f"the server logged {len(unknown)} distinct error(s) not known:\n"
            + "\n".join(unknown[:40])
            + f"\n\nthe last lines of its log:\n{log[-3000:]}"
        )
    if strays:
        pytest.fail(f"the database ended inconsistent: {strays}")


def stray_rows() -> dict[str, list[Any]]:
    """Rows that break an invariant no request may break, whatever it sent."""
    from django.db.models import F

    from teammoa.core.models import Membership, Role, Team
    from teammoa.mindmap.models import Connection

    found = {
        "connections across mindmaps": list(
            (
                Connection.objects.exclude(source__mindmap=F("mindmap"))
                | Connection.objects.exclude(target__mindmap=F("mindmap"))
            ).values_list("pk", flat=True)[:10]
        ),
        "teams without exactly one host": [
            team.pk
            for team in Team.objects.all()
            if Membership.objects.filter(team=team, role=Role.HOST).count() != 1
        ][:10],
    }
    return {name: rows for name, rows in found.items() if rows}


# The order the modules run in: the text and socket properties need the seeded objects,
# which the API fuzzer may delete, so it runs last.
MODULE_ORDER = ["test_text.py", "test_websocket.py", "test_api.py"]


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    def rank(item: Any) -> int:
        name = Path(str(item.fspath)).name
        return MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER)

    items.sort(key=rank)  # stable: the order within a module stays


@pytest.fixture(scope="session")
def world(live: live_module.Live) -> dict[str, Any]:
    return live.world


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _LIVE is not None:
        _LIVE.stop()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if not FIGURES:
        return
    FIGURES["seconds"] = round(time.monotonic() - STARTED)
    own = resource.getrusage(resource.RUSAGE_SELF)
    # The server, migrate and collectstatic, once reaped (pytest_sessionfinish stops the
    # server before this summary is written).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    FIGURES["cpu seconds, all processes"] = round(
        own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    )
    terminalreporter.section("fuzz figures")
    for name, value in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name:>40}: {value}")
    if SEEN:
        terminalreporter.section("known failures (fuzz/known.py)")
        for line, count in sorted(SEEN.items()):
            terminalreporter.write_line(f"{count:>6} x {line}")
    target = os.environ.get("TEAMMOA_FUZZ_FIGURES")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(FIGURES.items())), indent=2) + "\n")
