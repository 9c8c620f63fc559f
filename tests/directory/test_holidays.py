"""`liuyan seed-holidays` and `liuyan check-calendar`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from liuyan.core.clock import local_date
from liuyan.directory.holidays import chinese_name, supported_years
from liuyan.directory.models import CalendarYear, Holiday
from liuyan.directory.selectors import work_calendar

pytestmark = pytest.mark.django_db

PACKAGE = Holiday.Source.PACKAGE


def test_seed_stores_weekday_days_off_and_weekend_makeup_days_in_chinese(run):
    run("seed-holidays")

    national_day = Holiday.objects.get(date=date(2026, 10, 1))  # Thursday
    assert (national_day.name, national_day.is_working_day, national_day.source) == (
        "国庆节",
        False,
        PACKAGE,
    )
    makeup = Holiday.objects.get(date=date(2026, 10, 10))  # Saturday worked instead
    assert (makeup.name, makeup.is_working_day) == ("国庆节", True)
    assert Holiday.objects.get(date=date(2026, 2, 16)).name == "春节"


def test_seed_stores_only_days_that_differ_from_monday_to_friday(run):
    run("seed-holidays")

    assert not Holiday.objects.filter(date=date(2026, 10, 3)).exists()  # a Saturday off anyway
    for holiday in Holiday.objects.all():
        is_weekend = holiday.date.weekday() >= 5
        assert holiday.is_working_day == is_weekend, holiday


def test_seed_marks_every_supported_year_as_known(run):
    run("seed-holidays")

    years = supported_years()
    assert (years[0], years[-1]) == (2004, 2026)
    assert list(CalendarYear.objects.values_list("year", flat=True)) == list(years)
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {PACKAGE}


def test_a_second_seed_changes_nothing_and_says_so(run):
    run("seed-holidays")
    before = list(Holiday.objects.values_list("id", "date", "is_working_day", "name"))

    output = run("seed-holidays")

    assert list(Holiday.objects.values_list("id", "date", "is_working_day", "name")) == before
    assert "nothing changed" in output
    assert "calendar years: 0 created, 0 updated, 23 unchanged" in output


def test_seed_keeps_what_an_administrator_entered_and_drops_stale_package_days(run):
    Holiday.objects.create(date=date(2026, 10, 1), name="本地安排", source="admin")
    Holiday.objects.create(date=date(2026, 3, 4), name="旧数据", source=PACKAGE)
    CalendarYear.objects.create(year=2026, source="admin", note="entered by hand")

    output = run("seed-holidays")

    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "本地安排"
    assert not Holiday.objects.filter(date=date(2026, 3, 4)).exists()
    assert CalendarYear.objects.get(year=2026).source == "admin"
    assert "1 days no longer listed" in output
    assert "1 days entered by an administrator were kept" in output


def test_seed_drops_the_cached_calendar(run):
    assert work_calendar().is_working_day(date(2026, 10, 1))  # cached before any data

    run("seed-holidays")

    calendar = work_calendar()
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.is_working_day(date(2026, 10, 10))
    assert calendar.missing_years([2026, 2027]) == [2027]


def test_chinese_name_translates_package_names():
    assert chinese_name("Spring Festival") == "春节"
    assert chinese_name("Mid-autumn Festival") == "中秋"
    assert chinese_name("Some New Day") == "Some New Day"


# --- check-calendar ------------------------------------------------------------------------


def this_year() -> int:
    return local_date(timezone.now()).year


def test_check_calendar_fails_when_the_current_year_is_missing(run):
    with pytest.raises(CommandError) as failure:
        run("check-calendar")

    assert failure.value.returncode == 1
    assert str(this_year()) in str(failure.value)


def test_check_calendar_names_every_missing_year_and_the_fallback():
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check-calendar", stdout=out)

    printed = out.getvalue()
    for year in (this_year(), this_year() + 1):
        assert f"Year {year} has no holiday data: Monday–Friday is used" in printed


def test_check_calendar_passes_with_a_warning_when_only_next_year_is_missing(run):
    CalendarYear.objects.create(year=this_year())

    output = run("check-calendar")

    assert f"OK: {this_year()} has holiday data." in output
    assert f"Year {this_year() + 1} has no holiday data" in output


def test_check_calendar_is_quiet_when_both_years_are_known(run):
    CalendarYear.objects.bulk_create([CalendarYear(year=this_year() + n) for n in (0, 1)])

    output = run("check-calendar")

    assert output.count("OK:") == 2
    assert "no holiday data" not in output
