"""Factories shared by the TeamMoa packages' tests: users, teams and members built the
same way everywhere (through the real services, so every invariant holds)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from teammoa.core.models import Membership, Role, Team

if TYPE_CHECKING:
    from teammoa.core.users import Actor

TEAM_PASSWORD = "team-pass-1234"  # noqa: S105 - a test fixture, not a secret
USER_PASSWORD = "user-pass-1234"  # noqa: S105

_sequence = itertools.count(1)


def make_user(username: str | None = None, **fields: Any) -> Any:
    """A user of whatever ``AUTH_USER_MODEL`` is; ``nickname`` is set where it exists."""
    model = get_user_model()
    number = next(_sequence)
    username = username or f"user{number}"
    field_names = {field.name for field in model._meta.get_fields()}
    if "nickname" in field_names:
        fields.setdefault("nickname", f"Nick {username}"[:20])
    if "email" in field_names:
        fields.setdefault("email", f"{username}@example.com")
    return model.objects.create_user(username=username, password=USER_PASSWORD, **fields)


def make_team(host: Any = None, members: int = 0, **fields: Any) -> Team:
    """A team created by ``host`` (a new user by default) with ``members`` more members."""
    from teammoa.core.services import create_team

    host = host or make_user()
    fields.setdefault("title", f"Team {next(_sequence)}")
    fields.setdefault("password", TEAM_PASSWORD)
    team = create_team(host, **fields)
    for _ in range(members):
        add_member(team)
    return team


def add_member(team: Team, user: Actor = None) -> Membership:
    """Add a plain member directly (tests of joining itself go through ``join_team``)."""
    return Membership.objects.create(team=team, user=user or make_user(), role=Role.MEMBER)


def host_of(team: Team) -> Membership:
    return team.memberships.select_related("user").get(role=Role.HOST)
