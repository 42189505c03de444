"""Races on a real MySQL/MariaDB: concurrent joins never overfill a team, host changes
racing each other always leave exactly one host, progress counts every todo.

Each call runs in its own thread with its own database connection, all released at once
by a barrier, so the transactions really overlap.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from teammoa.core import services
from teammoa.core.errors import Conflict, DomainError, Invalid, RateLimited
from teammoa.core.models import Membership, Milestone, Role, Team, Todo
from teammoa.core.testing.factories import TEAM_PASSWORD, add_member, host_of, make_team, make_user

pytestmark = [pytest.mark.services("mysql"), pytest.mark.django_db(transaction=True)]

ROUNDS = 3


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all starting at once; return each call's result
    or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported to the test, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def outcome(result: Any) -> str:
    if isinstance(result, BaseException):
        return type(result).__name__
    return "ok"


def host_count(team_id: int) -> int:
    return Membership.objects.filter(team_id=team_id, role=Role.HOST).count()


def assert_only_domain_errors(results: list[Any]) -> None:
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, DomainError)
    ]
    assert unexpected == []


# --- joins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_50_concurrent_joins_fill_exactly_the_3_free_places(round_):
    team = make_team(members=1, max_members=5)  # 2 members, 3 free places
    users = [make_user() for _ in range(50)]
    results = run_together(
        [lambda u=u: services.join_team(u, team.invite_code, TEAM_PASSWORD) for u in users]
    )
    assert Counter(outcome(r) for r in results) == {"ok": 3, "Conflict": 47}
    assert all(isinstance(r, Conflict | Membership) for r in results)
    assert Membership.objects.filter(team=team).count() == 5
    assert host_count(team.pk) == 1


def test_the_same_user_joining_twice_at_once_joins_once():
    team = make_team()
    user = make_user()
    results = run_together(
        [lambda: services.join_team(user, team.invite_code, TEAM_PASSWORD) for _ in range(10)]
    )
    assert Counter(outcome(r) for r in results) == {"ok": 1, "Conflict": 9}
    assert Membership.objects.filter(team=team, user=user).count() == 1


def test_parallel_wrong_guesses_stop_at_the_limit(settings):
    settings.TEAMMOA_JOIN_ATTEMPTS = "3/h"
    team = make_team()
    guesser = make_user()
    results = run_together(
        [lambda: services.join_team(guesser, team.invite_code, "guess") for _ in range(20)]
    )
    assert sum(isinstance(r, Invalid) for r in results) == 3
    assert sum(isinstance(r, RateLimited) for r in results) == 17


# --- exactly one host ----------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_host_and_heirs_leaving_at_once_leave_one_host(round_):
    team = make_team(members=6)
    host = host_of(team)
    heirs = list(team.memberships.filter(role=Role.MEMBER).order_by("joined_at", "id"))[:3]
    leavers = [host, *heirs]
    results = run_together([lambda m=m: services.leave_team(m.user, team.pk) for m in leavers])
    assert [outcome(r) for r in results] == ["ok"] * 4
    assert Membership.objects.filter(team=team).count() == 3
    assert host_count(team.pk) == 1


def test_everyone_leaving_at_once_deletes_the_team():
    team = make_team(members=5)
    members = list(team.memberships.all())
    results = run_together([lambda m=m: services.leave_team(m.user, team.pk) for m in members])
    assert [outcome(r) for r in results] == ["ok"] * 6
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Membership.objects.filter(team_id=team.pk).exists()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_racing_transfers_and_leave_keep_one_host(round_):
    team = make_team(members=4)
    host = host_of(team)
    targets = list(team.memberships.filter(role=Role.MEMBER))
    calls = [lambda t=t: services.transfer_host(host.user, team.pk, t.pk) for t in targets]
    calls.append(lambda: services.leave_team(host.user, team.pk))
    results = run_together(calls)
    assert_only_domain_errors(results)
    assert outcome(results[-1]) == "ok"  # leaving always works
    assert host_count(team.pk) == 1
    assert not Membership.objects.filter(pk=host.pk).exists()
    # At most one transfer won; the rest found they were no longer host (or member).
    assert sum(outcome(r) == "ok" for r in results[:-1]) <= 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_transfer_to_a_member_who_leaves_at_once_keeps_one_host(round_):
    team = make_team(members=3)
    host = host_of(team)
    target = team.memberships.filter(role=Role.MEMBER).first()
    results = run_together(
        [
            lambda: services.transfer_host(host.user, team.pk, target.pk),
            lambda: services.leave_team(target.user, team.pk),
            lambda: services.remove_member(host.user, team.pk, target.pk),
        ]
    )
    assert_only_domain_errors(results)
    assert host_count(team.pk) == 1
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_host_removing_members_while_they_leave():
    team = make_team(members=8)
    host = host_of(team)
    members = list(team.memberships.filter(role=Role.MEMBER))
    calls = []
    for member in members:
        calls.append(lambda m=member: services.leave_team(m.user, team.pk))
        calls.append(lambda m=member: services.remove_member(host.user, team.pk, m.pk))
    results = run_together(calls)
    assert_only_domain_errors(results)
    assert list(Membership.objects.filter(team=team)) == [host]
    assert host_count(team.pk) == 1


def test_leave_all_teams_racing_with_leaves():
    user = make_user()
    teams = [make_team(host=user, members=2) for _ in range(3)]
    heirs = [t.memberships.filter(role=Role.MEMBER).order_by("joined_at", "id")[0] for t in teams]
    calls = [lambda: services.leave_all_teams(user)]
    calls += [lambda h=h: services.leave_team(h.user, h.team_id) for h in heirs]
    results = run_together(calls)
    assert_only_domain_errors(results)
    assert not Membership.objects.filter(user=user).exists()
    for team in teams:
        assert Membership.objects.filter(team=team).count() == 1
        assert host_count(team.pk) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_host_changes_in_neighbouring_teams_at_once(round_):
    # InnoDB's unique checks also lock the next index entry, which may be another team's:
    # changes in neighbouring teams, and one user leaving several, must not deadlock.
    wanderer = make_user()
    teams = [make_team(members=3) for _ in range(8)]
    for team in teams[::2]:
        services.transfer_host(host_of(team).user, team.pk, add_member(team, wanderer).pk)
    for team in teams[1::2]:
        add_member(team, wanderer)
    calls = [lambda: services.leave_all_teams(wanderer)]
    for team in teams:
        host = host_of(team)
        others = list(team.memberships.exclude(pk=host.pk).exclude(user=wanderer))
        calls.append(lambda t=team, h=host: services.leave_team(h.user, t.pk))
        calls.append(lambda t=team, m=others[0]: services.leave_team(m.user, t.pk))
        calls.append(
            lambda t=team, h=others[1], m=others[2]: services.transfer_host(h.user, t.pk, m.pk)
        )
    results = run_together(calls)
    assert_only_domain_errors(results)
    assert not Membership.objects.filter(user=wanderer).exists()
    for team in teams:
        assert host_count(team.pk) == 1


# --- milestone progress --------------------------------------------------------------------


def test_concurrent_completions_all_count_towards_progress():
    team = make_team(members=1)
    host = host_of(team)
    milestone = services.create_milestone(
        host.user, team.pk, title="M", start_date="2030-01-01", end_date="2030-01-31"
    )
    todos = [
        services.create_todo(host.user, team.pk, f"t{i}", milestone=milestone.pk) for i in range(20)
    ]
    results = run_together(
        [lambda t=t: services.complete_todo(host.user, team.pk, t.pk, True) for t in todos]
    )
    assert [outcome(r) for r in results] == ["ok"] * 20
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert milestone.progress == 100
    assert milestone.completed_at is not None


def test_concurrent_joins_do_not_block_other_teams():
    crowded = make_team(max_members=2)
    quiet = make_team()
    joiners = [make_user() for _ in range(10)]
    other = make_user()
    calls = [lambda u=u: services.join_team(u, crowded.invite_code, TEAM_PASSWORD) for u in joiners]
    calls.append(lambda: services.join_team(other, quiet.invite_code, TEAM_PASSWORD))
    results = run_together(calls)
    assert Counter(outcome(r) for r in results[:-1]) == {"ok": 1, "Conflict": 9}
    assert outcome(results[-1]) == "ok"


# --- board ---------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_moves_in_one_column_keep_it_consistent(round_):
    team = make_team(members=1)
    host = host_of(team)
    member = team.memberships.get(role=Role.MEMBER)
    todos = [
        services.create_todo(host.user, team.pk, f"t{i}", assignee=member.pk) for i in range(12)
    ]
    calls = [
        lambda t=t, i=i: services.update_todo(
            (host if i % 2 else member).user, team.pk, t.pk, order=(i * 5) % 12
        )
        for i, t in enumerate(todos)
    ]
    results = run_together(calls)
    assert_only_domain_errors(results)
    orders = sorted(Todo.objects.filter(team=team).values_list("order", flat=True))
    assert orders == list(range(12))


def test_moves_completions_and_assignments_at_once():
    team = make_team(members=2)
    host = host_of(team)
    alice, bob = team.memberships.filter(role=Role.MEMBER).order_by("id")
    milestone = services.create_milestone(
        host.user, team.pk, title="M", start_date="2030-01-01", end_date="2030-01-31"
    )
    todos = [
        services.create_todo(host.user, team.pk, f"t{i}", assignee=alice.pk, milestone=milestone.pk)
        for i in range(12)
    ]
    calls = []
    for i, todo in enumerate(todos):
        if i % 3 == 0:
            calls.append(lambda t=todo: services.complete_todo(alice.user, team.pk, t.pk, True))
        elif i % 3 == 1:
            calls.append(lambda t=todo: services.assign_todo(host.user, team.pk, t.pk, bob.pk))
        else:
            calls.append(
                lambda t=todo, i=i: services.update_todo(alice.user, team.pk, t.pk, order=i)
            )
    results = run_together(calls)
    assert [outcome(r) for r in results] == ["ok"] * 12
    assert Todo.objects.filter(team=team, is_completed=True).count() == 4
    assert Todo.objects.filter(team=team, assignee=bob).count() == 4
    assert Milestone.objects.get(pk=milestone.pk).progress == 33


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_removing_a_member_while_they_work(round_):
    team = make_team(members=2)
    host = host_of(team)
    worker, other = team.memberships.filter(role=Role.MEMBER).order_by("id")
    milestone = services.create_milestone(
        host.user, team.pk, title="M", start_date="2030-01-01", end_date="2030-01-31"
    )
    todos = [
        services.create_todo(
            host.user, team.pk, f"t{i}", assignee=worker.pk, milestone=milestone.pk
        )
        for i in range(8)
    ]
    calls = [lambda t=t: services.complete_todo(worker.user, team.pk, t.pk, True) for t in todos]
    calls += [
        lambda: services.update_todo(worker.user, team.pk, todos[-1].pk, order=0),
        lambda: services.create_todo(worker.user, team.pk, "new", milestone=milestone.pk),
        lambda: services.remove_member(host.user, team.pk, worker.pk),
        lambda: services.leave_team(other.user, team.pk),
        lambda: services.delete_milestone(host.user, team.pk, milestone.pk),
    ]
    results = run_together(calls)
    assert_only_domain_errors(results)
    assert outcome(results[-3]) == "ok"  # the removal always goes through
    assert not Membership.objects.filter(pk=worker.pk).exists()
    assert not Todo.objects.filter(team=team, assignee__isnull=False).exists()
    assert host_count(team.pk) == 1
