import pytest

from teammoa.core import services
from teammoa.core.testing.factories import TEAM_PASSWORD, add_member, host_of, make_team, make_user

pytestmark = pytest.mark.django_db


def test_create_join_leave_roundtrip():
    team = make_team(members=1, max_members=3)
    joiner = make_user()
    membership = services.join_team(joiner, team.invite_code, TEAM_PASSWORD)
    assert membership.role == "member"
    assert team.memberships.count() == 3
    host = host_of(team)
    services.leave_team(host.user, team.pk)
    assert team.memberships.filter(role="host").count() == 1
    assert host_of(team).pk != host.pk
    add_member  # noqa: B018
