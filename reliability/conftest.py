"""The reliability suite: the production stack under faults while people use it.

One stack for the whole run (``deploy/tests/stack.py``, shared with the e2e suite): nginx
with the repository's config (TLS, throwaway certificate) in front of two app instances
(``deploy/serve.py``, production settings), on a MariaDB server and a Redis server of the
suite's own (``deploy/tests/throwaway.py``: free ports, its own data directory), which
the outage scenarios stop and start. Never the machine's shared services.

A scenario is one module, ``test_<n>_<name>.py``, run in file order, using these fixtures:

``stack``
    the running stack: ``stack.instances`` (``web1``, ``web2``: ``stop()`` = SIGTERM with
    drain, ``kill()`` = SIGKILL, ``start()``, ``wait_healthy()``), ``stack.nginx``,
    ``stack.reload_nginx()``, ``stack.https_port``, ``stack.base_url``.
``services``
    ``services.mariadb`` and ``services.redis`` (``stop()``, ``start()``,
    ``outage(seconds)`` as a context manager, ``url``, ``port``).
``world``
    the team (``world.team``), 40 members (``world.people``: ``id``, ``name``,
    ``session`` cookie, API ``token``, membership id ``member``; ``people[0]`` is the
    host; scenarios that remove members take them from the end, ``people[-1]`` first) and
    a pool of empty mindmaps: ``world.take()`` gives each caller one nobody else used.
``db``
    direct reads of the site's database (``db.mindmap_state(id)``, ``db.rows(sql)``).
``figures``
    ``figures(scenario)`` is the dict to put that scenario's numbers in; they are printed
    at the end of the run (and written to ``TEAMMOA_RELIABILITY_FIGURES`` as JSON).

Before each test (``ready``, automatic) both services run and both instances are up and
healthy, whatever the previous scenario left, and nginx is reloaded (fresh upstream state).
The people and their clients live in ``support/clients.py`` (``Editor``, ``edit``,
``HttpLoad``) and ``support/probes.py`` (memory, connections, keys).

Without mariadbd, mariadb-install-db, redis-server, nginx or openssl the suite skips,
unless ``TEAMMOA_REQUIRE_SERVICES=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stack as shared  # deploy/tests/stack.py (pytest.ini's pythonpath)
from support import session
from support import world as world_module
from support.session import Services, throwaway

STARTED = time.monotonic()
FIGURES: dict[str, dict[str, Any]] = {}


def _required() -> bool:
    return os.environ.get("TEAMMOA_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    missing = throwaway.missing_tools() + [
        tool for tool in ("nginx", "openssl") if not shutil.which(tool)
    ]
    if missing:
        reason = f"missing: {', '.join(missing)} (apt-get install mariadb-server redis-server)"
        if _required():
            pytest.fail(reason + " (TEAMMOA_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    started = Services()
    try:
        started.start()
        yield started
    finally:
        started.close()


@pytest.fixture(scope="session")
def stack(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    began = time.monotonic()
    with shared.running_stack(
        tmp_path_factory.mktemp("stack"),
        session.settings(services),
        secret_key=session.SECRET_KEY,
        env={"LOG_FORMAT": "plain"},
    ) as running:
        FIGURES.setdefault("stack", {})["start-up seconds"] = round(time.monotonic() - began, 1)
        _STACKS.append(running)
        try:
            yield running
        finally:
            _STACKS.clear()


@pytest.fixture(scope="session")
def world(stack: Any) -> world_module.World:
    names = [f"map {n}" for n in range(session.MINDMAPS)]
    return world_module.make(stack, session.PEOPLE, names)


@pytest.fixture(scope="session")
def db(services: Services) -> world_module.Database:
    return world_module.Database(services.mariadb, session.DATABASE)


@pytest.fixture(scope="session")
def figures() -> Any:
    def of(scenario: str) -> dict[str, Any]:
        return FIGURES.setdefault(scenario, {})

    return of


@pytest.fixture(autouse=True)
def ready(request: pytest.FixtureRequest) -> None:
    """Both services and both instances up and healthy; nginx with fresh upstream state."""
    if "stack" not in request.fixturenames:
        return
    services: Services = request.getfixturevalue("services")
    stack = request.getfixturevalue("stack")
    services.start()
    for instance in stack.instances:
        if not instance.running:
            instance.start()
    for instance in stack.instances:
        instance.wait_healthy(60)
    stack.nginx.check_running()
    stack.reload_nginx()
    time.sleep(0.3)


_STACKS: list[Any] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """A failed scenario carries what the servers said: nginx's errors, the instances' logs."""
    report = yield
    if report.failed and _STACKS:
        stack = _STACKS[0]
        errors = stack.root / "nginx" / "logs" / "error.log"
        lines = errors.read_text(errors="replace").splitlines() if errors.exists() else []
        report.sections.append(
            ("nginx errors", "\n".join(line for line in lines if "[error]" in line)[-6000:])
        )
        for instance in stack.instances:
            report.sections.append((f"{instance.name} log", instance.output()[-6000:]))
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if not FIGURES:
        return
    FIGURES.setdefault("stack", {})["session seconds"] = round(time.monotonic() - STARTED)
    terminalreporter.section("reliability figures")
    for scenario, values in FIGURES.items():
        terminalreporter.write_line(f"{scenario}:")
        for name, value in values.items():
            terminalreporter.write_line(f"  {name:>44}: {value}")
    target = os.environ.get("TEAMMOA_RELIABILITY_FIGURES")
    if target:
        Path(target).write_text(json.dumps(FIGURES, indent=2, default=str) + "\n")
