"""Seeded teams for the fuzz session, built through the real services (Django is set up).

- ``main``: hosted by the fuzzing member; a peer (the honest WebSocket client) and three
  more members; milestones, todos, posts, meetings, two mindmaps with nodes, connections,
  comments.
- ``joined``: someone else's team the fuzzing member belongs to (member, not host).
- ``foreign``: the outsider's team with its own mindmap: ids that must never be reachable.
- ``spare``: teams the fuzzing member hosts, for the operations that end a team or a
  membership (disband, leave, transfer, remove), so those cannot empty ``main``.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

SPARE_TEAMS = 6
NODES_PER_MAP = 24


def _session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _team(host: Any, title: str, members: list[Any]) -> Any:
    from live import TEAM_PASSWORD

    from teammoa.core.services import create_team
    from teammoa.core.testing.factories import add_member

    team = create_team(host, title=title, password=TEAM_PASSWORD, max_members=30)
    for user in members:
        add_member(team, user)
    return team


def _content(user: Any, team: Any, tag: str) -> dict[str, list[int]]:
    from teammoa.core.services import create_milestone, create_post, create_todo
    from teammoa.schedule.services import create_meeting

    today = datetime.date.today()
    milestones = [
        create_milestone(
            user,
            team.pk,
            title=f"{tag} milestone {i}",
            start_date=today - datetime.timedelta(days=7 * i),
            end_date=today + datetime.timedelta(days=7 * (i + 1)),
        ).pk
        for i in range(3)
    ]
    todos = [
        create_todo(user, team.pk, content=f"{tag} todo {i}", milestone=milestones[i % 3]).pk
        for i in range(6)
    ]
    posts = [
        create_post(user, team.pk, title=f"{tag} post {i}", body=f"<p>{tag} body {i}</p>").pk
        for i in range(3)
    ]
    meetings = [
        create_meeting(
            user,
            team.pk,
            title=f"{tag} meeting {i}",
            date=(today + datetime.timedelta(days=i + 1)).isoformat(),
            start="19:00",
            end="21:00",
        ).pk
        for i in range(2)
    ]
    return {"milestones": milestones, "todos": todos, "posts": posts, "meetings": meetings}


def _mindmap(user: Any, team: Any, title: str) -> dict[str, Any]:
    from teammoa.mindmap.services import create_mindmap, edit

    mindmap = create_mindmap(user, team.pk, title)
    nodes = [
        edit(user, mindmap.pk, "node.create", title=f"{title} {i}", x=100 + 40 * i, y=200).payload[
            "node"
        ]["id"]
        for i in range(NODES_PER_MAP)
    ]
    connections = [
        edit(user, mindmap.pk, "connection.create", source=a, target=b).payload["connection"]["id"]
        for a, b in itertools.pairwise(nodes[:8])
    ]
    comments = [
        edit(user, mindmap.pk, "comment.create", node=node, text=f"note {i}").payload["comment"][
            "id"
        ]
        for i, node in enumerate(nodes[:4])
    ]
    return {"id": mindmap.pk, "nodes": nodes, "connections": connections, "comments": comments}


def seed_world() -> dict[str, Any]:
    """Create everything; return the ids, tokens and session cookies the tests use."""
    from rest_framework.authtoken.models import Token

    from teammoa.core.models import Membership
    from teammoa.core.testing.factories import make_user
    from teammoa.schedule.services import create_meeting

    member = make_user("fuzz_member")
    peer = make_user("fuzz_peer")
    outsider = make_user("fuzz_outsider")
    others = [make_user(f"fuzz_other{i}") for i in range(4)]

    main = _team(member, "Fuzz main", [peer, *others[:3]])
    joined = _team(others[3], "Fuzz joined", [member, peer])
    foreign = _team(outsider, "Fuzz foreign", [others[0]])
    spares = [
        _team(member, f"Fuzz spare {i}", [others[i % 4], others[(i + 1) % 4]])
        for i in range(SPARE_TEAMS)
    ]

    world: dict[str, Any] = {
        "users": {"member": member.pk, "peer": peer.pk, "outsider": outsider.pk},
        "teams": {
            "main": main.pk,
            "joined": joined.pk,
            "foreign": foreign.pk,
            "spare": [team.pk for team in spares],
        },
        "token": {
            "member": Token.objects.create(user=member).key,
            "outsider": Token.objects.create(user=outsider).key,
        },
        "session": {
            "member": _session_cookie(member),
            "peer": _session_cookie(peer),
            "outsider": _session_cookie(outsider),
        },
        "content": {
            "main": _content(member, main, "Main"),
            "joined": _content(member, joined, "Joined"),
            "foreign": _content(outsider, foreign, "Foreign"),
        },
        "mindmaps": {
            "main": _mindmap(member, main, "Main map"),
            "main2": _mindmap(member, main, "Second map"),
            "joined": _mindmap(member, joined, "Joined map"),
            "foreign": _mindmap(outsider, foreign, "Foreign map"),
        },
    }
    # The text properties' own meeting: out of the API fuzzing's reach (it may cancel one).
    world["text_meeting"] = create_meeting(
        member, main.pk, title="Text meeting", date="2030-01-08", start="19:00", end="21:00"
    ).pk
    world["members"] = {
        name: list(Membership.objects.filter(team_id=team_id).values_list("pk", flat=True))
        for name, team_id in (("main", main.pk), ("joined", joined.pk), ("foreign", foreign.pk))
    }
    world["members"]["spare"] = list(
        Membership.objects.filter(team__in=spares).values_list("pk", flat=True)
    )
    return world
