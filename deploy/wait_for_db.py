"""Wait for the configured database, with a deadline; exit non-zero with a clear message.

Used by the container entrypoint before migrations and the server start, so a database
that is still booting (compose, a restarted RDS instance) delays the start instead of
failing it, and one that never comes fails it with a message an operator can act on.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def describe(settings_dict: dict) -> str:
    engine = settings_dict.get("ENGINE", "").rsplit(".", 1)[-1]
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or ""
    where = f"{host}:{port}" if port else host
    if engine == "sqlite3":
        return f"sqlite3 at {settings_dict.get('NAME')}"
    return f"{engine} at {where}, database {settings_dict.get('NAME')!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between tries")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    import django

    django.setup()
    from django.db import connections

    connection = connections["default"]
    target = describe(connection.settings_dict)
    deadline = time.monotonic() + args.timeout
    attempts = 0
    while True:
        attempts += 1
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # any driver error means "not yet"
            last = f"{type(exc).__name__}: {exc}"
        else:
            connection.close()
            print(f"wait_for_db: {target} is up (attempt {attempts})", file=sys.stderr)
            return 0
        finally:
            # A half-open connection must not be reused by the next attempt.
            connection.close()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(
                f"wait_for_db: ERROR: the database ({target}) did not answer within "
                f"{args.timeout:g} s ({attempts} attempts); last error: {last}",
                file=sys.stderr,
            )
            return 1
        time.sleep(min(args.interval, remaining))


if __name__ == "__main__":
    sys.exit(main())
