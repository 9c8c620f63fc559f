"""The working-day clock (liuyan.core.clock): pure Python, no database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuyan.core.clock import (
    SHANGHAI,
    Clock,
    ClockRules,
    RememberingCalendar,
    WorkCalendar,
    end_of_day,
    local_date,
)

# The official 2026 schedule around National Day, written out by hand: Mid-Autumn Friday
# 25 September off, National Day 1–7 October off, Sunday 20 September and Saturday 10 October
# worked instead (调休).
HAND_2026 = WorkCalendar.from_days(
    holidays=[date(2026, 9, 25)] + [date(2026, 10, day) for day in range(1, 8)],
    workdays=[date(2026, 9, 20), date(2026, 10, 10)],
    known_years=[2026],
)
# Everything the chinese-calendar package knows (2004–2026).
PACKAGE = WorkCalendar.from_days(
    holidays=chinese_calendar.holidays,
    workdays=chinese_calendar.workdays,
    known_years=range(2004, 2027),
)
PLAIN = WorkCalendar()  # no data at all: Monday–Friday


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware moment on `day` at hour:minute in Shanghai."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def deadline_day(deadline: datetime) -> date:
    return local_date(deadline)


# --- the calendar itself -------------------------------------------------------------------


def test_plain_calendar_is_monday_to_friday():
    week = [date(2026, 3, 2) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
    assert [PLAIN.is_working_day(day) for day in week] == [True] * 5 + [False] * 2


@pytest.mark.parametrize("calendar", [HAND_2026, PACKAGE], ids=["hand", "package"])
def test_national_day_2026_is_off_and_makeup_weekend_days_are_worked(calendar):
    assert not calendar.is_working_day(date(2026, 10, 1))  # Thursday, National Day
    assert not calendar.is_working_day(date(2026, 10, 7))  # Wednesday, still off
    assert not calendar.is_working_day(date(2026, 9, 25))  # Friday, Mid-Autumn
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday, make-up day
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday, make-up day
    assert calendar.is_working_day(date(2026, 10, 8))  # Thursday, back at work


def test_next_working_day_skips_the_whole_holiday():
    assert HAND_2026.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert HAND_2026.next_working_day(date(2026, 10, 8), include_today=True) == date(2026, 10, 8)
    assert HAND_2026.next_working_day(date(2026, 10, 9)) == date(2026, 10, 10)


def test_a_year_without_data_falls_back_to_monday_to_friday_and_is_reported_missing():
    assert PACKAGE.is_working_day(date(2027, 10, 1))  # a Friday: nobody entered 2027 yet
    assert PACKAGE.missing_years([2026, 2027]) == [2027]
    assert PACKAGE.missing_years(range(2004, 2027)) == []
    assert PLAIN.missing_years([2027, 2026, 2027]) == [2026, 2027]


# --- add_working_days ----------------------------------------------------------------------


def test_one_working_day_after_a_friday_is_the_monday():
    deadline = PLAIN.add_working_days(at(date(2026, 3, 6)), 1)
    assert deadline_day(deadline) == date(2026, 3, 9)


def test_a_deadline_is_the_end_of_the_local_day_in_utc():
    deadline = PLAIN.add_working_days(at(date(2026, 3, 2)), 1)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2026, 3, 3, 15, 59, 59, 999999, tzinfo=UTC)
    assert deadline == end_of_day(date(2026, 3, 3))


def test_the_start_day_is_the_shanghai_day_not_the_utc_day():
    # Thursday 17:30 UTC is Friday 01:30 in Shanghai: one working day later is Monday there,
    # where a UTC reading would say Friday.
    thursday_night_utc = datetime(2026, 3, 5, 17, 30, tzinfo=UTC)  # Friday 01:30 in Shanghai
    assert deadline_day(PLAIN.add_working_days(thursday_night_utc, 1)) == date(2026, 3, 9)
    other_zone = datetime(2026, 3, 5, 12, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert deadline_day(PLAIN.add_working_days(other_zone, 1)) == date(2026, 3, 9)


@pytest.mark.parametrize("calendar", [HAND_2026, PACKAGE], ids=["hand", "package"])
def test_working_days_over_national_day_2026_count_the_makeup_saturday(calendar):
    start = at(date(2026, 9, 30))  # Wednesday, last day before the holiday
    assert deadline_day(calendar.add_working_days(start, 1)) == date(2026, 10, 8)
    assert deadline_day(calendar.add_working_days(start, 2)) == date(2026, 10, 9)
    assert deadline_day(calendar.add_working_days(start, 3)) == date(2026, 10, 10)  # Saturday
    assert deadline_day(calendar.add_working_days(start, 4)) == date(2026, 10, 12)


@pytest.mark.parametrize("calendar", [HAND_2026, PACKAGE], ids=["hand", "package"])
def test_fifteen_working_days_from_mid_september_2026(calendar):
    # 17 Sep (Thu) + 15: 18, 20(Sun, make-up), 21, 22, 23, 24, 28, 29, 30, 8 Oct, 9, 10(Sat), 12,
    # 13, 14 — Mid-Autumn (25th), the weekends and 1–7 October are skipped.
    deadline = calendar.add_working_days(at(date(2026, 9, 17)), 15)
    assert deadline_day(deadline) == date(2026, 10, 14)
    assert PLAIN.add_working_days(at(date(2026, 9, 17)), 15) < deadline


def test_urgent_same_day_on_a_working_day_ends_that_evening():
    start = at(date(2026, 3, 3), hour=9)  # Tuesday
    assert PLAIN.add_working_days(start, 0) == end_of_day(date(2026, 3, 3))


def test_urgent_same_day_on_a_saturday_moves_to_monday():
    assert deadline_day(PLAIN.add_working_days(at(date(2026, 3, 7)), 0)) == date(2026, 3, 9)


def test_urgent_same_day_during_a_holiday_and_on_a_makeup_saturday():
    assert deadline_day(HAND_2026.add_working_days(at(date(2026, 10, 1)), 0)) == date(2026, 10, 8)
    assert deadline_day(HAND_2026.add_working_days(at(date(2026, 10, 10)), 0)) == date(2026, 10, 10)


def test_work_received_on_a_weekend_counts_from_the_next_working_day():
    saturday = at(date(2026, 3, 7))
    assert deadline_day(PLAIN.add_working_days(saturday, 1)) == date(2026, 3, 9)
    assert deadline_day(PLAIN.add_working_days(saturday, 2)) == date(2026, 3, 10)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        PLAIN.add_working_days(at(date(2026, 3, 2)), -1)


def test_naive_datetimes_are_refused_everywhere():
    naive = datetime(2026, 3, 2, 10, 0)
    aware = at(date(2026, 3, 2))
    with pytest.raises(ValueError, match="naive"):
        local_date(naive)
    with pytest.raises(ValueError, match="naive"):
        PLAIN.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        PLAIN.working_days_between(aware, naive)
    with pytest.raises(ValueError, match="naive"):
        PLAIN.working_days_left(naive, aware)
    with pytest.raises(ValueError, match="naive"):
        Clock(PLAIN).is_overdue(aware, naive)
    with pytest.raises(ValueError, match="naive"):
        Clock(PLAIN).is_due_soon(naive, aware)


# --- counting -----------------------------------------------------------------------------


def test_working_days_between_counts_days_after_start_up_to_end():
    monday, friday = date(2026, 3, 2), date(2026, 3, 6)
    assert PLAIN.working_days_between(at(monday), at(monday, 18)) == 0
    assert PLAIN.working_days_between(at(monday), at(friday)) == 4
    assert PLAIN.working_days_between(at(friday), at(date(2026, 3, 9))) == 1  # over a weekend
    assert HAND_2026.working_days_between(at(date(2026, 9, 30)), at(date(2026, 10, 8))) == 1


def test_working_days_between_is_negative_when_end_is_before_start():
    monday, friday = date(2026, 3, 2), date(2026, 3, 6)
    assert PLAIN.working_days_between(at(friday), at(monday)) == -4


def test_working_days_left_counts_down_to_zero_on_the_last_day():
    deadline = PLAIN.add_working_days(at(date(2026, 3, 2)), 3)  # Thursday evening
    assert PLAIN.working_days_left(at(date(2026, 3, 2)), deadline) == 3
    assert PLAIN.working_days_left(at(date(2026, 3, 4)), deadline) == 1
    assert PLAIN.working_days_left(at(date(2026, 3, 5), 23, 59), deadline) == 0


def test_working_days_left_is_negative_when_overdue():
    deadline = end_of_day(date(2026, 3, 6))  # Friday
    just_after = deadline + timedelta(microseconds=1)
    assert PLAIN.working_days_left(just_after, deadline) == -1  # Saturday: overdue already
    assert PLAIN.working_days_left(at(date(2026, 3, 9)), deadline) == -1  # Monday
    assert PLAIN.working_days_left(at(date(2026, 3, 11)), deadline) == -3  # Wednesday


# --- the property: every deadline is a working day, N working days on ----------------------

starts = st.datetimes(
    min_value=datetime(2004, 1, 1),
    max_value=datetime(2026, 11, 30),
    timezones=st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/New_York")]),
)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=40))
def test_every_deadline_is_a_working_day_exactly_n_working_days_after_the_start(start, days):
    deadline = PACKAGE.add_working_days(start, days)
    day = deadline_day(deadline)
    assert PACKAGE.is_working_day(day)
    assert deadline == end_of_day(day)
    if day.year <= 2026:  # checked against the package itself, not our reading of it
        assert chinese_calendar.is_workday(day)
    if days > 0:
        assert PACKAGE.working_days_between(start, deadline) == days
        assert PACKAGE.working_days_left(start, deadline) == days
    else:
        assert day == PACKAGE.next_working_day(local_date(start), include_today=True)


@settings(max_examples=100, deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=39))
def test_one_more_working_day_gives_a_later_deadline_except_after_a_day_off(start, days):
    # Work received on a day off: "same day" (0) and "1 working day" both end on the next
    # working day, since the count starts after the day of receipt.
    later, earlier = (
        PACKAGE.add_working_days(start, days + 1),
        PACKAGE.add_working_days(start, days),
    )
    if days == 0 and not PACKAGE.is_working_day(local_date(start)):
        assert later == earlier
    else:
        assert later > earlier


# --- rules and the Clock -------------------------------------------------------------------


def test_clock_rules_have_the_design_defaults_and_no_overrides_field():
    rules = ClockRules()
    assert (rules.screen_days, rules.accept_days, rules.accept_days_urgent) == (1, 5, 0)
    assert (rules.reply_days, rules.reply_days_urgent, rules.extension_days) == (15, 2, 15)
    assert "overrides" not in {f.name for f in dataclasses.fields(ClockRules)}


def test_clock_computes_each_step_from_its_rules():
    clock = Clock(HAND_2026, ClockRules(accept_days=5, reply_days_urgent=2))
    dispatched = at(date(2026, 9, 29))  # Tuesday before National Day
    assert deadline_day(clock.screen_by(dispatched)) == date(2026, 9, 30)
    assert deadline_day(clock.accept_by(dispatched, urgent=True)) == date(2026, 9, 29)
    assert deadline_day(clock.accept_by(dispatched, urgent=False)) == date(2026, 10, 12)
    assert deadline_day(clock.reply_by(dispatched, urgent=True)) == date(2026, 10, 8)


def test_an_extension_counts_from_the_old_deadline():
    clock = Clock(PLAIN, ClockRules(extension_days=15))
    reply_by = end_of_day(date(2026, 3, 6))  # Friday
    assert deadline_day(clock.extend(reply_by)) == date(2026, 3, 27)
    assert deadline_day(clock.extend(reply_by, 1)) == date(2026, 3, 9)


def test_overdue_and_due_soon():
    clock = Clock(PLAIN, ClockRules(due_soon_days=1))
    deadline = end_of_day(date(2026, 3, 6))  # Friday
    assert not clock.is_overdue(deadline, at(date(2026, 3, 6), 23, 59))
    assert clock.is_overdue(deadline, deadline + timedelta(microseconds=1))
    assert not clock.is_overdue(None, at(date(2030, 1, 1)))
    assert clock.is_due_soon(deadline, at(date(2026, 3, 5)))
    assert not clock.is_due_soon(deadline, at(date(2026, 3, 4)))
    assert not clock.is_due_soon(deadline, at(date(2026, 3, 9)))  # overdue, not "soon"


def test_the_rating_window_counts_calendar_days():
    published = at(date(2026, 9, 30))
    assert ClockRules(rating_window_days=15).rating_deadline(published) == published + timedelta(
        days=15
    )


@given(
    st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2026, 12, 20)),
    st.integers(min_value=0, max_value=20),
)
@settings(max_examples=200)
def test_a_remembering_calendar_gives_the_calendars_deadlines_asked_twice(start, days):
    remembering = RememberingCalendar(PACKAGE)
    moment = start.replace(tzinfo=SHANGHAI)
    expected = PACKAGE.add_working_days(moment, days)
    assert remembering.add_working_days(moment, days) == expected
    # The same local day at another hour comes from memory, and is the same deadline.
    later = datetime.combine(local_date(moment), time(23, 30), tzinfo=SHANGHAI)
    assert remembering.add_working_days(later, days) == expected
    assert remembering.is_working_day(local_date(moment)) == PACKAGE.is_working_day(
        local_date(moment)
    )
