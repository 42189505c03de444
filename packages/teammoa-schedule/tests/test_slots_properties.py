"""The availability computation and the best-slot ranking against a naive reference."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from teammoa.schedule.availability import resolve_week, summarize_team_week, summarize_week
from teammoa.schedule.hours import DayHours
from teammoa.schedule.slots import find_slots
from tests import reference

MONDAY = datetime.date(2026, 11, 23)


@st.composite
def day_hours(draw):
    # Runs of states make realistic weeks (and long common slots) more likely than noise.
    states = []
    while len(states) < 24:
        states += [draw(st.sampled_from("..FFM"))] * draw(st.integers(1, 8))
    states = states[:24]
    return DayHours(
        tuple(h for h, s in enumerate(states) if s == "F"),
        tuple(h for h, s in enumerate(states) if s == "M"),
    )


@st.composite
def weeks(draw, max_members=5, max_days=2):
    members = draw(st.lists(st.integers(1, 60), min_size=1, max_size=max_members, unique=True))
    dates = [MONDAY + datetime.timedelta(days=n) for n in range(draw(st.integers(1, max_days)))]
    return {day: {m: draw(day_hours()) for m in members} for day in dates}


def as_tuples(search):
    return [(s.date, s.start, s.end, s.free, s.if_needed) for s in search.slots]


@settings(max_examples=60)
@given(weeks(max_members=6, max_days=3))
def test_counts_and_who_match_reference(week):
    summaries = summarize_week(week)
    expected = reference.counts(week)
    for summary in summaries:
        free, maybe = expected[summary.date]
        assert summary.free == free
        assert summary.if_needed == maybe
        for hour, who in enumerate(summary.who):
            hours = week[summary.date]
            assert list(who.free) == sorted(m for m, h in hours.items() if hour in h.available)
            assert list(who.if_needed) == sorted(m for m, h in hours.items() if hour in h.if_needed)


@settings(max_examples=40, deadline=None)
@given(weeks(), st.integers(1, 4), st.data())
def test_best_slots_match_reference(week, length, data):
    members = sorted(next(iter(week.values())))
    required = data.draw(st.lists(st.sampled_from(members), max_size=2, unique=True))
    minimum = data.draw(st.none() | st.integers(1, len(members)))
    search = find_slots(
        summarize_week(week), members, min_members=minimum, length=length, required=required
    )
    used, expected = reference.slots(week, minimum, length, required)
    assert search.min_members == used
    assert as_tuples(search) == expected


@settings(max_examples=40, deadline=None)
@given(weeks(max_members=6, max_days=2), st.integers(1, 3))
def test_slot_invariants(week, length):
    members = sorted(next(iter(week.values())))
    search = find_slots(summarize_week(week), members, length=length, limit=5)
    assert len(search.slots) <= 5
    keys = [slot.rank_key() for slot in search.slots]
    assert keys == sorted(keys)
    for slot in search.slots:
        hours = week[slot.date]
        assert slot.length >= length
        assert slot.attendees >= search.min_members
        assert set(slot.free).isdisjoint(slot.if_needed)
        for hour in range(slot.start, slot.end):
            assert all(hour in hours[m].available for m in slot.free)
            assert all(
                hour in hours[m].available or hour in hours[m].if_needed for m in slot.if_needed
            )


@settings(max_examples=30)
@given(weeks(max_members=4, max_days=2), st.data())
def test_usual_week_fills_only_unpainted_days(week, data):
    dates = sorted(week)
    members = sorted(next(iter(week.values())))
    painted = {(m, day): week[day][m] for day in dates for m in members if data.draw(st.booleans())}
    usual = {(m, day.isoweekday()): data.draw(day_hours()) for day in dates for m in members}
    resolved = resolve_week(dates, members, painted, usual)
    for day in dates:
        for m in members:
            assert resolved[day][m] == painted.get((m, day), usual[(m, day.isoweekday())])


def test_default_min_is_everyone_when_possible():
    day = MONDAY
    week = {day: {1: DayHours((9, 10, 11)), 2: DayHours((10, 11, 12)), 3: DayHours((10,))}}
    search = find_slots(summarize_week(week), [1, 2, 3])
    assert search.min_members == 3
    assert as_tuples(search) == [(day, 10, 11, (1, 2, 3), ())]


def test_default_min_falls_back_to_the_highest_count():
    week = {MONDAY: {1: DayHours((9, 10)), 2: DayHours((10, 11)), 3: DayHours((15,))}}
    search = find_slots(summarize_week(week), [1, 2, 3])
    assert search.min_members == 2
    assert as_tuples(search) == [(MONDAY, 10, 11, (1, 2), ())]


def test_ranking_prefers_fewer_if_needed_then_length_then_earliest():
    week = {
        MONDAY: {1: DayHours((9, 10, 14), (11,)), 2: DayHours((9, 10, 11, 14))},
        MONDAY + datetime.timedelta(days=1): {1: DayHours((9, 10)), 2: DayHours((9, 10))},
    }
    search = find_slots(summarize_week(week), [1, 2])
    assert [(s.date.day, s.start, s.end, s.if_needed) for s in search.slots] == [
        (23, 9, 11, ()),  # both free, 2 hours, earliest
        (24, 9, 11, ()),
        (23, 14, 15, ()),  # both free, 1 hour
        (23, 9, 12, (1,)),  # longer, but member 1 only if needed at 11
    ]


def test_required_and_length():
    week = {MONDAY: {1: DayHours((9, 10, 11)), 2: DayHours((9,)), 3: DayHours((10, 11))}}
    search = find_slots(summarize_week(week), [1, 2, 3], length=2, required=[3])
    assert as_tuples(search) == [(MONDAY, 10, 12, (1, 3), ())]
    assert search.min_members == 2


@settings(max_examples=40)
@given(weeks(max_members=5, max_days=3), st.data())
def test_one_pass_summary_equals_resolve_then_summarize(week, data):
    """The API's one-pass summary is the two-step one, usual weeks and missing days too."""
    dates = sorted(week)
    members = sorted(next(iter(week.values())))
    painted = {(m, day): week[day][m] for day in dates for m in members if data.draw(st.booleans())}
    usual = {
        (m, day.isoweekday()): data.draw(day_hours())
        for day in dates
        for m in members
        if data.draw(st.booleans())
    }
    expected = summarize_week(resolve_week(dates, members, painted, usual))
    assert summarize_team_week(list(reversed(dates)), members, painted, usual) == expected
