"""Dates a person types are ASCII ``YYYY-MM-DD`` within 1970-2100 (SPEC section 9), in the
model, the service and the API; the team home's timeline stays small whatever is stored."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from teammoa.core import services
from teammoa.core.dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    check_date,
    parse_date,
    validate_date_in_range,
    year_in_range,
)
from teammoa.core.errors import Invalid
from teammoa.core.models import Membership, Milestone, Team
from teammoa.core.testing.factories import host_of, make_team
from teammoa.core.views.timeline import build_timeline
from tests.api_support import as_user

BOUNDS = "1970-01-01 and 2100-12-31"


def in_digits(text: str, zero: int) -> str:
    """``text`` with its ASCII digits written in another script (``zero`` = its 0)."""
    return text.translate({ord(str(d)): chr(zero + d) for d in range(10)})


ARABIC_INDIC = 0x0660  # \d and int() accept these digits
FULLWIDTH = 0xFF10

# --- the one parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-23", datetime.date(2026, 11, 23)),
        ("1970-01-01", EARLIEST_DATE),
        ("2100-12-31", LATEST_DATE),
        ("2028-02-29", datetime.date(2028, 2, 29)),
    ],
)
def test_parse_date_accepts_dates_in_range(text: str, day: datetime.date) -> None:
    assert parse_date(text, "day") == day
    assert parse_date(day, "day") == day


@pytest.mark.parametrize(
    "value",
    [
        in_digits("2026-11-23", ARABIC_INDIC),
        in_digits("2026-11-23", FULLWIDTH),
        "2026-11-23\n",  # `$` matches before a trailing newline
        " 2026-11-23",
        "2026-11-23 ",
        "2026-1-5",
        "20261123",
        "2026-11-31",
        "2026-W48",
        "",
        None,
        20261123,
        ["2026-11-23"],
        datetime.datetime(2026, 11, 23, 9),
    ],
)
def test_parse_date_rejects_anything_else_with_the_form(value: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_date(value, "day")
    assert "YYYY-MM-DD" in caught.value.errors["day"][0]


@pytest.mark.parametrize(
    "value", ["0001-01-03", "1969-12-31", "2101-01-01", "9999-12-31", datetime.date.max]
)
def test_dates_out_of_range_name_the_bounds(value: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_date(value, "day")
    assert BOUNDS in caught.value.errors["day"][0]


def test_the_validator_and_the_year_check_share_the_bounds() -> None:
    validate_date_in_range(EARLIEST_DATE)
    validate_date_in_range(LATEST_DATE)
    with pytest.raises(ValidationError) as caught:
        validate_date_in_range(datetime.date(1969, 12, 31))
    assert caught.value.code == "date_out_of_range"
    assert BOUNDS in caught.value.messages[0]
    assert check_date(EARLIEST_DATE, "x") == EARLIEST_DATE
    assert [year_in_range(y) for y in (1969, 1970, 2100, 2101)] == [False, True, True, False]


# --- milestones: service, API, model --------------------------------------------------------


def milestones_url(team: Team) -> str:
    return f"/api/v1/teams/{team.pk}/milestones/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field", "needle"),
    [
        ("0001-01-03", "2026-01-01", "start_date", BOUNDS),  # issue 9: OverflowError before
        ("1000-01-01", "9000-12-31", "start_date", BOUNDS),  # issue 9: a 5.7 MB home page
        ("2026-01-01", "9999-12-31", "end_date", BOUNDS),
        ("1969-12-31", "2026-01-01", "start_date", BOUNDS),
        ("2026-01-01", "2101-01-01", "end_date", BOUNDS),
        (in_digits("2026-01-01", ARABIC_INDIC), "2026-01-02", "start_date", "YYYY-MM-DD"),
        ("2026-01-01\n", "2026-01-02", "start_date", "YYYY-MM-DD"),
        ("2026-01-01", "2026-1-2", "end_date", "YYYY-MM-DD"),
    ],
)
def test_api_refuses_dates_outside_the_bounds(
    start: str, end: str, field: str, needle: str, db_state: Any
) -> None:
    team = make_team(members=1)
    before = db_state()
    client = as_user(host_of(team).user)
    response = client.post(
        milestones_url(team), {"title": "M", "start_date": start, "end_date": end}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert needle in response.json()[field][0]
    assert db_state() == before


@pytest.mark.django_db
def test_api_accepts_the_bounds_themselves_and_refuses_moving_past_them() -> None:
    team = make_team()
    client = as_user(host_of(team).user)
    body = {"title": "Forever", "start_date": "1970-01-01", "end_date": "2100-12-31"}
    response = client.post(milestones_url(team), body, format="json")
    assert response.status_code == 201, response.json()
    detail = f"{milestones_url(team)}{response.json()['id']}/"
    moved = client.patch(detail, {"end_date": "2101-01-01"}, format="json")
    assert moved.status_code == 400
    assert BOUNDS in moved.json()["end_date"][0]
    assert client.get(detail).json()["end_date"] == "2100-12-31"


@pytest.mark.django_db
def test_service_refuses_dates_outside_the_bounds() -> None:
    team = make_team()
    host = host_of(team)
    with pytest.raises(Invalid) as caught:
        services.create_milestone(
            host.user,
            team.pk,
            title="M",
            start_date=datetime.date(1, 1, 3),
            end_date=datetime.date(2026, 1, 1),
        )
    assert BOUNDS in caught.value.errors["start_date"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(1, 1, 3), datetime.date(2026, 1, 1)),
        (datetime.date(2026, 1, 1), datetime.date(9999, 12, 31)),
    ],
)
def test_the_database_refuses_dates_outside_the_bounds(
    start: datetime.date, end: datetime.date
) -> None:
    team = make_team()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(team=team, title="M", start_date=start, end_date=end)


@pytest.mark.django_db
def test_model_validation_names_the_bounds() -> None:
    milestone = Milestone(
        team=make_team(),
        title="M",
        start_date=datetime.date(1, 1, 3),
        end_date=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        milestone.full_clean()
    assert BOUNDS in caught.value.message_dict["start_date"][0]


@pytest.mark.django_db
def test_home_page_form_shows_the_bound(client: Any) -> None:
    team = make_team()
    client.force_login(host_of(team).user)
    html = client.get(f"/teams/{team.pk}/").content.decode()
    assert 'min="1970-01-01"' in html and 'max="2100-12-31"' in html


# --- the timeline ----------------------------------------------------------------------------


def _milestone(start: datetime.date, end: datetime.date) -> Milestone:
    return Milestone(pk=1, title="M", start_date=start, end_date=end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(1, 1, 3), datetime.date(2026, 12, 7)),  # issue 9: OverflowError
        (datetime.date(1000, 1, 1), datetime.date(9000, 12, 31)),  # issue 9: 5.7 MB
        (datetime.date(2026, 12, 1), datetime.date.max),
        (EARLIEST_DATE, LATEST_DATE),
    ],
)
def test_timeline_stays_small_whatever_the_dates(start: datetime.date, end: datetime.date) -> None:
    timeline = build_timeline([_milestone(start, end)], datetime.date(2026, 12, 7))
    assert timeline.start >= EARLIEST_DATE - datetime.timedelta(days=14)
    assert timeline.end <= LATEST_DATE + datetime.timedelta(days=14)
    assert len(timeline.ticks) <= 40
    assert timeline.scale == "decade"
    (bar,) = timeline.bars
    assert bar.offset >= 0 and bar.offset + bar.span <= timeline.days


@pytest.mark.parametrize(
    ("days", "scale", "most"),
    [(60, "week", 13), (400, "month", 15), (3000, "year", 10), (9000, "year", 26)],
)
def test_tick_scale_grows_with_the_range(days: int, scale: str, most: int) -> None:
    today = datetime.date(2026, 12, 7)
    timeline = build_timeline([_milestone(today, today + datetime.timedelta(days=days))], today)
    assert timeline.scale == scale
    assert 1 <= len(timeline.ticks) <= most
    assert all(0 <= tick.offset < timeline.days for tick in timeline.ticks)


@pytest.mark.django_db
def test_team_home_with_a_1970_to_2100_milestone_is_fast_and_small(client: Any) -> None:
    team = make_team()
    host = host_of(team)
    services.create_milestone(
        host.user, team.pk, title="Forever", start_date=EARLIEST_DATE, end_date=LATEST_DATE
    )
    client.force_login(host.user)
    began = time.perf_counter()
    response = client.get(f"/teams/{team.pk}/")
    elapsed = time.perf_counter() - began
    assert response.status_code == 200
    html = response.content.decode()
    assert "timeline--decade" in html
    assert len(re.findall(r'class="timeline__tick"', html)) <= 20
    # Before the bounds and the scale, 1000-9000 made a 5.7 MB page in 9 s.
    assert len(response.content) < 100_000
    assert elapsed < 5  # generous: a guard against a stall, not a benchmark


# --- the migration that adds the bounds --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_clamps_stored_dates_into_the_bounds() -> None:
    team = make_team()
    executor = MigrationExecutor(connection)
    executor.migrate([("teammoa_core", "0001_initial")])
    try:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Milestone._meta.db_table)
            for title, start, end in [
                ("old", "0001-01-03", "2026-01-01"),
                ("wide", "1000-01-01", "9000-12-31"),
                ("late", "9000-01-01", "9999-12-31"),
                ("fine", "2026-01-01", "2026-02-01"),
            ]:
                cursor.execute(
                    f"INSERT INTO {table} (team_id, title, description, start_date, end_date, "  # noqa: S608
                    "priority, progress_mode, progress, created_at, updated_at) "
                    "VALUES (%s, %s, '', %s, %s, 'medium', 'auto', 0, %s, %s)",
                    [team.pk, title, start, end, "2026-01-01 00:00:00", "2026-01-01 00:00:00"],
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("teammoa_core"))
    stored = {
        m.title: (m.start_date.isoformat(), m.end_date.isoformat())
        for m in Milestone.objects.filter(team=team)
    }
    assert stored == {
        "old": ("1970-01-01", "2026-01-01"),
        "wide": ("1970-01-01", "2100-12-31"),
        "late": ("2100-12-31", "2100-12-31"),
        "fine": ("2026-01-01", "2026-02-01"),
    }
    Membership.objects.filter(team=team).delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "needle"),
    [
        ("0001-01-03", BOUNDS),
        ("9999-12-31", BOUNDS),
        (in_digits("2026-01-01", ARABIC_INDIC), ""),
        ("9" * 5000, ""),
    ],
)
def test_milestone_form_refuses_dates_outside_the_bounds(
    client: Any, start: str, needle: str, db_state: Any
) -> None:
    team = make_team()
    client.force_login(host_of(team).user)
    before = db_state()
    response = client.post(
        f"/teams/{team.pk}/milestones/new/",
        {
            "title": "M",
            "start_date": start,
            "end_date": "2026-01-02",
            "priority": "medium",
            "progress_mode": "auto",
        },
    )
    assert response.status_code in (200, 400)
    assert needle in response.content.decode()
    assert db_state() == before


# --- times of day as people write them -----------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "english", "korean"),
    [
        (0, 0, "00:00", "오전 12시"),
        (9, 0, "09:00", "오전 9시"),
        (9, 30, "09:30", "오전 9시 30분"),
        (12, 0, "12:00", "오후 12시"),
        (15, 0, "15:00", "오후 3시"),
        (15, 5, "15:05", "오후 3시 5분"),
        (23, 0, "23:00", "오후 11시"),
        (24, 0, "24:00", "자정"),
    ],
)
def test_clock_labels(hour, minute, english, korean):
    from django.template import Context, Template
    from django.utils import translation

    from teammoa.core.dates import clock_label

    with translation.override("en"):
        assert clock_label(hour, minute) == english
    with translation.override("ko"):
        assert clock_label(hour, minute) == korean
        rendered = Template("{% load teammoa_core %}{{ h|clock:m }}").render(
            Context({"h": hour, "m": minute})
        )
        assert rendered == korean


def test_the_clock_filter_leaves_junk_empty():
    from django.template import Context, Template

    assert Template("{% load teammoa_core %}[{{ h|clock }}]").render(Context({"h": "x"})) == "[]"
