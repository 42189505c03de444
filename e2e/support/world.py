"""People and teams made directly in the database (through the real services), so each
journey starts where its story starts instead of replaying sign-ups it does not test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEAM_PASSWORD = "team-e2e-1234"  # noqa: S105

_SCRIPT = """
import json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from teammoa.core import services

User = get_user_model()
spec = json.loads(SPEC)
out = {"users": {}, "teams": {}}
for username, nickname in spec["users"]:
    # No usable password (hashing one costs a second here): they sign in by session.
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password=None, nickname=nickname
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    out["users"][username] = {"id": user.pk, "session": client.cookies["sessionid"].value}
for key, team_spec in spec["teams"].items():
    host = User.objects.get(username=team_spec["host"])
    team = services.create_team(host, title=team_spec["title"], password=TEAM_PASSWORD)
    members = {}
    for username in team_spec["members"]:
        membership = services.join_team(
            User.objects.get(username=username), team.invite_code, TEAM_PASSWORD
        )
        members[username] = membership.pk
    members[team_spec["host"]] = services.membership_of(host, team.pk).pk
    out["teams"][key] = {"id": team.pk, "invite_code": team.invite_code, "members": members}
print("@@" + json.dumps(out))
"""


@dataclass
class Person:
    username: str
    nickname: str
    id: int
    session: str


@dataclass
class Team:
    id: int
    title: str
    invite_code: str
    members: dict[str, int]  # username -> membership id


def make(
    stack: Any, users: list[tuple[str, str]], teams: dict[str, dict[str, Any]]
) -> tuple[dict[str, Person], dict[str, Team]]:
    """``users``: (username, nickname); ``teams``: key -> {title, host, members}."""
    import json

    spec = json.dumps({"users": users, "teams": teams})
    data = stack.script(f"SPEC = {spec!r}\nTEAM_PASSWORD = {TEAM_PASSWORD!r}\n" + _SCRIPT)
    nicknames = dict(users)
    people = {
        name: Person(name, nicknames[name], value["id"], value["session"])
        for name, value in data["users"].items()
    }
    made = {
        key: Team(value["id"], teams[key]["title"], value["invite_code"], value["members"])
        for key, value in data["teams"].items()
    }
    return people, made
