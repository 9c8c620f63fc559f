"""Official holidays and make-up working days (调休), from the `chinese_calendar` package.

Only the days that differ from a plain Monday–Friday week are kept: official days off that fall
on a weekday, and weekend days that are worked instead. A holiday on a Saturday changes nothing
(the day is off anyway), so it is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.core.clock import local_date

from .models import CalendarYear


@dataclass(frozen=True)
class HolidayRow:
    date: date
    is_working_day: bool
    name: str


def chinese_name(english: str) -> str:
    """The Chinese name of a holiday the package names in English ("National Day" → 国庆节)."""
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english  # a holiday added to the package after this code: keep its own name


def supported_years() -> range:
    """The years the installed package has official data for (2004–2026 in version 1.11)."""
    known = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return range(min(known).year, max(known).year + 1)


def package_holiday_rows(years: range | None = None) -> list[HolidayRow]:
    """Weekday days off and weekend make-up working days for `years`, sorted by date."""
    years = years or supported_years()
    rows = [
        HolidayRow(date=day, is_working_day=False, name=chinese_name(english))
        for day, english in chinese_calendar.holidays.items()
        if day.weekday() < 5 and day.year in years
    ]
    rows += [
        HolidayRow(date=day, is_working_day=True, name=chinese_name(english))
        for day, english in chinese_calendar.workdays.items()
        if day.weekday() >= 5 and day.year in years
    ]
    return sorted(rows, key=lambda row: row.date)


def years_to_check(today: date | None = None) -> tuple[int, int]:
    """This year and the next, in Asia/Shanghai: deadlines set now may run into either."""
    today = today or local_date(timezone.now())
    return today.year, today.year + 1


def missing_calendar_years(today: date | None = None) -> list[int]:
    """Which of this year and the next have no CalendarYear row (and so fall back to Mon–Fri)."""
    years = years_to_check(today)
    known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [year for year in years if year not in known]


def missing_year_warning(year: int) -> str:
    """What an administrator is told about a year without holiday data (command and admin)."""
    return _(
        "Year %(year)d has no holiday data: Monday–Friday is used; enter its holidays "
        "and make-up days, then add the year."
    ) % {"year": year}
