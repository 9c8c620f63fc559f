"""Directory reads: the cached working calendar and the clock rules that apply."""

from datetime import date

import pytest

from liuyan.core.clock import ClockRules
from liuyan.directory.models import CalendarYear, ClockRule, Holiday, Unit
from liuyan.directory.selectors import clock_for, clock_rules_for, work_calendar

pytestmark = pytest.mark.django_db

NATIONAL_DAY = date(2026, 10, 1)  # a Thursday
MAKEUP_SATURDAY = date(2026, 10, 10)


def test_work_calendar_reflects_holiday_and_year_rows():
    Holiday.objects.create(date=NATIONAL_DAY, name="国庆节")
    Holiday.objects.create(date=MAKEUP_SATURDAY, name="国庆节", is_working_day=True)
    CalendarYear.objects.create(year=2026)

    calendar = work_calendar()

    assert not calendar.is_working_day(NATIONAL_DAY)
    assert calendar.is_working_day(MAKEUP_SATURDAY)
    assert calendar.missing_years([2026, 2027]) == [2027]


def test_work_calendar_is_cached_until_forgotten():
    work_calendar()
    # bulk_create sends no signal: the cached calendar must still be served.
    Holiday.objects.bulk_create([Holiday(date=NATIONAL_DAY, name="国庆节")])

    assert work_calendar().is_working_day(NATIONAL_DAY)


def test_saving_or_deleting_a_holiday_drops_the_cached_calendar():
    assert work_calendar().is_working_day(NATIONAL_DAY)

    holiday = Holiday.objects.create(date=NATIONAL_DAY, name="国庆节")
    assert not work_calendar().is_working_day(NATIONAL_DAY)

    holiday.delete()
    assert work_calendar().is_working_day(NATIONAL_DAY)


def test_saving_a_calendar_year_drops_the_cached_calendar():
    assert work_calendar().missing_years([2027]) == [2027]

    CalendarYear.objects.create(year=2027)

    assert work_calendar().missing_years([2027]) == []


def test_clock_rules_default_to_the_design_values(world):
    assert clock_rules_for(unit=world.bureau) == ClockRules()
    assert clock_rules_for(region=world.county) == ClockRules()


def test_a_rule_on_a_region_applies_to_the_regions_below_it(world):
    ClockRule.objects.create(region=world.province, accept_days=7)

    assert clock_rules_for(region=world.county).accept_days == 7
    assert clock_rules_for(unit=world.district_office).accept_days == 7  # a county unit


def test_the_nearest_region_rule_wins_over_the_one_above(world):
    ClockRule.objects.create(region=world.province, accept_days=7)
    ClockRule.objects.create(region=world.city, accept_days=3)

    assert clock_rules_for(region=world.county).accept_days == 3
    assert clock_rules_for(region=world.other_city).accept_days == 7


def test_a_units_own_rule_wins_over_its_region(world):
    ClockRule.objects.create(region=world.city, accept_days=3, reply_days=10)
    ClockRule.objects.create(unit=world.bureau, accept_days=2, reply_days=20)

    rules = clock_rules_for(unit=world.bureau)
    assert (rules.accept_days, rules.reply_days) == (2, 20)
    sibling = Unit.objects.create(name="长沙市民政局", region=world.city)
    assert clock_rules_for(unit=sibling).accept_days == 3
    assert clock_rules_for(unit=world.district_office).accept_days == 3  # not its parent unit's


def test_clock_for_combines_the_calendar_and_the_rules(world):
    ClockRule.objects.create(unit=world.bureau, accept_days=1)
    Holiday.objects.create(date=NATIONAL_DAY, name="国庆节")

    clock = clock_for(unit=world.bureau)

    assert clock.rules.accept_days == 1
    assert not clock.calendar.is_working_day(NATIONAL_DAY)
