"""Milestone rules (SPEC section 2): validation, derived status, auto progress kept in step
with the todos in the same transaction, and who may delete."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from teammoa.core import services
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.models import Milestone, MilestoneStatus, ProgressMode, Todo
from teammoa.core.testing.factories import add_member, host_of, make_team, make_user

pytestmark = pytest.mark.django_db

START = datetime.date(2030, 3, 1)
END = datetime.date(2030, 3, 31)


@pytest.fixture
def team():
    return make_team(members=1)


def milestone(member, **fields):
    data = {"title": "Release", "start_date": START, "end_date": END, **fields}
    return services.create_milestone(member.user, member.team_id, **data)


def fresh(milestone: Milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


# --- creating and editing ------------------------------------------------------------------


def test_any_member_creates_a_milestone(member):
    created = milestone(member, description="ship it", priority="high")
    stored = fresh(created)
    assert stored.team_id == member.team_id
    assert (stored.title, stored.description, stored.priority) == ("Release", "ship it", "high")
    assert (stored.start_date, stored.end_date) == (START, END)
    assert (stored.progress_mode, stored.progress, stored.completed_at) == ("auto", 0, None)


def test_dates_may_be_iso_strings_and_the_same_day(member):
    created = milestone(member, start_date="2030-03-01", end_date="2030-03-01")
    assert fresh(created).start_date == fresh(created).end_date == START


def test_outsider_cannot_create(team):
    with pytest.raises(NotFound):
        services.create_milestone(make_user(), team.pk, title="x", start_date=START, end_date=END)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"start_date": START, "end_date": START - datetime.timedelta(days=1)}, "end_date"),
        ({"start_date": "2030-13-01"}, "start_date"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"end_date": None}, "end_date"),
        ({"end_date": datetime.datetime(2030, 3, 5, 12, 0)}, "end_date"),
        ({"priority": "urgent"}, "priority"),
        ({"progress_mode": "magic"}, "progress_mode"),
        ({"progress_mode": "manual", "progress": 101}, "progress"),
        ({"progress_mode": "manual", "progress": -1}, "progress"),
        ({"progress_mode": "manual", "progress": "50"}, "progress"),
        ({"progress_mode": "manual", "progress": True}, "progress"),
        ({"progress": 50}, "progress"),  # auto mode: progress follows the todos
        ({"progress_mode": "auto", "progress": 50}, "progress"),
    ],
)
def test_create_rejects_bad_fields_and_saves_nothing(member, fields, field):
    with pytest.raises(Invalid) as info:
        milestone(member, **fields)
    assert field in info.value.errors
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("priority", ["critical", "high", "medium", "low", "minimal"])
def test_every_priority_is_accepted(member, priority):
    assert fresh(milestone(member, priority=priority)).priority == priority


def test_member_edits_a_milestone(member):
    created = milestone(member)
    services.update_milestone(
        member.user, member.team_id, created.pk, title="Beta", end_date="2030-04-30"
    )
    stored = fresh(created)
    assert (stored.title, stored.end_date) == ("Beta", datetime.date(2030, 4, 30))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_date": START - datetime.timedelta(days=1)}, "end_date"),  # vs. stored start
        ({"start_date": END + datetime.timedelta(days=1)}, "end_date"),  # vs. stored end
        ({"title": "  "}, "title"),
        ({"priority": "whenever"}, "priority"),
        ({"progress": 10}, "progress"),
    ],
)
def test_update_rejects_bad_fields_and_saves_nothing(member, fields, field):
    created = milestone(member)
    before = Milestone.objects.values().get(pk=created.pk)
    with pytest.raises(Invalid) as info:
        services.update_milestone(
            member.user, member.team_id, created.pk, description="changed", **fields
        )
    assert field in info.value.errors
    assert Milestone.objects.values().get(pk=created.pk) == before


def test_milestones_of_another_team_are_not_found(member):
    other = milestone(host_of(make_team()))
    with pytest.raises(NotFound):
        services.update_milestone(member.user, member.team_id, other.pk, title="mine")
    with pytest.raises(NotFound):
        services.get_milestone(member.user, member.team_id, other.pk)
    with pytest.raises(NotFound):
        services.delete_milestone(host_of(member.team).user, member.team_id, other.pk)
    assert Milestone.objects.filter(pk=other.pk).exists()
    assert list(services.milestones_of(member.user, member.team_id)) == []


# --- status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "progress", "status"),
    [
        (START - datetime.timedelta(days=1), 0, MilestoneStatus.NOT_STARTED),
        (START, 0, MilestoneStatus.IN_PROGRESS),
        (END, 99, MilestoneStatus.IN_PROGRESS),
        (END + datetime.timedelta(days=1), 99, MilestoneStatus.OVERDUE),
        (END + datetime.timedelta(days=1), 100, MilestoneStatus.COMPLETED),
        (START - datetime.timedelta(days=1), 100, MilestoneStatus.COMPLETED),
        (START + datetime.timedelta(days=3), 100, MilestoneStatus.COMPLETED),
    ],
)
def test_status_on_a_day(member, day, progress, status):
    created = milestone(member, progress_mode="manual", progress=progress)
    assert fresh(created).status_on(day) == status


# --- progress ------------------------------------------------------------------------------


def test_auto_progress_follows_completed_todos(host, member):
    ms = milestone(member)
    todos = [
        services.create_todo(host.user, host.team_id, f"t{i}", milestone=ms.pk) for i in range(3)
    ]
    assert fresh(ms).progress == 0
    services.complete_todo(host.user, host.team_id, todos[0].pk, True)
    assert fresh(ms).progress == 33
    services.complete_todo(host.user, host.team_id, todos[1].pk, True)
    assert fresh(ms).progress == 66  # floor, not rounded
    assert fresh(ms).completed_at is None
    services.complete_todo(host.user, host.team_id, todos[2].pk, True)
    assert fresh(ms).progress == 100
    assert fresh(ms).completed_at is not None
    assert fresh(ms).status_on(END + datetime.timedelta(days=10)) == MilestoneStatus.COMPLETED
    services.complete_todo(host.user, host.team_id, todos[1].pk, False)
    assert fresh(ms).progress == 66
    assert fresh(ms).completed_at is None


def test_completed_at_is_kept_while_it_stays_complete(host, member):
    ms = milestone(member)
    todo = services.create_todo(host.user, host.team_id, "a", milestone=ms.pk)
    services.complete_todo(host.user, host.team_id, todo.pk, True)
    first = fresh(ms).completed_at
    services.update_milestone(member.user, member.team_id, ms.pk, title="Renamed")
    assert fresh(ms).completed_at == first


def test_creating_a_todo_recomputes(host, member):
    ms = milestone(member)
    done = services.create_todo(host.user, host.team_id, "a", milestone=ms.pk)
    services.complete_todo(host.user, host.team_id, done.pk, True)
    assert fresh(ms).progress == 100
    services.create_todo(member.user, member.team_id, "b", milestone=ms.pk)
    assert fresh(ms).progress == 50
    assert fresh(ms).completed_at is None


def test_deleting_a_todo_recomputes(host, member):
    ms = milestone(member)
    done = services.create_todo(host.user, host.team_id, "a", milestone=ms.pk)
    open_ = services.create_todo(host.user, host.team_id, "b", milestone=ms.pk)
    services.complete_todo(host.user, host.team_id, done.pk, True)
    assert fresh(ms).progress == 50
    services.delete_todo(host.user, host.team_id, open_.pk)
    assert fresh(ms).progress == 100
    assert fresh(ms).completed_at is not None
    services.delete_todo(host.user, host.team_id, done.pk)
    assert fresh(ms).progress == 0
    assert fresh(ms).completed_at is None


def test_moving_a_todo_between_milestones_recomputes_both(host, member):
    a, b = milestone(member, title="A"), milestone(member, title="B")
    done = services.create_todo(host.user, host.team_id, "done", milestone=a.pk)
    services.create_todo(host.user, host.team_id, "open", milestone=a.pk)
    services.create_todo(host.user, host.team_id, "open b", milestone=b.pk)
    services.complete_todo(host.user, host.team_id, done.pk, True)
    assert (fresh(a).progress, fresh(b).progress) == (50, 0)
    services.update_todo(host.user, host.team_id, done.pk, milestone=b.pk)
    assert (fresh(a).progress, fresh(b).progress) == (0, 50)
    services.update_todo(host.user, host.team_id, done.pk, milestone=None)
    assert (fresh(a).progress, fresh(b).progress) == (0, 0)


def test_progress_changes_in_the_same_transaction(host, member, django_capture_on_commit_callbacks):
    ms = milestone(member)
    todo = services.create_todo(host.user, host.team_id, "a", milestone=ms.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        services.complete_todo(host.user, host.team_id, todo.pk, True)
    # Not deferred to a later step: the only hook left is the team event (news of it).
    assert [cb.__qualname__.split(".")[0] for cb in callbacks] == ["publish_team_event"]
    assert fresh(ms).progress == 100

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        services.complete_todo(host.user, host.team_id, todo.pk, False)
        assert fresh(ms).progress == 0  # visible inside the transaction
        raise Rollback
    assert fresh(ms).progress == 100  # and rolled back with it
    assert Todo.objects.get(pk=todo.pk).is_completed


def test_manual_progress_ignores_todos_and_sets_completion(host, member):
    ms = milestone(member, progress_mode="manual", progress=40)
    todo = services.create_todo(host.user, host.team_id, "a", milestone=ms.pk)
    services.complete_todo(host.user, host.team_id, todo.pk, True)
    assert fresh(ms).progress == 40
    services.update_milestone(member.user, member.team_id, ms.pk, progress=100)
    assert fresh(ms).progress == 100
    assert fresh(ms).completed_at is not None
    services.update_milestone(member.user, member.team_id, ms.pk, progress=99)
    assert fresh(ms).completed_at is None


def test_created_complete_in_manual_mode(member):
    ms = milestone(member, progress_mode="manual", progress=100)
    assert fresh(ms).completed_at is not None


def test_switching_manual_to_auto_recomputes_at_once(host, member):
    ms = milestone(member, progress_mode="manual", progress=90)
    todos = [
        services.create_todo(host.user, host.team_id, f"t{i}", milestone=ms.pk) for i in range(4)
    ]
    services.complete_todo(host.user, host.team_id, todos[0].pk, True)
    updated = services.update_milestone(member.user, member.team_id, ms.pk, progress_mode="auto")
    assert updated.progress == 25
    assert (fresh(ms).progress_mode, fresh(ms).progress) == (ProgressMode.AUTO, 25)


def test_switching_manual_at_100_to_auto_clears_completion(host, member):
    ms = milestone(member, progress_mode="manual", progress=100)
    services.create_todo(host.user, host.team_id, "open", milestone=ms.pk)
    services.update_milestone(member.user, member.team_id, ms.pk, progress_mode="auto")
    assert (fresh(ms).progress, fresh(ms).completed_at) == (0, None)


def test_switching_auto_to_manual_keeps_the_value(host, member):
    ms = milestone(member)
    todos = [
        services.create_todo(host.user, host.team_id, f"t{i}", milestone=ms.pk) for i in range(3)
    ]
    services.complete_todo(host.user, host.team_id, todos[0].pk, True)
    services.update_milestone(member.user, member.team_id, ms.pk, progress_mode="manual")
    assert (fresh(ms).progress_mode, fresh(ms).progress) == (ProgressMode.MANUAL, 33)
    services.update_milestone(member.user, member.team_id, ms.pk, progress=70)
    assert fresh(ms).progress == 70


def test_switching_to_manual_may_set_progress_in_the_same_call(member):
    ms = milestone(member)
    services.update_milestone(
        member.user, member.team_id, ms.pk, progress_mode="manual", progress=60
    )
    assert fresh(ms).progress == 60


def test_recompute_progress_is_a_no_op_for_none_and_manual(member):
    services.recompute_progress(None)
    ms = milestone(member, progress_mode="manual", progress=10)
    services.recompute_progress(ms.pk)
    assert fresh(ms).progress == 10


# --- deleting ------------------------------------------------------------------------------


def test_host_deletes_and_todos_stay(host, member):
    ms = milestone(member)
    todo = services.create_todo(member.user, member.team_id, "keep me", milestone=ms.pk)
    services.delete_milestone(host.user, host.team_id, ms.pk)
    assert not Milestone.objects.filter(pk=ms.pk).exists()
    todo.refresh_from_db()
    assert todo.milestone_id is None


def test_member_cannot_delete(member):
    ms = milestone(member)
    with pytest.raises(Forbidden):
        services.delete_milestone(member.user, member.team_id, ms.pk)
    with pytest.raises(NotFound):
        services.delete_milestone(make_user(), member.team_id, ms.pk)
    assert Milestone.objects.filter(pk=ms.pk).exists()


def test_a_new_member_sees_the_team_milestones(team, member):
    ms = milestone(member)
    newcomer = add_member(team)
    assert [m.pk for m in services.milestones_of(newcomer.user, team.pk)] == [ms.pk]
