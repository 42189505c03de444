"""Docker HEALTHCHECK without curl: exit 0 when ``/health/`` on this container answers 200."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    url = f"http://127.0.0.1:{port}/health/"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            print(response.read(300).decode("utf-8", "replace"))
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:  # 503: unhealthy or draining, body says which
        print(f"{exc.code} {exc.read(300).decode('utf-8', 'replace')}")
    except OSError as exc:
        print(f"{url}: {exc}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
