import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teammoa.core.dates import EARLIEST_DATE, LATEST_DATE
from teammoa.core.errors import Invalid
from teammoa.schedule.weeks import IsoWeek, parse_date, parse_week, weeks_in_year


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W48", datetime.date(2026, 11, 23)),
        ("2026-W53", datetime.date(2026, 12, 28)),  # 2026 has 53 ISO weeks
        ("2027-W01", datetime.date(2027, 1, 4)),
        ("2025-W01", datetime.date(2024, 12, 30)),  # starts in the previous year
        ("2020-W53", datetime.date(2020, 12, 28)),
        ("2026-W13", datetime.date(2026, 3, 23)),
    ],
)
def test_parse_week(text, monday):
    week = parse_week(text)
    assert week.monday == monday
    assert week.dates()[0] == monday and week.dates()[-1] == monday + datetime.timedelta(days=6)
    assert str(week) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-48",
        "2026-W54",
        "2025-W53",
        "abc",
        "",
        None,
        "2026-W00",
        "2026-w48",
        "2026W48",
        " 2026-W48",
        "2026-W48-1",
        "26-W48",
        "0000-W01",
        "2026-W4",
        202648,
        ["2026-W48"],
    ],
)
def test_junk_weeks_name_the_form(text):
    with pytest.raises(Invalid) as caught:
        parse_week(text)
    (message,) = caught.value.errors["week"]
    assert "YYYY-Www" in message


def test_week_53_message_says_how_many_weeks():
    with pytest.raises(Invalid) as caught:
        parse_week("2025-W53")
    assert "52" in caught.value.errors["week"][0]


def test_weeks_in_year():
    assert weeks_in_year(2026) == 53
    assert weeks_in_year(2025) == 52
    assert weeks_in_year(2020) == 53


def test_shifting_crosses_year_boundaries():
    assert IsoWeek(2026, 53).shifted(1) == IsoWeek(2027, 1)
    assert IsoWeek(2025, 1).shifted(-1) == IsoWeek(2024, 52)


@given(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE))
def test_every_date_lies_in_its_week(day):
    week = IsoWeek.of(day)
    assert day in week.dates()
    assert parse_week(str(week)) == week
    assert week.shifted(1).shifted(-1) == week


@pytest.mark.parametrize("text", ["2026-11-31", "20261123", "2026-W48-1", "23/11/2026", "", None])
def test_parse_date_is_strict(text):
    with pytest.raises(Invalid):
        parse_date(text)
