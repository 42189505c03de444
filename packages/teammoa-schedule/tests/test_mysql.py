"""MariaDB/MySQL: JSON lists round-trip, and concurrent saves of one week stay whole."""

import threading

import pytest
from django.db import connection, connections

from teammoa.core.testing.factories import add_member, host_of, make_team
from teammoa.schedule import services
from teammoa.schedule.models import DayAvailability
from tests.support import day

pytestmark = pytest.mark.services("mysql")

WEEK = "2026-W48"
DATES = [f"2026-11-{n}" for n in range(23, 30)]


@pytest.mark.django_db
def test_json_lists_round_trip():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    services.save_my_week(
        member.user, team.pk, {"days": [day("2026-11-23", [23, 0, 12], [5])]}, week=WEEK
    )
    row = DayAvailability.objects.get(membership=member, date="2026-11-23")
    assert row.available_hours == [0, 12, 23] and row.if_needed_hours == [5]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT JSON_LENGTH(available_hours), JSON_EXTRACT(available_hours, '$[2]') "  # noqa: S608
            f"FROM {DayAvailability._meta.db_table} WHERE id = %s",
            [row.pk],
        )
        assert cursor.fetchone() == (3, "23")
    # The team view reads the same values back through values_list.
    result = services.team_availability(member.user, team.pk, WEEK)
    assert result.days[0].free[23] == 1 and result.days[0].if_needed[5] == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_week_never_mix():
    team = make_team(timezone="Asia/Seoul")
    member = host_of(team)
    other = add_member(team)
    services.save_my_week(other.user, team.pk, {"days": [day("2026-11-23", [7])]}, week=WEEK)
    weeks = {
        n: {"days": [day(date, [n % 24], [(n + 1) % 24]) for date in DATES]} for n in range(12)
    }
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(weeks))

    def save(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.save_my_week(member.user, team.pk, weeks[n], week=WEEK)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in weeks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    rows = list(DayAvailability.objects.filter(membership=member).order_by("date"))
    assert [str(r.date) for r in rows] == DATES
    # Every day comes from the same request: whole weeks win, never a mixture.
    assert len({(tuple(r.available_hours), tuple(r.if_needed_hours)) for r in rows}) == 1
    assert DayAvailability.objects.get(membership=other, date="2026-11-23").available_hours == [7]
