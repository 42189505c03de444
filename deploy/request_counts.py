"""Print this container's HTTP request and 5xx totals: ``<requests> <errors>``.

The rolling deploy's error gate (rolling_deploy.sh) reads them before and after a short
window to get the new release's error ratio. Health probes and scrapes are left out (the
health gate judges those). Reads ``/metrics`` on this container with
``TEAMMOA_METRICS_TOKEN``; exits 1 when it cannot.
"""

from __future__ import annotations

import os
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

PROBES = {"health", "health_live", "metrics"}


def counts(text: str) -> tuple[int, int]:
    requests = errors = 0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name != "teammoa_http_requests_total":
                continue
            if sample.labels.get("route") in PROBES:
                continue
            requests += int(sample.value)
            if sample.labels.get("status", "").startswith("5"):
                errors += int(sample.value)
    return requests, errors


def main() -> int:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    token = os.environ.get("TEAMMOA_METRICS_TOKEN", "")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            text = response.read().decode("utf-8")
    except OSError as exc:
        print(f"cannot read the metrics: {exc}", file=sys.stderr)
        return 1
    print(*counts(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
