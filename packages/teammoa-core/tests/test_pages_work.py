"""Milestone pages and the todo board, through plain HTML forms."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from teammoa.core.models import Membership, Milestone, Role, Team, Todo
from teammoa.core.services import assign_todo, complete_todo, create_milestone, create_todo
from teammoa.core.testing.factories import host_of, make_team, make_user
from teammoa.core.views.timeline import build_timeline

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"teammoa_core:{name}", kwargs=kwargs)


@pytest.fixture
def team() -> Team:
    return make_team(title="Crew", members=2)


@pytest.fixture
def members(team: Team) -> list[Membership]:
    return list(team.memberships.filter(role=Role.MEMBER).select_related("user"))


@pytest.fixture
def milestone(team: Team, host_user) -> Milestone:
    return create_milestone(
        host_user, team.pk, title="Alpha", start_date="2026-03-02", end_date="2026-03-13"
    )


def board_columns(client, team: Team, query: str = "") -> dict[str, list[str]]:
    response = client.get(url("todo_board", team=team.pk) + query)
    assert response.status_code == 200
    return {c.key: [card.todo.content for card in c.cards] for c in response.context["columns"]}


# --- milestones ----------------------------------------------------------------------------


def test_milestone_pages_are_404_for_non_members(client, team, milestone):
    client.force_login(make_user())
    assert (
        client.get(url("milestone_edit", team=team.pk, milestone=milestone.pk)).status_code == 404
    )
    assert (
        client.post(url("milestone_delete", team=team.pk, milestone=milestone.pk)).status_code
        == 404
    )


def test_milestone_of_another_team_is_404(client, team, host_user):
    other = make_team()
    foreign = create_milestone(
        host_of(other).user, other.pk, title="X", start_date="2026-01-01", end_date="2026-01-02"
    )
    client.force_login(host_user)
    assert client.get(url("milestone_edit", team=team.pk, milestone=foreign.pk)).status_code == 404


def test_milestone_create_page_and_errors_next_to_fields(client, team, member_user):
    client.force_login(member_user)
    assert client.get(url("milestone_create", team=team.pk)).status_code == 200
    response = client.post(
        url("milestone_create", team=team.pk),
        {
            "title": "",
            "start_date": "2026-05-10",
            "end_date": "2026-05-01",
            "priority": "medium",
            "progress_mode": "auto",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "end_date"}
    html = response.content.decode()
    assert 'id="milestone_end_date_error"' in html
    assert "The end date cannot be before the start date." in html
    assert not Milestone.objects.exists()


def test_milestone_edit_by_a_member(client, team, member_user, milestone):
    client.force_login(member_user)
    page = client.get(url("milestone_edit", team=team.pk, milestone=milestone.pk))
    assert page.status_code == 200
    assert 'value="Alpha"' in page.content.decode()
    assert (
        url("milestone_delete", team=team.pk, milestone=milestone.pk) not in page.content.decode()
    )
    response = client.post(
        url("milestone_edit", team=team.pk, milestone=milestone.pk),
        {
            "title": "Alpha 2",
            "description": "More",
            "start_date": "2026-03-03",
            "end_date": "2026-03-20",
            "priority": "critical",
            "progress_mode": "manual",
            "progress": "100",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.title == "Alpha 2"
    assert milestone.end_date == datetime.date(2026, 3, 20)
    assert milestone.progress == 100 and milestone.completed_at is not None


def test_milestone_delete_is_host_only(client, team, host_user, member_user, milestone):
    client.force_login(member_user)
    assert (
        client.get(url("milestone_delete", team=team.pk, milestone=milestone.pk)).status_code == 403
    )
    assert (
        client.post(url("milestone_delete", team=team.pk, milestone=milestone.pk)).status_code
        == 403
    )
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    client.force_login(host_user)
    edit = client.get(url("milestone_edit", team=team.pk, milestone=milestone.pk))
    assert url("milestone_delete", team=team.pk, milestone=milestone.pk) in edit.content.decode()
    response = client.post(url("milestone_delete", team=team.pk, milestone=milestone.pk))
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_timeline_geometry_and_status():
    today = datetime.date(2026, 3, 11)  # a Wednesday
    done = Milestone(
        title="Done",
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 6),
        progress=100,
    )
    late = Milestone(
        title="Late", start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 3, 5)
    )
    later = Milestone(
        title="Later", start_date=datetime.date(2026, 4, 1), end_date=datetime.date(2026, 4, 3)
    )
    timeline = build_timeline([done, late, later], today)
    assert timeline.start == datetime.date(2026, 2, 16)  # a Monday a week before Mar 1
    assert timeline.end == datetime.date(2026, 4, 17)
    assert timeline.days == 61
    assert [bar.status for bar in timeline.bars] == ["completed", "overdue", "not_started"]
    assert (timeline.bars[0].offset, timeline.bars[0].span) == (14, 5)
    assert timeline.today_offset == 23
    assert timeline.ticks[0].offset == 0 and timeline.ticks[1].offset == 7
    long = build_timeline([later], datetime.date(2025, 1, 1))
    assert long.days > 120
    assert all(tick.label for tick in long.ticks) and len(long.ticks) >= 14  # monthly ticks


def test_home_colours_bars_by_status(client, team, host_user):
    create_milestone(
        host_user, team.pk, title="Past", start_date="2000-01-01", end_date="2000-01-02"
    )
    client.force_login(host_user)
    html = client.get(url("team_home", team=team.pk)).content.decode()
    assert "timeline__bar--overdue" in html
    assert "Overdue" in html
    assert 'data-api-url="/api/v1/teams/' in html


# --- the todo board ------------------------------------------------------------------------


def test_board_columns(client, team, host_user, members, milestone):
    first, second = members
    create_todo(host_user, team.pk, "loose end")
    create_todo(host_user, team.pk, "for first", assignee=first.pk)
    done = create_todo(host_user, team.pk, "finished", assignee=second.pk, milestone=milestone.pk)
    complete_todo(host_user, team.pk, done.pk, True)
    client.force_login(first.user)
    columns = board_columns(client, team)
    host_key = f"member-{host_of(team).pk}"
    assert columns == {
        "unassigned": ["loose end"],
        host_key: [],
        f"member-{first.pk}": ["for first"],
        f"member-{second.pk}": [],
        "done": ["finished"],
    }
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert "Nothing here" in html
    assert "by Nick" in html  # who finished it
    assert "todo_board.js" in html


def test_board_is_404_for_non_members_and_login_for_anonymous(client, team):
    assert client.get(url("todo_board", team=team.pk)).status_code == 302
    client.force_login(make_user())
    assert client.get(url("todo_board", team=team.pk)).status_code == 404
    assert client.post(url("todo_create", team=team.pk), {"content": "x"}).status_code == 404
    assert not Todo.objects.exists()


def test_board_filter_by_milestone(client, team, host_user, milestone):
    create_todo(host_user, team.pk, "in alpha", milestone=milestone.pk)
    create_todo(host_user, team.pk, "elsewhere")
    client.force_login(host_user)
    assert board_columns(client, team, f"?milestone={milestone.pk}")["unassigned"] == ["in alpha"]
    assert board_columns(client, team, "?milestone=nonsense")["unassigned"] == [
        "in alpha",
        "elsewhere",
    ]


def test_board_positions_count_hidden_todos(client, team, host_user, milestone):
    create_todo(host_user, team.pk, "a")
    create_todo(host_user, team.pk, "b", milestone=milestone.pk)
    client.force_login(host_user)
    response = client.get(url("todo_board", team=team.pk) + f"?milestone={milestone.pk}")
    (card,) = response.context["columns"][0].cards
    assert card.position == 1  # its place in the whole column, as the service counts


def test_add_todo(client, team, member_user, milestone):
    client.force_login(member_user)
    board = url("todo_board", team=team.pk) + f"?milestone={milestone.pk}"
    response = client.post(
        url("todo_create", team=team.pk),
        {"content": "write docs", "milestone": milestone.pk, "next": board},
    )
    todo = Todo.objects.get()
    assert response.status_code == 302
    assert response.url == f"{board}#todo-{todo.pk}"
    assert (todo.content, todo.milestone_id, todo.assignee_id) == ("write docs", milestone.pk, None)


def test_add_todo_errors_show_on_the_board(client, team, member_user):
    client.force_login(member_user)
    response = client.post(url("todo_create", team=team.pk), {"content": "   "})
    assert response.status_code == 200
    assert "content" in response.context["form"].errors
    assert 'id="todo_content_error"' in response.content.decode()
    assert not Todo.objects.exists()


def test_add_todo_ignores_an_unsafe_next(client, team, member_user):
    client.force_login(member_user)
    response = client.post(
        url("todo_create", team=team.pk), {"content": "x", "next": "https://evil.example/"}
    )
    assert response.url.startswith(url("todo_board", team=team.pk))


def test_member_takes_completes_and_releases(client, team, member_user, members):
    mine = members[0]
    host_user = host_of(team).user
    todo = create_todo(host_user, team.pk, "task")
    client.force_login(member_user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert "Take it" in html
    client.post(url("todo_assign", team=team.pk, todo=todo.pk), {"member": mine.pk})
    todo.refresh_from_db()
    assert todo.assignee_id == mine.pk
    client.post(url("todo_complete", team=team.pk, todo=todo.pk), {"is_completed": "true"})
    todo.refresh_from_db()
    assert todo.is_completed
    client.post(url("todo_complete", team=team.pk, todo=todo.pk), {"is_completed": "false"})
    client.post(url("todo_assign", team=team.pk, todo=todo.pk), {"member": "none"})
    todo.refresh_from_db()
    assert (todo.is_completed, todo.assignee_id) == (False, None)


def test_member_cannot_touch_others_todos(client, team, member_user, members):
    host_user = host_of(team).user
    theirs = create_todo(host_user, team.pk, "theirs", assignee=members[1].pk)
    client.force_login(member_user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert "Actions for “theirs”" not in html  # no menu for a todo they cannot change
    response = client.post(
        url("todo_complete", team=team.pk, todo=theirs.pk), {"is_completed": "true"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            url("todo_assign", team=team.pk, todo=theirs.pk), {"member": "none"}
        ).status_code
        == 403
    )
    assert client.post(url("todo_delete", team=team.pk, todo=theirs.pk)).status_code == 403
    theirs.refresh_from_db()
    assert (theirs.is_completed, theirs.assignee_id) == (False, members[1].pk)


def test_host_assigns_moves_and_deletes(client, team, host_user, members):
    a = create_todo(host_user, team.pk, "a")
    b = create_todo(host_user, team.pk, "b")
    c = create_todo(host_user, team.pk, "c")
    client.force_login(host_user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert "Move to…" in html and "Move down" in html
    client.post(url("todo_move", team=team.pk, todo=c.pk), {"order": "0"})
    assert board_columns(client, team)["unassigned"] == ["c", "a", "b"]
    client.post(url("todo_assign", team=team.pk, todo=a.pk), {"member": members[1].pk})
    assert board_columns(client, team)[f"member-{members[1].pk}"] == ["a"]
    response = client.post(url("todo_delete", team=team.pk, todo=b.pk), follow=True)
    assert "Todo deleted." in response.content.decode()
    assert not Todo.objects.filter(pk=b.pk).exists()


def test_assign_without_a_choice_is_a_message(client, team, host_user):
    todo = create_todo(host_user, team.pk, "a")
    client.force_login(host_user)
    response = client.post(
        url("todo_assign", team=team.pk, todo=todo.pk), {"member": ""}, follow=True
    )
    assert "Choose where to move the todo." in response.content.decode()


def test_bad_values_are_messages_not_errors(client, team, host_user):
    todo = create_todo(host_user, team.pk, "a")
    client.force_login(host_user)
    response = client.post(
        url("todo_move", team=team.pk, todo=todo.pk), {"order": "up"}, follow=True
    )
    assert response.status_code == 200
    assert "A position of 0 or more is required." in response.content.decode()
    stranger = make_team().memberships.get()
    response = client.post(
        url("todo_assign", team=team.pk, todo=todo.pk), {"member": stranger.pk}, follow=True
    )
    assert "Not a member of this team." in response.content.decode()


def test_todo_of_another_team_is_404(client, team, host_user):
    other = make_team()
    foreign = create_todo(host_of(other).user, other.pk, "x")
    client.force_login(host_user)
    response = client.post(
        url("todo_complete", team=team.pk, todo=foreign.pk), {"is_completed": "true"}
    )
    assert response.status_code == 404


def test_actions_are_post_only(client, team, host_user):
    todo = create_todo(host_user, team.pk, "a")
    assign_todo(host_user, team.pk, todo.pk, None)
    client.force_login(host_user)
    for name in ("todo_assign", "todo_complete", "todo_move", "todo_delete"):
        assert client.get(url(name, team=team.pk, todo=todo.pk)).status_code == 405
    assert client.get(url("todo_create", team=team.pk)).status_code == 405


def test_edit_a_todos_text_from_its_card(client, team, host_user, members):
    todo = create_todo(host_user, team.pk, "Sketch the screens")
    client.force_login(members[0].user)  # a member may edit an unassigned todo
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert url("todo_edit", team=team.pk, todo=todo.pk) in html

    response = client.post(
        url("todo_edit", team=team.pk, todo=todo.pk),
        {"content": "  Sketch the login screens "},
        follow=True,
    )

    assert "Todo saved." in response.content.decode()
    todo.refresh_from_db()
    assert todo.content == "Sketch the login screens"


def test_edit_refuses_empty_text_and_someone_elses_todo(client, team, host_user, members):
    todo = create_todo(host_user, team.pk, "Theirs")
    assign_todo(host_user, team.pk, todo.pk, members[1].pk)
    client.force_login(members[0].user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert url("todo_edit", team=team.pk, todo=todo.pk) not in html
    assert (
        client.post(url("todo_edit", team=team.pk, todo=todo.pk), {"content": "Mine"}).status_code
        == 403
    )
    client.force_login(host_user)
    response = client.post(
        url("todo_edit", team=team.pk, todo=todo.pk), {"content": "  "}, follow=True
    )
    assert response.status_code == 200
    todo.refresh_from_db()
    assert todo.content == "Theirs"


# --- issue 15: the add panel, todo details, the done checkbox ------------------------------


def test_the_add_milestone_panel_stays_open_after_adding(client, team, member_user, milestone):
    client.force_login(member_user)
    home = client.get(url("team_home", team=team.pk)).content.decode()
    assert '<details class="add-panel" id="add-milestone">' in home  # closed: bars exist
    response = client.post(
        url("milestone_create", team=team.pk),
        {
            "title": "Beta",
            "start_date": "2026-05-01",
            "end_date": "2026-05-10",
            "priority": "medium",
            "progress_mode": "auto",
        },
    )
    assert response.status_code == 302
    assert response.url == url("team_home", team=team.pk) + "?adding=milestones#milestones"
    again = client.get(response.url).content.decode()
    assert '<details class="add-panel" id="add-milestone" open>' in again


def test_timeline_bars_carry_their_title_as_a_tooltip(client, team, host_user, milestone):
    client.force_login(host_user)
    html = client.get(url("team_home", team=team.pk)).content.decode()
    assert 'title="Alpha (' in html
    assert "data-outside-label" in html


def test_add_todo_with_description_and_due_date(client, team, member_user):
    client.force_login(member_user)
    response = client.post(
        url("todo_create", team=team.pk),
        {"content": "Write the report", "description": "Two pages", "due_date": "2026-12-24"},
    )
    assert response.status_code == 302
    todo = Todo.objects.get()
    assert (todo.description, todo.due_date) == ("Two pages", datetime.date(2026, 12, 24))


def test_a_bad_due_date_is_an_error_next_to_the_field(client, team, member_user):
    client.force_login(member_user)
    response = client.post(
        url("todo_create", team=team.pk), {"content": "Later", "due_date": "24/12/2026"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["due_date"]
    assert '<details class="todo-add__more" open>' in response.content.decode()
    assert not Todo.objects.exists()


def test_overdue_todos_are_marked_and_done_ones_are_not(client, team, host_user):
    yesterday = team.today() - datetime.timedelta(days=1)
    late = create_todo(host_user, team.pk, "Late one", due_date=yesterday.isoformat())
    done = create_todo(host_user, team.pk, "Done one", due_date=yesterday.isoformat())
    complete_todo(host_user, team.pk, done.pk, True)
    create_todo(host_user, team.pk, "Later one", due_date="2100-01-01")
    client.force_login(host_user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    assert html.count("due--overdue") == 1
    card = html.split(f'id="todo-{late.pk}"')[1].split("</li>")[0]
    assert "Overdue: due" in card


def test_the_done_checkbox_and_the_edit_form(client, team, host_user):
    todo = create_todo(host_user, team.pk, "Tick me")
    client.force_login(host_user)
    html = client.get(url("todo_board", team=team.pk)).content.decode()
    card = html.split(f'id="todo-{todo.pk}"')[1].split("</li>")[0]
    assert 'role="checkbox" aria-checked="false"' in card
    assert 'name="description"' in card and 'name="due_date"' in card
    client.post(url("todo_complete", team=team.pk, todo=todo.pk), {"is_completed": "true"})
    client.post(
        url("todo_edit", team=team.pk, todo=todo.pk),
        {"content": "Ticked", "description": "with notes", "due_date": ""},
    )
    todo.refresh_from_db()
    assert (todo.is_completed, todo.content, todo.description, todo.due_date) == (
        True,
        "Ticked",
        "with notes",
        None,
    )
