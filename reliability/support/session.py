"""The suite's own services and stack, outside pytest too (``bench/soak.py``): a MariaDB
and a Redis of its own (``deploy/tests/throwaway.py``) under the shared production stack
(``deploy/tests/stack.py``), with the people of ``support/world.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import stack as shared  # deploy/tests/stack.py (on the suite's pythonpath)

from support import world as world_module

throwaway = shared.throwaway
SECRET_KEY = "reliability-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLM"  # noqa: S105
DATABASE = "teammoa_reliability"
PEOPLE = 40
MINDMAPS = 24


class Services:
    def __init__(self) -> None:
        self.mariadb = throwaway.MariaDB()
        self.redis = throwaway.Redis()

    def start(self) -> None:
        for server in (self.mariadb, self.redis):
            if not server.running:
                server.start()

    def close(self) -> None:
        for server in (self.redis, self.mariadb):
            with contextlib.suppress(Exception):
                server.close()


def settings(services: Services) -> Any:
    return shared.Settings(
        database_url=f"{services.mariadb.url}/{DATABASE}", redis_url=f"{services.redis.url}/0"
    )


@contextlib.contextmanager
def running(root: Path) -> Iterator[tuple[Services, Any, world_module.World, Any]]:
    """(services, stack, world, db), all stopped and removed afterwards."""
    services = Services()
    try:
        services.start()
        with shared.running_stack(
            root, settings(services), secret_key=SECRET_KEY, env={"LOG_FORMAT": "plain"}
        ) as stack:
            names = [f"map {n}" for n in range(MINDMAPS)]
            world = world_module.make(stack, PEOPLE, names)
            yield services, stack, world, world_module.Database(services.mariadb, DATABASE)
    finally:
        services.close()
