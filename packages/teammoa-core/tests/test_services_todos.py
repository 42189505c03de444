"""Todo rules (SPEC section 2): who creates, takes, releases, completes, reorders and
deletes, and the board column positions."""

from __future__ import annotations

import datetime

import pytest

from teammoa.core import services
from teammoa.core.errors import Forbidden, Invalid, NotFound
from teammoa.core.models import Todo
from teammoa.core.testing.factories import host_of, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team(members=2)


@pytest.fixture
def alice(team):
    return team.memberships.filter(role="member").order_by("id")[0]


@pytest.fixture
def bob(team):
    return team.memberships.filter(role="member").order_by("id")[1]


def todo(actor, content="work", **kwargs):
    return services.create_todo(actor.user, actor.team_id, content, **kwargs)


def fresh(item: Todo) -> Todo:
    return Todo.objects.get(pk=item.pk)


def column(team_id, assignee=None, *, done=False) -> list[str]:
    todos = Todo.objects.filter(team_id=team_id, is_completed=done)
    if not done:
        todos = todos.filter(assignee=assignee)
    return list(todos.order_by("order", "id").values_list("content", flat=True))


def orders(team_id, assignee=None, *, done=False) -> list[int]:
    todos = Todo.objects.filter(team_id=team_id, is_completed=done)
    if not done:
        todos = todos.filter(assignee=assignee)
    return list(todos.order_by("order", "id").values_list("order", flat=True))


# --- creating ------------------------------------------------------------------------------


def test_any_member_creates(alice):
    created = todo(alice, "  write the spec  ")
    stored = fresh(created)
    assert stored.team_id == alice.team_id
    assert stored.content == "write the spec"
    assert (stored.assignee_id, stored.milestone_id, stored.is_completed) == (None, None, False)
    assert stored.created_at is not None


def test_new_todos_go_to_the_end(alice):
    first, second = todo(alice, "a"), todo(alice, "b")
    assert fresh(second).order > fresh(first).order


def test_outsider_cannot_create_or_see(team, alice):
    with pytest.raises(NotFound):
        services.create_todo(make_user(), team.pk, "x")
    item = todo(alice)
    with pytest.raises(NotFound):
        services.get_todo(make_user(), team.pk, item.pk)
    with pytest.raises(NotFound):
        services.todos_of(make_user(), team.pk)


@pytest.mark.parametrize("content", ["", "   ", "x" * 501, None, 42, ["a"]])
def test_content_has_1_to_500_characters(alice, content):
    with pytest.raises(Invalid) as info:
        todo(alice, content)
    assert "content" in info.value.errors
    assert not Todo.objects.exists()


def test_500_characters_fit(alice):
    assert len(fresh(todo(alice, "x" * 500)).content) == 500


def test_milestone_must_belong_to_the_team(alice):
    other_team = make_team()
    foreign = services.create_milestone(
        host_of(other_team).user,
        other_team.pk,
        title="theirs",
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 2),
    )
    for value in (foreign.pk, 999_999, "abc"):
        with pytest.raises(Invalid) as info:
            todo(alice, milestone=value)
        assert "milestone" in info.value.errors
    assert not Todo.objects.exists()
    item = todo(alice)
    with pytest.raises(Invalid) as info:
        services.update_todo(alice.user, alice.team_id, item.pk, milestone=foreign.pk)
    assert "milestone" in info.value.errors
    assert fresh(item).milestone_id is None


def test_member_creates_for_themself_only(alice, bob):
    assert fresh(todo(alice, assignee=alice.pk)).assignee_id == alice.pk
    with pytest.raises(Forbidden):
        todo(alice, "for bob", assignee=bob.pk)
    assert not Todo.objects.filter(content="for bob").exists()


def test_host_creates_for_anyone(host, alice):
    assert fresh(todo(host, assignee=alice.pk)).assignee_id == alice.pk


def test_assignee_must_be_in_the_team(host):
    stranger = host_of(make_team())
    with pytest.raises(Invalid) as info:
        todo(host, assignee=stranger.pk)
    assert "assignee" in info.value.errors


