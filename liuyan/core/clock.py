"""The working-day clock, in Asia/Shanghai.

Pure Python, no Django. A `WorkCalendar` knows official holidays and make-up working days (调休)
for the years it has data for; any other year falls back to Monday–Friday and is reported by
`missing_years()` so that an administrator can enter it.

A deadline is the end of a working day (23:59:59.999999 local time), returned as an aware UTC
datetime, so every deadline falls on a working day by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()  # official days off that fall on Mon–Fri or weekends
    workdays: frozenset[date] = frozenset()  # make-up working days that fall on weekends
    known_years: frozenset[int] = frozenset()  # years whose official data has been entered

    @classmethod
    def from_days(
        cls,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        known_years: Iterable[int] = (),
    ) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays), frozenset(known_years))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date, *, include_today: bool = False) -> date:
        current = day if include_today else day + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError(f"No working day within a year after {day}")  # a broken calendar

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline `days` working days after `start`.

        `days=0` means the same working day (urgent same-day handling): the end of `start`'s day
        when that is a working day, otherwise the end of the next working day.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = local_date(start)
        day = self.next_working_day(day, include_today=True) if days == 0 else day
        for _ in range(days):
            day = self.next_working_day(day)
        return end_of_day(day)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days after `start`'s day up to and including `end`'s day.

        Negative when `end` is before `start`: "3 working days overdue" is -3 left.
        """
        first, last = local_date(start), local_date(end)
        if last < first:
            return -self.working_days_between(end, start)
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days_left(self, now: datetime, deadline: datetime) -> int:
        """Working days from now until the deadline: 0 on the last day, negative when overdue."""
        if require_aware(now) <= require_aware(deadline):
            return self.working_days_between(now, deadline)
        return -max(1, self.working_days_between(deadline, now))

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return sorted(set(years) - self.known_years)


def require_aware(moment: datetime) -> datetime:
    """`moment` itself, or a clear error: comparing naive and aware times only says TypeError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: times must be aware (stored in UTC)")
    return moment


def local_date(moment: datetime) -> date:
    return require_aware(moment).astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass(frozen=True)
class ClockRules:
    """How long each step may take. Defaults follow DESIGN.md; regions and units override."""

    screen_days: int = 1
    accept_days: int = 5
    accept_days_urgent: int = 0  # same working day
    reply_days: int = 15  # counted from acceptance
    reply_days_urgent: int = 2
    extension_days: int = 15  # one extension, with a reason
    max_extensions: int = 1
    rating_window_days: int = 15  # calendar days to rate a published reply
    due_soon_days: int = 1  # "due soon" when this many working days or fewer are left

    def accept_window(self, *, urgent: bool) -> int:
        return self.accept_days_urgent if urgent else self.accept_days

    def reply_window(self, *, urgent: bool) -> int:
        return self.reply_days_urgent if urgent else self.reply_days

    def rating_deadline(self, published_at: datetime) -> datetime:
        return published_at + timedelta(days=self.rating_window_days)


@dataclass(frozen=True)
class Deadlines:
    accept_by: datetime
    reply_by: datetime | None = None


class Calendar(Protocol):
    """What a Clock asks of its calendar: a WorkCalendar, or one that wraps a WorkCalendar and
    remembers its answers (the demo generator's)."""

    def add_working_days(self, start: datetime, days: int) -> datetime: ...

    def working_days_between(self, start: datetime, end: datetime) -> int: ...


class RememberingCalendar:
    """A WorkCalendar that remembers its working days and deadlines (a deadline depends only on
    the local start day). Bulk work (the demo generator, an import of history) asks hundreds of
    thousands of times about a few hundred distinct days; the calendar itself stays the single
    source of truth."""

    def __init__(self, calendar: WorkCalendar):
        self.calendar = calendar
        self._deadlines: dict[tuple[date, int], datetime] = {}
        self._working: dict[date, bool] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.calendar, name)

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.calendar.is_working_day(day)
        return working

    def add_working_days(self, start: datetime, days: int) -> datetime:
        key = (local_date(start), days)
        deadline = self._deadlines.get(key)
        if deadline is None:
            deadline = self._deadlines[key] = self.calendar.add_working_days(start, days)
        return deadline

    def working_days_between(self, start: datetime, end: datetime) -> int:
        return self.calendar.working_days_between(start, end)


class Clock:
    """A calendar plus the rules that apply to one message: computes every deadline."""

    def __init__(self, calendar: Calendar, rules: ClockRules | None = None):
        self.calendar = calendar
        self.rules = rules or ClockRules()

    def screen_by(self, submitted_at: datetime) -> datetime:
        return self.calendar.add_working_days(submitted_at, self.rules.screen_days)

    def accept_by(self, dispatched_at: datetime, *, urgent: bool) -> datetime:
        return self.calendar.add_working_days(
            dispatched_at, self.rules.accept_window(urgent=urgent)
        )

    def reply_by(self, accepted_at: datetime, *, urgent: bool) -> datetime:
        return self.calendar.add_working_days(accepted_at, self.rules.reply_window(urgent=urgent))

    def extend(self, reply_by: datetime, days: int | None = None) -> datetime:
        return self.calendar.add_working_days(
            reply_by, self.rules.extension_days if days is None else days
        )

    def is_overdue(self, deadline: datetime | None, now: datetime) -> bool:
        return deadline is not None and require_aware(now) > require_aware(deadline)

    def is_due_soon(self, deadline: datetime | None, now: datetime) -> bool:
        if deadline is None or self.is_overdue(deadline, now):
            return False
        return self.calendar.working_days_between(now, deadline) <= self.rules.due_soon_days
