"""People, a team and its mindmaps, made once through the real services (one Django start),
and the database read back directly (MySQLdb) to check what the scenarios did."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TEAM_PASSWORD = "reliability-1234"  # noqa: S105 - seeded test data

_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from teammoa.core import services
from teammoa.core.models import Membership, Milestone, Role, Todo
from teammoa.mindmap.models import Mindmap

User = get_user_model()
spec = json.loads(SPEC)
people = []
for index in range(spec["people"]):
    # No usable password (hashing one costs time here): they sign in by session.
    user = User.objects.create_user(
        username=f"rel{index}", email=f"rel{index}@example.com", password=None,
        nickname=f"Person {index}",
    )
    client = Client()
    client.force_login(user)
    people.append({
        "id": user.pk, "name": f"Person {index}",
        "session": client.cookies["sessionid"].value,
        "token": Token.objects.create(user=user).key,
    })
host = User.objects.get(pk=people[0]["id"])
team = services.create_team(host, title="Reliability", password=TEAM_PASSWORD)
team.max_members = spec["people"]
team.save(update_fields=["max_members"])
Membership.objects.bulk_create(
    Membership(team=team, user_id=person["id"], role=Role.MEMBER) for person in people[1:]
)
members = dict(Membership.objects.filter(team=team).values_list("user_id", "pk"))
for person in people:
    person["member"] = members[person["id"]]
for number in range(3):
    Todo.objects.create(team=team, content=f"Todo {number}")
mindmaps = {
    name: Mindmap.objects.create(team=team, title=name).pk for name in spec["mindmaps"]
}
print("@@" + json.dumps({"team": team.pk, "people": people, "mindmaps": mindmaps}))
"""


@dataclass
class Person:
    id: int
    name: str
    session: str
    token: str
    member: int  # the membership id (the API's ``member``)


@dataclass
class World:
    team: int
    people: list[Person]
    mindmaps: dict[str, int]
    free: list[int] = field(default_factory=list)

    def take(self) -> int:
        """A mindmap nobody else used (from the pool made at the start)."""
        assert self.free, (
            "the pool of mindmaps is used up: make more (support/session.py: MINDMAPS)"
        )
        return self.free.pop(0)


def make(stack: Any, people: int, mindmaps: list[str]) -> World:
    spec = json.dumps({"people": people, "mindmaps": mindmaps})
    data = stack.script(f"SPEC = {spec!r}\nTEAM_PASSWORD = {TEAM_PASSWORD!r}\n" + _SCRIPT)
    return World(
        team=data["team"],
        people=[Person(**p) for p in data["people"]],
        mindmaps=data["mindmaps"],
        free=list(data["mindmaps"].values()),
    )


class Database:
    """Direct reads of the site's database (fresh connection each time: it may restart)."""

    def __init__(self, mariadb: Any, name: str) -> None:
        self.mariadb = mariadb
        self.name = name

    def rows(self, statement: str, *args: Any) -> list[tuple]:
        import MySQLdb

        connection = MySQLdb.connect(
            host="127.0.0.1",
            port=self.mariadb.port,
            user="root",
            db=self.name,
            charset="utf8mb4",
            connect_timeout=5,
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, args)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def mindmap_state(self, mindmap: int) -> tuple[int, dict[int, tuple[str, int, int]]]:
        """(version, {node id: (title, x, y)})."""
        ((version,),) = self.rows(
            "SELECT version FROM teammoa_mindmap_mindmap WHERE id = %s", mindmap
        )
        nodes = self.rows(
            "SELECT id, title, x, y FROM teammoa_mindmap_node WHERE mindmap_id = %s", mindmap
        )
        return version, {row[0]: (row[1], row[2], row[3]) for row in nodes}

    def connections(self) -> int:
        """Client connections the server has open (every database, this suite's own)."""
        rows = self.rows("SHOW STATUS LIKE 'Threads_connected'")
        return int(rows[0][1])