# --- taking and releasing ------------------------------------------------------------------


def test_member_takes_an_unassigned_todo_and_releases_it(alice):
    item = todo(alice)
    services.assign_todo(alice.user, alice.team_id, item.pk, alice.pk)
    assert fresh(item).assignee_id == alice.pk
    services.assign_todo(alice.user, alice.team_id, item.pk, None)
    assert fresh(item).assignee_id is None


def test_member_cannot_take_or_hand_out_others_todos(host, alice, bob):
    bobs = todo(host, assignee=bob.pk)
    with pytest.raises(Forbidden):
        services.assign_todo(alice.user, alice.team_id, bobs.pk, alice.pk)
    with pytest.raises(Forbidden):
        services.assign_todo(alice.user, alice.team_id, bobs.pk, None)
    free = todo(host)
    with pytest.raises(Forbidden):
        services.assign_todo(alice.user, alice.team_id, free.pk, bob.pk)
    mine = todo(alice, assignee=alice.pk)
    with pytest.raises(Forbidden):
        services.assign_todo(alice.user, alice.team_id, mine.pk, bob.pk)
    assert (fresh(bobs).assignee_id, fresh(free).assignee_id, fresh(mine).assignee_id) == (
        bob.pk,
        None,
        alice.pk,
    )


def test_host_assigns_anything(host, alice, bob):
    item = todo(host, assignee=alice.pk)
    services.assign_todo(host.user, host.team_id, item.pk, bob.pk)
    assert fresh(item).assignee_id == bob.pk
    services.assign_todo(host.user, host.team_id, item.pk, None)
    assert fresh(item).assignee_id is None
    services.assign_todo(host.user, host.team_id, item.pk, host.pk)
    assert fresh(item).assignee_id == host.pk


def test_assigning_to_a_stranger_is_invalid(host):
    item = todo(host)
    with pytest.raises(Invalid) as info:
        services.assign_todo(host.user, host.team_id, item.pk, host_of(make_team()).pk)
    assert "member" in info.value.errors


def test_an_assigned_todo_goes_to_the_end_of_its_new_column(host, alice):
    first = todo(host, "first", assignee=alice.pk)
    free = todo(host, "free")
    todo(host, "later", assignee=alice.pk)
    services.update_todo(host.user, host.team_id, free.pk, order=0)
    services.assign_todo(host.user, host.team_id, free.pk, alice.pk)
    assert column(host.team_id, alice) == ["first", "later", "free"]
    # Re-assigning to the same person does not move it.
    services.assign_todo(host.user, host.team_id, first.pk, alice.pk)
    assert column(host.team_id, alice) == ["first", "later", "free"]


def test_unknown_todo_is_not_found(host):
    other = todo(host_of(make_team()))
    for call in (
        lambda: services.assign_todo(host.user, host.team_id, other.pk, None),
        lambda: services.complete_todo(host.user, host.team_id, other.pk, True),
        lambda: services.update_todo(host.user, host.team_id, other.pk, content="x"),
        lambda: services.delete_todo(host.user, host.team_id, other.pk),
        lambda: services.get_todo(host.user, host.team_id, other.pk),
        lambda: services.get_todo(host.user, host.team_id, "nope"),
    ):
        with pytest.raises(NotFound):
            call()
    assert Todo.objects.filter(pk=other.pk, content="work").exists()


# --- completing ----------------------------------------------------------------------------


def test_member_completes_and_reopens_their_own(alice):
    item = todo(alice, assignee=alice.pk)
    services.complete_todo(alice.user, alice.team_id, item.pk, True)
    stored = fresh(item)
    assert stored.is_completed
    assert stored.completed_at is not None
    services.complete_todo(alice.user, alice.team_id, item.pk, False)
    stored = fresh(item)
    assert (stored.is_completed, stored.completed_at) == (False, None)


def test_member_cannot_complete_others_or_unassigned(host, alice, bob):
    bobs = todo(host, assignee=bob.pk)
    free = todo(host)
    for item in (bobs, free):
        with pytest.raises(Forbidden):
            services.complete_todo(alice.user, alice.team_id, item.pk, True)
        assert not fresh(item).is_completed


