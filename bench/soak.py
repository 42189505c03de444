"""The reliability session's soak for 30 minutes (not in the test command, which runs it
for 2): the same stack (nginx, two deploy/serve.py instances, a MariaDB and a Redis of
its own on free ports), the same churn, edits, cursors and HTTP mix
(reliability/support/soak.py), the same targets; prints its figures.

    .venv/bin/nox -s reliability --install-only
    .nox/reliability/bin/python bench/soak.py --minutes 30

Run it with the reliability session's environment (``nox -s reliability`` installs it);
needs nginx, openssl, mariadb-server and redis-server. Only 127.0.0.1 is used; everything
it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "reliability"), str(ROOT / "deploy" / "tests")]

from support import session, soak  # noqa: E402 - reliability/support, on the path above


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="teammoa-soak-") as scratch,
        session.running(Path(scratch)) as (services, stack, world, db),
    ):
        mindmaps = [world.take() for _ in range(3)]
        redis = services.redis.client()
        try:
            out = asyncio.run(soak.soak(stack, world, db, redis, args.minutes * 60, mindmaps))
        finally:
            redis.close()
    for name, value in soak.figures(out).items():
        print(f"{name:>50}: {value}")
    found = soak.problems(out)
    for problem in found:
        print(f"PROBLEM: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
