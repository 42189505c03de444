"""The schedule's card on core's team home: the next meetings, through core's panel
registry (core never imports the schedule)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from teammoa.core.testing.factories import host_of, make_team
from teammoa.schedule.dates import day_label, week_label
from teammoa.schedule.models import Meeting

pytestmark = pytest.mark.django_db


def meeting(team, title, days, cancelled=False):
    start = timezone.now().astimezone(team.zone).replace(minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=days)
    return Meeting.objects.create(
        team=team,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="Room 3",
        cancelled_at=timezone.now() if cancelled else None,
    )


def test_the_team_home_lists_the_next_meetings(client, django_assert_max_num_queries):
    team = make_team(timezone="Asia/Seoul")
    meeting(team, "Past review", -3)
    meeting(team, "Cancelled one", 1, cancelled=True)
    later = meeting(team, "Demo day", 5)
    sooner = meeting(team, "Kick-off", 2)
    client.force_login(host_of(team).user)
    html = client.get(f"/teams/{team.pk}/").content.decode()
    assert 'id="meetings"' in html
    assert html.index("Kick-off") < html.index("Demo day")
    assert "Past review" not in html and "Cancelled one" not in html
    assert f"/api/v1/teams/{team.pk}/schedule/meetings/{sooner.pk}/calendar.ics" in html
    assert f"/api/v1/teams/{team.pk}/schedule/meetings/{later.pk}/calendar.ics" in html
    assert day_label(timezone.localtime(sooner.starts_at, team.zone).date()) in html


def test_the_panel_costs_one_query_whatever_the_number_of_meetings(client):
    team = make_team()
    client.force_login(host_of(team).user)
    client.get(f"/teams/{team.pk}/")  # warm the session
    for index in range(10):
        meeting(team, f"M{index}", index + 1)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/teams/{team.pk}/")
    for index in range(10):
        meeting(team, f"N{index}", index + 1)
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/teams/{team.pk}/").content.decode()
    assert len(many) == len(few)
    assert sum("teammoa_schedule_meeting" in q["sql"] for q in many.captured_queries) == 1
    assert html.count("Add to calendar") == 3


def test_without_meetings_it_invites_to_plan_one(client):
    team = make_team()
    client.force_login(host_of(team).user)
    html = client.get(f"/teams/{team.pk}/").content.decode()
    assert "No meeting planned yet" in html
    assert f"/teams/{team.pk}/schedule/#meetings" in html


@pytest.mark.parametrize(
    ("language", "expected_day", "expected_week", "other_month", "other_year"),
    [
        ("en", "Tue 8 Dec", "7 – 13 Dec", "30 Nov – 6 Dec", "28 Dec 2026 – 3 Jan 2027"),
        (
            "ko",
            "12월 8일 (화)",
            "12월 7일 – 13일",
            "11월 30일 – 12월 6일",
            "2026년 12월 28일 – 2027년 1월 3일",
        ),
    ],
)
def test_dates_are_written_in_the_pages_language(
    language, expected_day, expected_week, other_month, other_year
):
    today = datetime.date(2026, 12, 8)
    d = datetime.date
    with override(language):
        assert day_label(d(2026, 12, 8)) == expected_day
        assert week_label(d(2026, 12, 7), d(2026, 12, 13), today) == expected_week
        assert week_label(d(2026, 11, 30), d(2026, 12, 6), today) == other_month
        assert week_label(d(2026, 12, 28), d(2027, 1, 3), today) == other_year
        assert week_label(d(2027, 3, 1), d(2027, 3, 7), today).endswith("2027") == (
            language == "en"
        )
