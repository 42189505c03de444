"""Milestones and todos through the REST API: shapes, rules, auto progress, filters, junk."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest

from teammoa.core import services
from teammoa.core.models import Membership, Team
from teammoa.core.testing.factories import host_of, make_team
from tests.api_support import as_user

pytestmark = pytest.mark.django_db

MILESTONE_FIELDS = {
    "id",
    "title",
    "description",
    "start_date",
    "end_date",
    "priority",
    "progress_mode",
    "progress",
    "status",
    "completed_at",
}
TODO_FIELDS = {
    "id",
    "content",
    "description",
    "due_date",
    "assignee",
    "milestone",
    "is_completed",
    "completed_at",
    "order",
    "created_at",
}


def today_in(team: Team) -> datetime.date:
    return datetime.datetime.now(tz=zoneinfo.ZoneInfo(team.timezone)).date()


def milestones(team: Team) -> str:
    return f"/api/v1/teams/{team.pk}/milestones/"


def todos(team: Team) -> str:
    return f"/api/v1/teams/{team.pk}/todos/"


# --- milestones ----------------------------------------------------------------------------


def test_create_milestone(team: Team, member: Membership) -> None:
    response = as_user(member.user).post(
        milestones(team),
        {
            "title": "Prototype",
            "description": "First clickable version",
            "start_date": "2030-03-01",
            "end_date": "2030-03-15",
            "priority": "high",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) >= MILESTONE_FIELDS
    assert data["priority"] == "high"
    assert data["progress_mode"] == "auto"
    assert data["progress"] == 0
    assert data["status"] == "not_started"
    assert data["completed_at"] is None
    listed = as_user(member.user).get(milestones(team)).json()
    assert [m["id"] for m in listed["results"]] == [data["id"]]


BAD_MILESTONES = [
    ({"start_date": "2030-03-10", "end_date": "2030-03-01"}, "end_date"),
    ({"start_date": "2030-13-01"}, "start_date"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"start_date": 20300301}, "start_date"),
    ({"start_date": None}, "start_date"),
    ({"end_date": "2030-03-01T10:00:00"}, "end_date"),
    ({"priority": "urgent"}, "priority"),
    ({"priority": ""}, "priority"),
    ({"progress_mode": "sometimes"}, "progress_mode"),
    ({"progress": 50}, "progress"),  # auto mode follows the todos
    ({"progress_mode": "manual", "progress": 101}, "progress"),
    ({"progress_mode": "manual", "progress": -1}, "progress"),
    ({"progress_mode": "manual", "progress": "half"}, "progress"),
    ({"progress_mode": "manual", "progress": 50.5}, "progress"),
    ({"title": ""}, "title"),
    ({"title": "x" * 101}, "title"),
    ({"title": 42}, "title"),
    ({"description": "x" * 5001}, "description"),
]


@pytest.mark.parametrize(("change", "field"), BAD_MILESTONES)
def test_create_milestone_rejects_junk(
    team: Team, member: Membership, change: dict[str, Any], field: str, db_state: Any
) -> None:
    body = {"title": "M", "start_date": "2030-03-01", "end_date": "2030-03-31", **change}
    before = db_state()
    response = as_user(member.user).post(milestones(team), body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


@pytest.mark.parametrize("missing", ["title", "start_date", "end_date"])
def test_create_milestone_requires_fields(
    team: Team, member: Membership, missing: str, db_state: Any
) -> None:
    body = {"title": "M", "start_date": "2030-03-01", "end_date": "2030-03-31"}
    del body[missing]
    before = db_state()
    response = as_user(member.user).post(milestones(team), body)
    assert response.status_code == 400
    assert missing in response.json()
    assert db_state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2030-02-01"}, "end_date"),  # before the existing start
        ({"start_date": "2030-05-01"}, "end_date"),  # after the existing end
        ({"progress": 10}, "progress"),
        ({"priority": "asap"}, "priority"),
        ({"title": ""}, "title"),
    ],
)
def test_edit_milestone_rejects_junk(
    team: Team, member: Membership, change: dict[str, Any], field: str, db_state: Any
) -> None:
    milestone = services.create_milestone(
        member.user,
        team.pk,
        title="M",
        start_date=datetime.date(2030, 3, 1),
        end_date=datetime.date(2030, 3, 31),
    )
    before = db_state()
    response = as_user(member.user).patch(f"{milestones(team)}{milestone.pk}/", change)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


def test_auto_progress_follows_todo_completion(team: Team, host: Membership) -> None:
    client = as_user(host.user)
    today = today_in(team).isoformat()
    milestone = client.post(
        milestones(team), {"title": "M", "start_date": today, "end_date": today}
    ).json()
    url = f"{milestones(team)}{milestone['id']}/"
    ids = [
        client.post(todos(team), {"content": f"t{i}", "milestone": milestone["id"]}).json()["id"]
        for i in range(3)
    ]

    def complete(todo_id: int, done: bool) -> None:
        response = client.post(f"{todos(team)}{todo_id}/complete/", {"is_completed": done})
        assert response.status_code == 200, response.json()

    complete(ids[0], True)
    state = client.get(url).json()
    assert (state["progress"], state["completed_at"], state["status"]) == (33, None, "in_progress")

    complete(ids[1], True)
    complete(ids[2], True)
    state = client.get(url).json()
    assert state["progress"] == 100
    assert state["completed_at"] is not None
    assert state["status"] == "completed"

    complete(ids[2], False)
    state = client.get(url).json()
    assert (state["progress"], state["completed_at"], state["status"]) == (66, None, "in_progress")

    # Adding an open todo and deleting a done one both recompute.
    client.post(todos(team), {"content": "t3", "milestone": milestone["id"]})
    assert client.get(url).json()["progress"] == 50
    assert client.delete(f"{todos(team)}{ids[0]}/").status_code == 204
    assert client.get(url).json()["progress"] == 33

    # Moving a todo to another milestone recomputes both.
    other = client.post(
        milestones(team), {"title": "N", "start_date": today, "end_date": today}
    ).json()
    moved = client.patch(f"{todos(team)}{ids[1]}/", {"milestone": other["id"]})
    assert moved.status_code == 200
    assert moved.json()["milestone"] == other["id"]
    assert client.get(url).json()["progress"] == 0
    assert client.get(f"{milestones(team)}{other['id']}/").json()["progress"] == 100


def test_manual_to_auto_recomputes_and_auto_to_manual_keeps(team: Team, member: Membership) -> None:
    client = as_user(member.user)
    milestone = client.post(
        milestones(team),
        {
            "title": "M",
            "start_date": "2030-01-01",
            "end_date": "2030-12-31",
            "progress_mode": "manual",
            "progress": 80,
        },
    ).json()
    assert milestone["progress"] == 80
    url = f"{milestones(team)}{milestone['id']}/"
    first = client.post(todos(team), {"content": "a", "milestone": milestone["id"]}).json()
    client.post(todos(team), {"content": "b", "milestone": milestone["id"]})
    client.post(todos(team), {"content": "c", "milestone": milestone["id"]})
    client.post(todos(team), {"content": "d", "milestone": milestone["id"]})
    client.post(f"{todos(team)}{first['id']}/assign/", {"member": member.pk})
    client.post(f"{todos(team)}{first['id']}/complete/", {"is_completed": True})
    assert client.get(url).json()["progress"] == 80  # manual: the todos do not move it

    auto = client.patch(url, {"progress_mode": "auto"})
    assert auto.status_code == 200
    assert auto.json()["progress"] == 25

    manual = client.patch(url, {"progress_mode": "manual"})
    assert manual.json()["progress"] == 25
    full = client.patch(url, {"progress": 100})
    assert full.json()["progress"] == 100
    assert full.json()["completed_at"] is not None
    assert full.json()["status"] == "completed"
    back = client.patch(url, {"progress": 90})
    assert back.json()["completed_at"] is None


def test_status_values(team: Team, member: Membership) -> None:
    client = as_user(member.user)
    today = today_in(team)
    day = datetime.timedelta(days=1)

    def status_for(start: datetime.date, end: datetime.date, **extra: Any) -> str:
        body = {"title": "M", "start_date": start.isoformat(), "end_date": end.isoformat()}
        response = client.post(milestones(team), {**body, **extra})
        assert response.status_code == 201, response.json()
        return response.json()["status"]

    assert status_for(today + day, today + 5 * day) == "not_started"
    assert status_for(today, today) == "in_progress"
    assert status_for(today - 5 * day, today - day) == "overdue"
    assert (
        status_for(today - 5 * day, today - day, progress_mode="manual", progress=100)
        == "completed"
    )


def test_status_uses_the_teams_time_zone(member: Membership, team: Team) -> None:
    # UTC+14 and UTC-11: at every moment their calendars are a day (or two) apart.
    ahead = make_team(host=member.user, timezone="Pacific/Kiritimati")
    behind = make_team(host=member.user, timezone="Pacific/Pago_Pago")
    day = today_in(ahead).isoformat()
    client = as_user(member.user)
    for t, expected in ((ahead, "in_progress"), (behind, "not_started")):
        response = client.post(milestones(t), {"title": "M", "start_date": day, "end_date": day})
        assert response.json()["status"] == expected
        listed = client.get(milestones(t)).json()["results"]
        assert listed[0]["status"] == expected


# --- todos ---------------------------------------------------------------------------------


def test_create_todo(team: Team, member: Membership) -> None:
    client = as_user(member.user)
    first = client.post(todos(team), {"content": "  Write the README  "})
    assert first.status_code == 201
    data = first.json()
    assert set(data) == TODO_FIELDS
    assert data["content"] == "Write the README"
    assert data["assignee"] is None
    assert data["milestone"] is None
    assert data["is_completed"] is False
    second = client.post(todos(team), {"content": "Mine", "assignee": member.pk})
    assert second.status_code == 201
    assert second.json()["assignee"] == member.pk
    assert second.json()["order"] > data["order"]


@pytest.mark.parametrize(
    "body_field",
    [
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content": "x" * 501}, "content"),
        ({"content": 12}, "content"),
        ({"content": None}, "content"),
        ({}, "content"),
        ({"content": "ok", "milestone": "abc"}, "milestone"),
        ({"content": "ok", "milestone": 99999999}, "milestone"),
        ({"content": "ok", "assignee": "me"}, "assignee"),
        ({"content": "ok", "assignee": 99999999}, "assignee"),
    ],
    ids=lambda p: f"{p[1]}:{p[0]!r}"[:60],
)
def test_create_todo_rejects_junk(
    team: Team, member: Membership, body_field: tuple[dict[str, Any], str], db_state: Any
) -> None:
    body, field = body_field
    before = db_state()
    response = as_user(member.user).post(todos(team), body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


def test_todos_refuse_another_teams_milestone_and_member(
    team: Team, host: Membership, db_state: Any
) -> None:
    other = make_team(members=1)
    foreign_milestone = services.create_milestone(
        host_of(other).user,
        other.pk,
        title="Theirs",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 2),
    )
    foreign_member = other.memberships.get(role="member")
    todo = services.create_todo(host.user, team.pk, "Ours")
    client = as_user(host.user)
    before = db_state()
    checks = [
        ("post", todos(team), {"content": "x", "milestone": foreign_milestone.pk}, "milestone"),
        ("post", todos(team), {"content": "x", "assignee": foreign_member.pk}, "assignee"),
        ("patch", f"{todos(team)}{todo.pk}/", {"milestone": foreign_milestone.pk}, "milestone"),
        ("post", f"{todos(team)}{todo.pk}/assign/", {"member": foreign_member.pk}, "member"),
        ("post", f"{todos(team)}{todo.pk}/assign/", {"member": host_of(other).pk}, "member"),
    ]
    for method, url, body, field in checks:
        response = getattr(client, method)(url, body)
        assert response.status_code == 400, (url, body)
        assert field in response.json(), (url, body, response.json())
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"order": -1}, "order"),
        ({"order": "first"}, "order"),
        ({"order": 1.5}, "order"),
        ({"content": ""}, "content"),
        ({"content": "x" * 501}, "content"),
        ({"milestone": "none"}, "milestone"),
        ({"assignee": None}, "assignee"),  # use /assign/
        ({"is_completed": True}, "is_completed"),  # use /complete/
    ],
)
def test_edit_todo_rejects_junk(
    team: Team, host: Membership, body: dict[str, Any], field: str, db_state: Any
) -> None:
    todo = services.create_todo(host.user, team.pk, "Ours", assignee=host.pk)
    before = db_state()
    response = as_user(host.user).patch(f"{todos(team)}{todo.pk}/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert db_state() == before


def test_edit_todo_content_milestone_and_order(team: Team, member: Membership) -> None:
    client = as_user(member.user)
    milestone = services.create_milestone(
        member.user,
        team.pk,
        title="M",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 2),
    )
    ids = [
        client.post(todos(team), {"content": f"t{i}", "assignee": member.pk}).json()["id"]
        for i in range(3)
    ]
    response = client.patch(
        f"{todos(team)}{ids[2]}/", {"content": "Top", "milestone": milestone.pk, "order": 0}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["content"] == "Top"
    assert response.json()["milestone"] == milestone.pk
    column = client.get(todos(team), {"assignee": member.pk}).json()["results"]
    assert [t["id"] for t in column] == [ids[2], ids[0], ids[1]]
    cleared = client.patch(f"{todos(team)}{ids[2]}/", {"milestone": None})
    assert cleared.json()["milestone"] is None


def test_member_todo_rules(team: Team, member: Membership, member2: Membership) -> None:
    client = as_user(member.user)
    todo = as_user(member2.user).post(todos(team), {"content": "open"}).json()
    url = f"{todos(team)}{todo['id']}/"

    # Anyone may edit an unassigned todo's text, but not move it or complete it.
    assert client.patch(url, {"content": "still open"}).status_code == 200
    assert client.patch(url, {"order": 0}).status_code == 403
    assert client.post(f"{url}complete/", {"is_completed": True}).status_code == 403
    # Not give it to someone else, but take it.
    assert client.post(f"{url}assign/", {"member": member2.pk}).status_code == 403
    taken = client.post(f"{url}assign/", {"member": member.pk})
    assert taken.status_code == 200
    assert taken.json()["assignee"] == member.pk
    # Now it is theirs: complete, reopen, release.
    done = client.post(f"{url}complete/", {"is_completed": True})
    assert done.json()["is_completed"] is True
    assert done.json()["completed_at"] is not None
    undone = client.post(f"{url}complete/", {"is_completed": False})
    assert (undone.json()["is_completed"], undone.json()["completed_at"]) == (False, None)
    assert client.post(f"{url}assign/", {"member": None}).json()["assignee"] is None
    # Someone else's todo is off limits; only the host deletes.
    as_user(member2.user).post(f"{url}assign/", {"member": member2.pk})
    assert client.patch(url, {"content": "mine now"}).status_code == 403
    assert client.post(f"{url}assign/", {"member": None}).status_code == 403
    assert client.delete(url).status_code == 403


def test_host_assigns_and_completes_anything(
    team: Team, host: Membership, member: Membership
) -> None:
    client = as_user(host.user)
    todo = as_user(member.user).post(todos(team), {"content": "x", "assignee": member.pk}).json()
    url = f"{todos(team)}{todo['id']}/"
    assert client.post(f"{url}complete/", {"is_completed": True}).status_code == 200
    assert client.post(f"{url}assign/", {"member": host.pk}).json()["assignee"] == host.pk
    assert client.post(f"{url}assign/", {"member": None}).json()["assignee"] is None
    assert client.delete(url).status_code == 204


@pytest.mark.parametrize(
    "body",
    [{"is_completed": "maybe"}, {"is_completed": None}, {"is_completed": [True]}, {}],
)
def test_complete_rejects_junk(
    team: Team, host: Membership, body: dict[str, Any], db_state: Any
) -> None:
    todo = services.create_todo(host.user, team.pk, "x", assignee=host.pk)
    before = db_state()
    response = as_user(host.user).post(f"{todos(team)}{todo.pk}/complete/", body)
    assert response.status_code == 400
    assert "is_completed" in response.json()
    assert db_state() == before


@pytest.mark.parametrize("body", [{"member": "abc"}, {"member": 1.5}, {"member": [1]}, {}])
def test_assign_rejects_junk(
    team: Team, host: Membership, body: dict[str, Any], db_state: Any
) -> None:
    todo = services.create_todo(host.user, team.pk, "x")
    before = db_state()
    response = as_user(host.user).post(f"{todos(team)}{todo.pk}/assign/", body)
    assert response.status_code == 400
    assert "member" in response.json()
    assert db_state() == before


def test_todo_of_another_team_is_404(team: Team, host: Membership) -> None:
    other = make_team()
    theirs = services.create_todo(host_of(other).user, other.pk, "theirs")
    client = as_user(host.user)
    assert client.get(f"{todos(team)}{theirs.pk}/").status_code == 404
    assert (
        client.post(f"{todos(team)}{theirs.pk}/complete/", {"is_completed": True}).status_code
        == 404
    )


def test_todo_filters(team: Team, host: Membership, member: Membership) -> None:
    milestone = services.create_milestone(
        host.user,
        team.pk,
        title="M",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 2),
    )
    mine = services.create_todo(host.user, team.pk, "member's", assignee=member.pk)
    loose = services.create_todo(host.user, team.pk, "nobody's", milestone=milestone.pk)
    done = services.create_todo(host.user, team.pk, "done", assignee=host.pk)
    services.complete_todo(host.user, team.pk, done.pk, True)
    client = as_user(member.user)

    def ids(**params: Any) -> set[int]:
        response = client.get(todos(team), params)
        assert response.status_code == 200, response.json()
        return {t["id"] for t in response.json()["results"]}

    assert ids() == {mine.pk, loose.pk, done.pk}
    assert ids(assignee=member.pk) == {mine.pk}
    assert ids(assignee="none") == {loose.pk}
    assert ids(done="true") == {done.pk}
    assert ids(done="false") == {mine.pk, loose.pk}
    assert ids(milestone=milestone.pk) == {loose.pk}
    assert ids(milestone="none") == {mine.pk, done.pk}
    assert ids(assignee=host.pk, done="true") == {done.pk}
    assert ids(assignee=999999) == set()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"assignee": "abc"}, "assignee"),
        ({"assignee": "-1"}, "assignee"),
        ({"assignee": ""}, "assignee"),
        ({"assignee": "1.0"}, "assignee"),
        ({"done": "maybe"}, "done"),
        ({"done": ""}, "done"),
        ({"milestone": "first"}, "milestone"),
        ({"milestone": "9" * 40}, "milestone"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-2"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"page_size": "lots"}, "page_size"),
    ],
)
def test_junk_query_parameters_are_a_400(
    team: Team, member: Membership, params: dict[str, str], name: str
) -> None:
    response = as_user(member.user).get(todos(team), params)
    assert response.status_code == 400
    assert name in response.json(), response.json()


def test_lists_are_paginated(team: Team, host: Membership) -> None:
    for i in range(5):
        services.create_todo(host.user, team.pk, f"t{i}")
    client = as_user(host.user)
    page = client.get(todos(team), {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["next"] and page["previous"]
    assert client.get(todos(team), {"page": 9}).status_code == 404
    last = client.get(todos(team), {"page_size": 2, "page": "last"}).json()
    assert len(last["results"]) == 1


# --- one drag, one request: POST todos/{id}/move/ ------------------------------------------


def board(team: Team) -> dict[str, list[str]]:
    """Each column of the board, top to bottom."""
    from teammoa.core.models import Todo

    columns: dict[str, list[str]] = {}
    for todo in Todo.objects.filter(team=team).order_by("order", "id"):
        key = "done" if todo.is_completed else str(todo.assignee_id or "unassigned")
        columns.setdefault(key, []).append(todo.content)
    return columns


def test_a_drag_to_another_members_column_at_a_position_is_one_request(
    team: Team, host: Membership, member: Membership
) -> None:
    client = as_user(host.user)
    for name in ("m1", "m2", "m3"):
        services.create_todo(host.user, team.pk, name, assignee=member.pk)
    moving = services.create_todo(host.user, team.pk, "drag me")
    answer = client.post(
        f"{todos(team)}{moving.pk}/move/", {"assignee": member.pk, "order": 1}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["assignee"], answer.json()["order"]) == (member.pk, 1)
    assert board(team) == {str(member.pk): ["m1", "drag me", "m2", "m3"]}


def test_a_drag_from_done_back_to_a_column_reopens_and_places_it(
    team: Team, host: Membership, member: Membership
) -> None:
    milestone = services.create_milestone(
        host.user, team.pk, title="M", start_date="2026-12-01", end_date="2026-12-31"
    )
    done = services.create_todo(host.user, team.pk, "done one", milestone=milestone.pk)
    services.create_todo(host.user, team.pk, "open one", milestone=milestone.pk)
    services.complete_todo(host.user, team.pk, done.pk, True)
    client = as_user(host.user)
    answer = client.post(
        f"{todos(team)}{done.pk}/move/",
        {"is_completed": False, "assignee": None, "order": 0},
        format="json",
    )
    assert answer.status_code == 200
    assert board(team) == {"unassigned": ["done one", "open one"]}
    milestone.refresh_from_db()
    assert milestone.progress == 0  # recomputed in the same transaction


def test_a_member_takes_an_unassigned_todo_straight_into_done(
    team: Team, member: Membership
) -> None:
    todo = services.create_todo(member.user, team.pk, "quick win")
    answer = as_user(member.user).post(
        f"{todos(team)}{todo.pk}/move/",
        {"assignee": member.pk, "is_completed": True},
        format="json",
    )
    assert answer.status_code == 200
    assert (answer.json()["assignee"], answer.json()["is_completed"]) == (member.pk, True)


def test_a_refused_part_saves_nothing(
    team: Team, member: Membership, member2: Membership, db_state: Any
) -> None:
    """A member may not give a todo to someone else: the completion asked for in the same
    request is not saved either (three requests used to leave half a move behind)."""
    todo = services.create_todo(member.user, team.pk, "mine", assignee=member.pk)
    before = db_state()
    answer = as_user(member.user).post(
        f"{todos(team)}{todo.pk}/move/",
        {"is_completed": False, "assignee": member2.pk, "order": 0},
        format="json",
    )
    assert answer.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"order": -1},
        {"order": "top"},
        {"assignee": "abc"},
        {"assignee": True},
        {"is_completed": "maybe"},
        {"assignee": 10**12},
    ],
)
def test_move_rejects_junk(
    team: Team, host: Membership, body: dict[str, Any], db_state: Any
) -> None:
    todo = services.create_todo(host.user, team.pk, "x", assignee=host.pk)
    before = db_state()
    response = as_user(host.user).post(f"{todos(team)}{todo.pk}/move/", body, format="json")
    assert response.status_code in (400, 404), response.json()
    assert db_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"content": "x", "due_date": "2026-02-30"},
        {"content": "x", "due_date": 5},
        {"content": "x", "due_date": "٢٠٢٦-١٢-٢٤"},
        {"content": "x", "description": ["a"]},
        {"content": "x", "description": "x" * 2001},
    ],
)
def test_todo_details_reject_junk(team: Team, member: Membership, body: dict[str, Any]) -> None:
    response = as_user(member.user).post(todos(team), body, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()) & {"due_date", "description"}


def test_todo_details_round_trip(team: Team, member: Membership) -> None:
    client = as_user(member.user)
    created = client.post(
        todos(team), {"content": "x", "description": "notes", "due_date": "2026-12-24"}
    ).json()
    assert (created["description"], created["due_date"]) == ("notes", "2026-12-24")
    url = f"{todos(team)}{created['id']}/"
    cleared = client.patch(url, {"due_date": None, "description": None}, format="json").json()
    assert (cleared["description"], cleared["due_date"]) == ("", None)
