"""A deadline set in a year without holiday data is flagged to the staff member who set it, and
administrators see the missing year, with the deadlines already in it, on their desk."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from liuyan.board import services
from liuyan.board.models import Assignment
from liuyan.directory.holidays import years_to_check
from liuyan.directory.models import CalendarYear
from liuyan.directory.selectors import forget_work_calendar
from tests.desk.conftest import dispatch, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_2026_known(db):
    CalendarYear.objects.create(year=2026, source="package")
    forget_work_calendar()
    yield
    forget_work_calendar()


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_extension_into_a_year_without_holidays_warns_the_moderator(
    client, world, only_2026_known
):
    message = submit(world)
    assignment = dispatch(world, message, world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    # Due on the last working day of 2026: five more working days land in 2027.
    Assignment.objects.filter(pk=assignment.pk).update(
        reply_by=datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
    )
    request = services.request_extension(
        assignment_id=assignment.pk, actor=world.handler, reason="需要现场勘查", days=5
    )
    client.force_login(world.moderator)
    response = client.post(
        reverse("desk:decide_extension", args=[request.pk]),
        {"decision": "approve", "note": ""},
        follow=True,
    )
    assignment.refresh_from_db()
    assert assignment.reply_by.year == 2027
    warnings = [text for text in said(response) if "2027" in text and "节假日" in text]
    assert warnings, said(response)


def test_no_warning_when_the_year_has_holiday_data(client, world, only_2026_known):
    message = submit(world)
    assignment = dispatch(world, message, world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    Assignment.objects.filter(pk=assignment.pk).update(
        reply_by=datetime(2026, 6, 1, 15, 59, 59, tzinfo=UTC)
    )
    request = services.request_extension(
        assignment_id=assignment.pk, actor=world.handler, reason="需要现场勘查", days=5
    )
    client.force_login(world.moderator)
    response = client.post(
        reverse("desk:decide_extension", args=[request.pk]),
        {"decision": "approve", "note": ""},
        follow=True,
    )
    assert not [text for text in said(response) if "节假日" in text]


def test_administrators_see_the_missing_year_on_their_home_page(client, world, only_2026_known):
    missing = [year for year in years_to_check() if year != 2026]
    client.force_login(world.admin)
    page = client.get(reverse("desk:home"), follow=True).content.decode()
    assert 'id="calendar-warnings"' in page
    assert all(str(year) in page for year in missing)
    # Other staff are not bothered with it.
    client.force_login(world.moderator)
    page = client.get(reverse("desk:home"), follow=True).content.decode()
    assert 'id="calendar-warnings"' not in page
