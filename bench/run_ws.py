"""The WebSocket runs of the ``bench`` session: many maps, one busy map, batched and plain.

Re-creates its own database (``teammoa_bench_ws``; BENCH_WS_DATABASE_URL overrides it),
migrates it, then runs ``bench/ws_fanout.py`` against one socket server started as
production starts it (``deploy/serve.py``'s socket server, production settings):

1. issue 17's many teams: 500 sockets over 100 mindmaps, cursors at 2 Hz and a move every
   5 s each, batched frames (``?batch=1``);
2. the same with plain protocol-v1 clients (no ``?batch=1``);
3. issue 10's busy map: 50 editors in one mindmap, cursors at 20 Hz and moves at 2 Hz,
   plain protocol-v1 clients;
4. the same with batched frames.

Each run prints its figures (latency percentiles, losses, gaps, time to the snapshot) and
OK or FAILED; the script exits non-zero when any run failed. ``--only N,M`` picks runs,
``--seconds`` sets their length (20).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
sys.path.insert(0, str(ROOT / "bench"))

from run_http import flush_redis, recreate_database  # noqa: E402

RUNS = {
    1: ("500 sockets over 100 maps, batched", ["--clients", "500", "--maps", "100",
        "--cursor-hz", "2", "--move-hz", "0.2", "--procs", "2"]),
    2: ("500 sockets over 100 maps, plain v1", ["--clients", "500", "--maps", "100",
        "--cursor-hz", "2", "--move-hz", "0.2", "--procs", "2", "--no-batch"]),
    3: ("50 editors in one map, plain v1", ["--clients", "50", "--procs", "2", "--no-batch"]),
    4: ("50 editors in one map, batched", ["--clients", "50", "--procs", "2"]),
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_WS_DATABASE_URL", "mysql://root@127.0.0.1:3306/teammoa_bench_ws"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--only", default=",".join(map(str, RUNS)), help="runs, e.g. 1,3")
    args = parser.parse_args(argv)
    chosen = [int(value) for value in args.only.split(",") if value.strip()]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "teammoa_site.settings.prod",
        "SECRET_KEY": "bench-only-not-secret-bench-only-not-secret-bench-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "LOG_FORMAT": "plain",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SITE), os.environ.get("PYTHONPATH")])),
    }
    recreate_database(args.database_url)
    flush_redis(args.redis_url)
    subprocess.run(
        [sys.executable, str(SITE / "manage.py"), "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    failed = []
    for number in chosen:
        title, options = RUNS[number]
        print(f"\n=== WebSocket run {number}: {title}, {args.seconds:g} s", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "ws_fanout.py"),
                "--spawn",
                "1",
                "--serve",
                "--seconds",
                str(args.seconds),
                *options,
            ],
            env=env,
            check=False,
        )
        print(f"(run {number}: {time.monotonic() - started:.0f} s in all)", flush=True)
        if result.returncode:
            failed.append(number)
    if failed:
        print(f"\nFAILED runs: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