def test_host_completes_anything(host, bob):
    for item in (todo(host, assignee=bob.pk), todo(host)):
        services.complete_todo(host.user, host.team_id, item.pk, True)
        assert fresh(item).is_completed


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_completion_is_a_boolean(host, value):
    item = todo(host)
    with pytest.raises(Invalid) as info:
        services.complete_todo(host.user, host.team_id, item.pk, value)
    assert "is_completed" in info.value.errors


def test_completing_moves_to_the_end_of_the_done_column(host):
    a, b = todo(host, "a"), todo(host, "b")
    services.complete_todo(host.user, host.team_id, b.pk, True)
    services.complete_todo(host.user, host.team_id, a.pk, True)
    assert column(host.team_id, done=True) == ["b", "a"]


# --- editing -------------------------------------------------------------------------------


def test_editing_content(host, alice, bob):
    mine = todo(alice, assignee=alice.pk)
    services.update_todo(alice.user, alice.team_id, mine.pk, content="mine, edited")
    assert fresh(mine).content == "mine, edited"
    bobs = todo(host, "bob's", assignee=bob.pk)
    with pytest.raises(Forbidden):
        services.update_todo(alice.user, alice.team_id, bobs.pk, content="hijacked")
    services.update_todo(host.user, host.team_id, bobs.pk, content="host edit")
    assert fresh(bobs).content == "host edit"
    with pytest.raises(Invalid) as info:
        services.update_todo(host.user, host.team_id, bobs.pk, content="")
    assert "content" in info.value.errors
    assert fresh(bobs).content == "host edit"


def test_update_refuses_other_fields(host):
    item = todo(host)
    with pytest.raises(Invalid) as info:
        services.update_todo(host.user, host.team_id, item.pk, is_completed=True, team=3)
    assert set(info.value.errors) == {"is_completed", "team"}
    assert not fresh(item).is_completed


# --- board positions -----------------------------------------------------------------------


def test_reorder_within_a_column(alice):
    items = {c: todo(alice, c, assignee=alice.pk) for c in "abcd"}
    services.update_todo(alice.user, alice.team_id, items["d"].pk, order=0)
    assert column(alice.team_id, alice) == ["d", "a", "b", "c"]
    assert orders(alice.team_id, alice) == [0, 1, 2, 3]
    services.update_todo(alice.user, alice.team_id, items["d"].pk, order=2)
    assert column(alice.team_id, alice) == ["a", "b", "d", "c"]
    assert orders(alice.team_id, alice) == [0, 1, 2, 3]
    services.update_todo(alice.user, alice.team_id, items["a"].pk, order=3)
    assert column(alice.team_id, alice) == ["b", "d", "c", "a"]


def test_out_of_range_positions_clamp_to_the_end(alice):
    items = [todo(alice, c, assignee=alice.pk) for c in "abc"]
    services.update_todo(alice.user, alice.team_id, items[0].pk, order=99)
    assert column(alice.team_id, alice) == ["b", "c", "a"]
    assert orders(alice.team_id, alice) == [0, 1, 2]


@pytest.mark.parametrize("position", [-1, "1", 1.5, True, None])
def test_position_must_be_a_whole_number_of_zero_or_more(alice, position):
    items = [todo(alice, c, assignee=alice.pk) for c in "ab"]
    before = orders(alice.team_id, alice)
    with pytest.raises(Invalid) as info:
        services.update_todo(
            alice.user, alice.team_id, items[1].pk, order=position, content="changed"
        )
    assert "order" in info.value.errors
    assert orders(alice.team_id, alice) == before
    assert fresh(items[1]).content == "b"


