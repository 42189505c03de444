"""pytest plugin: the ``services`` marker and the shared team fixtures.

Fixtures (one meaning everywhere, in every package's tests): ``team`` (a host and two
members), ``host``, ``member`` and ``member2`` (their Memberships), ``host_user`` and
``member_user`` (their users). A test module may override ``team``; the others follow it.

``@pytest.mark.services("mysql", "redis")`` marks a test that needs real services. When one
is missing the test is skipped, unless ``TEAMMOA_REQUIRE_SERVICES=1`` (CI), which makes it
fail: a missing service never passes silently.
"""

from __future__ import annotations

from typing import Any

import pytest

from teammoa.core.testing.services import SERVICE_NAMES, missing_services, services_required


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "services(*names): needs real MySQL/MariaDB and/or Redis (mysql, redis), or the "
        "redis-server program for a Redis of the test's own (redis-server)",
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


# --- the shared team fixtures (models are imported inside: Django is set up by then) -----


@pytest.fixture
def team() -> Any:
    """A team with a host and two members."""
    from teammoa.core.testing.factories import make_team

    return make_team(members=2)


@pytest.fixture
def host(team: Any) -> Any:
    """The team's host (a Membership)."""
    from teammoa.core.testing.factories import host_of

    return host_of(team)


def _members(team: Any) -> list[Any]:
    return list(team.memberships.filter(role="member").select_related("user").order_by("pk"))


@pytest.fixture
def member(team: Any) -> Any:
    """The team's first plain member (a Membership)."""
    return _members(team)[0]


@pytest.fixture
def member2(team: Any) -> Any:
    """The team's second plain member (a Membership)."""
    return _members(team)[1]


@pytest.fixture
def host_user(host: Any) -> Any:
    return host.user


@pytest.fixture
def member_user(member: Any) -> Any:
    return member.user
