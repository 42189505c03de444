"""Seed a database with the HTTP benchmark's data and sign every user in.

The shape is issue 10's "real team session": 500 users, 50 teams of 10 members (the first
one hosts), per team 3 milestones, 30 todos, 20 posts and 2 mindmaps of 30 nodes, and a
painted current week (7 days) for every member. Everything is written with ``bulk_create``
(one password hash computed once and reused), so seeding takes seconds, not minutes.

``signin`` then creates one session per user in the site's session engine, exactly what a
successful login leaves behind (user id, backend, session auth hash), and writes the
cookies to the manifest, so password hashing stays outside the measured window::

    DJANGO_SETTINGS_MODULE=teammoa_site.settings.prod SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 \\
    DATABASE_URL=mysql://root@127.0.0.1:3306/teammoa_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
    python bench/seed.py seed --manifest /tmp/manifest.json
    python bench/seed.py signin --manifest /tmp/manifest.json

The database must be migrated and should be empty (``seed`` refuses a database that
already holds users unless ``--force``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

USERS = 500
TEAMS = 50
MEMBERS = 10
MILESTONES = 3
TASKS_PER_TEAM = 30  # todos seeded per team
POSTS = 20
MINDMAPS = 2
NODES = 30
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway benchmark account


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teammoa_site.settings.prod")
    import django

    django.setup()


def seed(
    users: int = USERS, teams: int = TEAMS, members: int = MEMBERS, *, force: bool = False
) -> dict[str, Any]:
    """Create the data; return the manifest (users with their team, teams with ids)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from teammoa.core.models import Membership, Milestone, Post, Role, Team, Todo
    from teammoa.mindmap.models import Connection, Mindmap, Node
    from teammoa.schedule.models import DayAvailability

    if teams * members > users:
        raise SystemExit(f"{teams} teams of {members} need at least {teams * members} users")
    User = get_user_model()
    if User.objects.exists() and not force:
        raise SystemExit("the database already holds users: seed a fresh one (or --force)")
    rng = random.Random(10)  # the same data every run
    password = make_password(PASSWORD)
    join_password = make_password("join-password")
    run = f"{int(time.time()) % 100000:05d}"
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday())
    started = time.monotonic()

    with transaction.atomic():
        user_rows = User.objects.bulk_create(
            User(
                username=f"bench{run}u{i:04d}",
                email=f"bench{run}u{i:04d}@example.com",
                nickname=f"Member {i:04d}",
                password=password,
            )
            for i in range(users)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in user_rows
        )
        team_rows = Team.objects.bulk_create(
            Team(
                title=f"Team {t:02d}",
                introduction=f"Benchmark team {t}: a small project team.",
                max_members=max(members, 10),
                join_password=join_password,
            )
            for t in range(teams)
        )
        memberships: list[Membership] = []
        for t, team in enumerate(team_rows):
            for m in range(members):
                memberships.append(
                    Membership(
                        team=team,
                        user=user_rows[t * members + m],
                        role=Role.HOST if m == 0 else Role.MEMBER,
                    )
                )
        Membership.objects.bulk_create(memberships)
        # bulk_create sets primary keys on MariaDB only for the last row; read them back.
        by_team: dict[int, list[Membership]] = {}
        for membership in Membership.objects.order_by("id"):
            by_team.setdefault(membership.team_id, []).append(membership)

        milestones = Milestone.objects.bulk_create(
            Milestone(
                team=team,
                title=f"Milestone {k + 1}",
                description="Deliver the next part of the project.",
                start_date=monday + datetime.timedelta(days=14 * k),
                end_date=monday + datetime.timedelta(days=14 * k + 13),
            )
            for team in team_rows
            for k in range(MILESTONES)
        )
        team_milestones: dict[int, list[int]] = {}
        for milestone in Milestone.objects.order_by("id").values("id", "team_id"):
            team_milestones.setdefault(milestone["team_id"], []).append(milestone["id"])
        del milestones

        todos, posts, maps = [], [], []
        for team in team_rows:
            crew = by_team[team.pk]
            for k in range(TASKS_PER_TEAM):
                done = k % 5 == 4
                todos.append(
                    Todo(
                        team=team,
                        content=f"Task {k + 1}: review and update part {k + 1}",
                        assignee=crew[k % len(crew)] if k % 3 else None,
                        milestone_id=team_milestones[team.pk][k % MILESTONES] if k % 2 else None,
                        is_completed=done,
                        completed_at=datetime.datetime.now(datetime.UTC) if done else None,
                        order=k,
                    )
                )
            for k in range(POSTS):
                text = f"Notes from meeting {k + 1}. " * 8
                posts.append(
                    Post(
                        team=team,
                        title=f"Meeting notes {k + 1}",
                        body=f"<p>{text}</p>",
                        body_text=text,
                        author=crew[k % len(crew)],
                    )
                )
            for k in range(MINDMAPS):
                maps.append(Mindmap(team=team, title=f"Ideas {k + 1}"))
        Todo.objects.bulk_create(todos, batch_size=2000)
        Post.objects.bulk_create(posts, batch_size=1000)
        Mindmap.objects.bulk_create(maps)

        nodes = []
        mindmaps = list(Mindmap.objects.order_by("id").values("id", "team_id"))
        first_user = {team_id: crew[0].user_id for team_id, crew in by_team.items()}
        for mindmap in mindmaps:
            for k in range(NODES):
                nodes.append(
                    Node(
                        mindmap_id=mindmap["id"],
                        title=f"Idea {k + 1}",
                        x=200 + (k % 6) * 180,
                        y=150 + (k // 6) * 120,
                        created_by_id=first_user[mindmap["team_id"]],
                    )
                )
        Node.objects.bulk_create(nodes, batch_size=2000)
        node_ids: dict[int, list[int]] = {}
        for node in Node.objects.order_by("id").values("id", "mindmap_id"):
            node_ids.setdefault(node["mindmap_id"], []).append(node["id"])
        Connection.objects.bulk_create(
            (
                Connection(mindmap_id=mindmap_id, source_id=ids[(k - 1) // 2], target_id=ids[k])
                for mindmap_id, ids in node_ids.items()
                for k in range(1, len(ids))
            ),
            batch_size=2000,
        )

        days = []
        for crew in by_team.values():
            for membership in crew:
                for d in range(7):
                    start = rng.randint(8, 13)
                    available = list(range(start, start + rng.randint(2, 6)))
                    if_needed = [h for h in (start - 1, start + 7) if 0 <= h < 24]
                    days.append(
                        DayAvailability(
                            membership=membership,
                            date=monday + datetime.timedelta(days=d),
                            available_hours=available,
                            if_needed_hours=[h for h in if_needed if h not in available],
                        )
                    )
        DayAvailability.objects.bulk_create(days, batch_size=2000)

    team_ids = [team.pk for team in team_rows]
    manifest_users = [
        {"id": membership.user_id, "team": team_id}
        for team_id, crew in by_team.items()
        for membership in crew
    ]
    print(
        f"seeded {len(user_rows)} users, {len(team_ids)} teams x {members}, "
        f"{len(todos)} todos, {len(posts)} posts, {len(nodes)} nodes, {len(days)} painted days "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    year, week, _ = monday.isocalendar()
    return {"users": manifest_users, "teams": team_ids, "week": f"{year}-W{week:02d}"}


def signin(manifest: dict[str, Any]) -> dict[str, Any]:
    """One session per user in the configured session engine, as a login leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = get_user_model().objects.in_bulk([entry["id"] for entry in manifest["users"]])
    started = time.monotonic()
    for entry in manifest["users"]:
        user = users[entry["id"]]
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        entry["session"] = session.session_key
    manifest["cookie"] = settings.SESSION_COOKIE_NAME
    print(
        f"signed in {len(manifest['users'])} users ({settings.SESSION_ENGINE}) "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["seed", "signin", "all"])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--force", action="store_true", help="seed even if users exist")
    args = parser.parse_args(argv)
    setup_django()
    if args.action in ("seed", "all"):
        manifest = seed(args.users, args.teams, args.members, force=args.force)
    else:
        manifest = json.loads(args.manifest.read_text())
    if args.action in ("signin", "all"):
        manifest = signin(manifest)
    args.manifest.write_text(json.dumps(manifest))


if __name__ == "__main__":
    main()