def test_columns_are_independent(host, alice, bob):
    for c in "ab":
        todo(host, f"alice {c}", assignee=alice.pk)
    bobs = [todo(host, f"bob {c}", assignee=bob.pk) for c in "ab"]
    free = [todo(host, f"free {c}") for c in "ab"]
    alice_orders = orders(host.team_id, alice)
    services.update_todo(host.user, host.team_id, bobs[1].pk, order=0)
    services.update_todo(host.user, host.team_id, free[1].pk, order=0)
    assert column(host.team_id, bob) == ["bob b", "bob a"]
    assert column(host.team_id) == ["free b", "free a"]
    assert orders(host.team_id, alice) == alice_orders


def test_done_column_is_one_column(host, alice, bob):
    a = todo(host, "a", assignee=alice.pk)
    b = todo(host, "b", assignee=bob.pk)
    for item in (a, b):
        services.complete_todo(host.user, host.team_id, item.pk, True)
    services.update_todo(host.user, host.team_id, b.pk, order=0)
    assert column(host.team_id, done=True) == ["b", "a"]
    # The assignee reorders their own done todo.
    services.update_todo(alice.user, alice.team_id, a.pk, order=0)
    assert column(host.team_id, done=True) == ["a", "b"]


def test_member_reorders_only_their_own(host, alice, bob):
    bobs = [todo(host, c, assignee=bob.pk) for c in "ab"]
    free = [todo(host, c) for c in "xy"]
    with pytest.raises(Forbidden):
        services.update_todo(alice.user, alice.team_id, bobs[1].pk, order=0)
    with pytest.raises(Forbidden):
        services.update_todo(alice.user, alice.team_id, free[1].pk, order=0)
    assert column(host.team_id, bob) == ["a", "b"]
    assert column(host.team_id) == ["x", "y"]


# --- deleting ------------------------------------------------------------------------------


def test_only_the_host_deletes(host, alice):
    mine = todo(alice, assignee=alice.pk)
    with pytest.raises(Forbidden):
        services.delete_todo(alice.user, alice.team_id, mine.pk)
    assert Todo.objects.filter(pk=mine.pk).exists()
    services.delete_todo(host.user, host.team_id, mine.pk)
    assert not Todo.objects.filter(pk=mine.pk).exists()


def test_todos_of_lists_the_team_only(host, alice):
    todo(alice, "ours")
    todo(host_of(make_team()), "theirs")
    assert [t.content for t in services.todos_of(alice.user, alice.team_id)] == ["ours"]


# --- description and due date --------------------------------------------------------------


def test_description_and_due_date_are_optional_and_editable(alice):
    plain = todo(alice, "plain")
    assert (plain.description, plain.due_date) == ("", None)
    detailed = todo(alice, "detailed", description="Two\npages", due_date="2026-12-24")
    assert (detailed.description, detailed.due_date) == ("Two\npages", datetime.date(2026, 12, 24))
    services.update_todo(alice.user, alice.team_id, detailed.pk, description="", due_date=None)
    assert (fresh(detailed).description, fresh(detailed).due_date) == ("", None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("due_date", "2026-13-01"),
        ("due_date", "1969-12-31"),
        ("due_date", "tomorrow"),
        ("due_date", 20261224),
        ("description", "x" * 2001),
        ("description", "bad\x00"),
        ("description", 5),
    ],
)
def test_bad_details_are_refused_and_nothing_saved(alice, field, value):
    with pytest.raises(Invalid) as info:
        todo(alice, "x", **{field: value})
    assert field in info.value.errors
    assert not Todo.objects.exists()
    kept = todo(alice, "kept")
    with pytest.raises(Invalid):
        services.update_todo(
            alice.user, alice.team_id, kept.pk, content="changed", **{field: value}
        )
    assert fresh(kept).content == "kept"


def test_overdue_means_open_and_past_its_due_date(alice):
    day = datetime.date(2026, 12, 10)
    late = todo(alice, "late", due_date="2026-12-09", assignee=alice.pk)
    assert late.is_overdue_on(day)
    assert not todo(alice, "today", due_date="2026-12-10").is_overdue_on(day)
    assert not todo(alice, "none").is_overdue_on(day)
    services.complete_todo(alice.user, alice.team_id, late.pk, True)
    assert not fresh(late).is_overdue_on(day)
