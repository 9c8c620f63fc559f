"""The directory admin: pages open, autocomplete finds regions, holidays warn and refresh."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.core.clock import local_date
from liuyan.directory.models import (
    Board,
    CalendarYear,
    ClockRule,
    Domain,
    Holiday,
    Membership,
    Region,
    Unit,
)
from liuyan.directory.selectors import work_calendar

pytestmark = pytest.mark.django_db

MODELS = [Region, Domain, Unit, Board, Membership, Holiday, CalendarYear, ClockRule]


def changelist(model) -> str:
    return reverse(f"admin:directory_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_directory_model_has_working_list_and_add_pages(admin_client, world, model):
    assert admin_client.get(changelist(model)).status_code == 200
    add = reverse(f"admin:directory_{model._meta.model_name}_add")
    assert admin_client.get(add).status_code == 200


def test_unit_page_shows_its_staff_inline(admin_client, world):
    page = admin_client.get(reverse("admin:directory_unit_change", args=[world.bureau.pk]))

    assert page.status_code == 200
    assert "memberships-TOTAL_FORMS" in page.content.decode()


def test_region_autocomplete_finds_regions_by_code_prefix_and_name(admin_client, world):
    url = reverse("admin:autocomplete")
    params = {"app_label": "directory", "model_name": "unit", "field_name": "region"}

    by_code = admin_client.get(url, {**params, "term": "4301"}).json()
    by_name = admin_client.get(url, {**params, "term": "株洲"}).json()

    assert {item["text"] for item in by_code["results"]} == {"长沙市", "长沙县"}
    assert [item["text"] for item in by_name["results"]] == ["株洲市"]


def test_holiday_list_warns_about_years_without_data(admin_client):
    this_year = local_date(timezone.now()).year
    CalendarYear.objects.create(year=this_year)

    page = admin_client.get(changelist(Holiday)).content.decode()

    assert f"year {this_year + 1} has no holiday data".lower() in page.lower()
    assert "Monday–Friday is used" in page
    assert f"Year {this_year} has no" not in page


def test_calendar_year_list_is_quiet_when_both_years_are_known(admin_client):
    this_year = local_date(timezone.now()).year
    CalendarYear.objects.bulk_create([CalendarYear(year=this_year + n) for n in (0, 1)])

    page = admin_client.get(changelist(CalendarYear)).content.decode()

    assert "has no holiday data" not in page


def test_adding_a_holiday_in_the_admin_refreshes_the_calendar(admin_client):
    day = date(2027, 10, 1)  # a Friday
    assert work_calendar().is_working_day(day)

    response = admin_client.post(
        reverse("admin:directory_holiday_add"),
        {"date": "2027-10-01", "name": "国庆节", "source": "admin"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not work_calendar().is_working_day(day)


def test_deleting_a_calendar_year_in_the_admin_refreshes_the_calendar(admin_client):
    year = CalendarYear.objects.create(year=2027)
    assert work_calendar().missing_years([2027]) == []

    admin_client.post(
        reverse("admin:directory_calendaryear_delete", args=[year.pk]), {"post": "yes"}
    )

    assert work_calendar().missing_years([2027]) == [2027]


def test_a_clock_rule_needs_a_region_or_a_unit_not_both(admin_client, world):
    url = reverse("admin:directory_clockrule_add")
    limits = {
        "screen_days": 1,
        "accept_days": 5,
        "accept_days_urgent": 0,
        "reply_days": 15,
        "reply_days_urgent": 2,
        "extension_days": 15,
        "rating_window_days": 15,
    }

    both = admin_client.post(url, {**limits, "region": world.city.pk, "unit": world.bureau.pk})
    assert both.status_code == 200  # the form again, with an error
    assert not ClockRule.objects.exists()

    admin_client.post(url, {**limits, "region": world.city.pk, "accept_days": 3})
    assert ClockRule.objects.get().accept_days == 3
