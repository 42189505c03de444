"""pytest plugin: the ``services`` marker.

``@pytest.mark.services("mysql", "redis")`` marks a test that needs real services. When one
is missing the test is skipped, unless ``TEAMMOA_REQUIRE_SERVICES=1`` (CI), which makes it
fail: a missing service never passes silently.
"""

from __future__ import annotations

import pytest

from teammoa.core.testing.services import SERVICE_NAMES, missing_services, services_required


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "services(*names): needs real MySQL/MariaDB and/or Redis (mysql, redis)"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("services")
    if marker is None:
        return
    missing = missing_services(tuple(marker.args) or SERVICE_NAMES)
    if not missing:
        return
    reason = "needs " + "; ".join(missing)
    if services_required():
        pytest.fail(f"{reason} (TEAMMOA_REQUIRE_SERVICES=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)
