"""The production stack for the browser journeys: ``deploy/tests/stack.py`` (shared with
the reliability suite; it says what differs from a real deployment) on the MariaDB and
Redis the nox session names, on fixed ports (``TEAMMOA_E2E_PORT_BASE`` + 1..6).

What only the journeys need: absolute links the site writes (the invite link, e-mailed
links) name no port, as nginx forwards ``Host`` without it, so the journeys follow them on
this stack's origin (``on_stack``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import stack as shared  # deploy/tests/stack.py, on pytest.ini's pythonpath

E2E_DIR = Path(__file__).resolve().parents[1]
ROOT = E2E_DIR.parent
SECRET_KEY = "e2e-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN"  # noqa: S105

HOST = shared.HOST
Settings = shared.Settings
Stack = shared.Stack
wait_until = shared.wait_until


def settings_from_env() -> Settings:
    return Settings(
        database_url=os.environ.get(
            "DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa_e2e_suite"
        ),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8"),
        port_base=int(os.environ.get("TEAMMOA_E2E_PORT_BASE", "18800")),
    )


def on_stack(url: str) -> str:
    """A link the site wrote (without this stack's port), as a path the browser follows."""
    parsed = urlparse(url)
    assert parsed.hostname in {HOST, "localhost"}, url
    return parsed._replace(scheme="", netloc="").geturl()


@contextlib.contextmanager
def running_stack(root: Path, settings: Settings | None = None) -> Iterator[Stack]:
    """The shared stack; the journeys need no drain time when it stops."""
    with shared.running_stack(
        root,
        settings or settings_from_env(),
        secret_key=SECRET_KEY,
        instance_env={"TEAMMOA_DRAIN_SECONDS": "0"},
    ) as stack:
        yield stack
