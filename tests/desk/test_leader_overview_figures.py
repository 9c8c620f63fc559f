"""The leader overview's figures, read through the rows' own board (issue #13), equal a recount
by the former queries, which joined every rating and assignment to the messages: for a board's
leader, a region's leader and a leader who sees the region's other boards; with messages,
ratings and overdue assignments on both sides of the 90 days and of the chart's 12 weeks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from liuyan.board import access
from liuyan.board.models import Assignment, Evaluation, Message
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import HANDLING_STATES, AssignmentKind, AssignmentState, State
from liuyan.desk import selectors as sel
from liuyan.desk.selectors.leader import CHART_WEEKS, OVERVIEW_DAYS, Overview
from liuyan.directory.models import Board, Membership
from tests.conftest import _user
from tests.desk.conftest import submit

pytestmark = pytest.mark.django_db


def recount(scope, *, now: datetime) -> tuple[Overview, list[tuple[str, int]]]:
    """The overview as the code before issue #13 counted it, through the messages."""
    since = now - timedelta(days=OVERVIEW_DAYS)
    recent = access.led_messages(scope).filter(submitted_at__gte=since)
    figures = recent.aggregate(
        new=Count("pk", filter=Q(state=State.SUBMITTED)),
        in_progress=Count("pk", filter=Q(state__in=HANDLING_STATES | {State.REVIEW})),
        replied=Count("pk", filter=Q(state=State.REPLIED)),
        closed=Count("pk", filter=Q(state=State.CLOSED)),
    )
    overdue = (
        Assignment.objects.filter(
            access.led_q(scope, "message__"),
            message__submitted_at__gte=since,
            kind=AssignmentKind.LEAD,
        )
        .filter(
            Q(state=AssignmentState.PENDING, accept_by__lt=now)
            | Q(state=AssignmentState.ACCEPTED, reply_by__lt=now)
        )
        .count()
    )
    ratings = Evaluation.objects.filter(
        access.led_q(scope, "message__"), created_at__gte=since
    ).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(solved=True, attitude__gte=3, speed__gte=3)),
    )
    chart_since = now - timedelta(weeks=CHART_WEEKS)
    rows = (
        access.led_messages(scope)
        .filter(submitted_at__gte=chart_since)
        .annotate(week=TruncWeek("submitted_at", tzinfo=SHANGHAI))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    by_week = {row["week"].date(): row["n"] for row in rows}
    day = chart_since.astimezone(SHANGHAI).date()
    day -= timedelta(days=day.weekday())
    weeks = []
    while day <= now.astimezone(SHANGHAI).date():
        weeks.append((day.isoformat(), by_week.get(day, 0)))
        day += timedelta(weeks=1)
    return Overview(since=since, overdue=overdue, **figures, **ratings), weeks


@pytest.fixture
def spread(world, objects):
    """The desk's objects plus messages on the city's other boards, then every message moved
    back by a different number of days (0 to 130), ratings and deadlines with it."""
    from liuyan.board import services

    secretary = Board.objects.create(
        name="长沙市市委书记", kind="leader", region=world.city, post="市委书记"
    )
    for index in range(6):
        submit(world, board=secretary, title=f"市委书记板块的留言{index}", is_public=index % 2 == 0)
    for message in Message.objects.filter(state=State.SUBMITTED).order_by("pk")[:4]:
        services.dispatch_message(
            message_id=message.pk, actor=world.moderator, lead_unit=world.bureau
        )
    now = timezone.now()
    # Days back: inside both windows, between the chart's 84 days and the overview's 90, older.
    offsets = [0, 3, 10, 40, 83, 86, 89, 91, 120, 130]
    for index, message in enumerate(Message.objects.order_by("pk")):
        back = timedelta(days=offsets[index % len(offsets)], hours=index)
        Message.objects.filter(pk=message.pk).update(submitted_at=now - back)
        Assignment.objects.filter(message=message).update(
            accept_by=now - back + timedelta(days=index % 3 * 30),
            reply_by=now - back + timedelta(days=index % 4 * 20),
        )
        Evaluation.objects.filter(message=message).update(created_at=now - back / 2)
    # A rating of an old message given lately counts (the ratings of the period, any message).
    old = Message.objects.filter(board=world.board).order_by("submitted_at").first()
    Evaluation.objects.create(
        message=old,
        board_id=old.board_id,
        round=2,
        solved=True,
        attitude=5,
        speed=4,
        created_at=now - timedelta(days=1),
    )
    region_leader = _user("region-leader")
    Membership.objects.create(user=region_leader, role="leader", region=world.city)
    secretary_leader = _user("secretary")
    Membership.objects.create(user=secretary_leader, role="leader", board=secretary)
    return {
        "now": now,
        "leaders": [world.leader, world.other_leader, region_leader, secretary_leader],
    }


def test_overview_figures_equal_a_recount_through_the_messages(spread):
    now = spread["now"]
    seen = set()
    for leader in spread["leaders"]:
        scope = access.staff_scope(leader)
        figures, weeks = sel.overview_figures(scope, now=now)
        assert (figures, weeks) == recount(scope, now=now), leader.username
        seen.add((figures.new, figures.in_progress, figures.overdue, figures.rated))
    # The data is not trivially empty for every leader.
    assert any(any(counts) for counts in seen)
    assert any(figures_of[2] for figures_of in seen), "some overdue assignment is counted"


def test_the_page_shows_the_recounted_figures(client, world, spread):
    client.force_login(world.leader)
    response = client.get(reverse("desk:leader"))
    # The page's own clock is a little later than the fixture's: recount at the page's `since`.
    shown = response.context["overview"]
    expected, weeks = recount(
        access.staff_scope(world.leader), now=shown.since + timedelta(days=OVERVIEW_DAYS)
    )
    assert shown == expected
    assert response.context["weeks"] == weeks


def test_ratings_and_assignments_carry_their_messages_board(world, objects):
    assert Assignment.objects.exists() and Evaluation.objects.exists()
    for row in [*Assignment.objects.select_related("message"), *Evaluation.objects.all()]:
        assert row.board_id == row.message.board_id
