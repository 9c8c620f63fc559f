"""The leader desk: the overview of the boards and regions a leader covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from liuyan.board.access import StaffScope, led_messages, led_q
from liuyan.board.models import Assignment, Evaluation
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import HANDLING_STATES, AssignmentKind, AssignmentState, State

OVERVIEW_DAYS = 90
CHART_WEEKS = 12


@dataclass(frozen=True)
class Overview:
    since: datetime
    new: int
    in_progress: int
    replied: int
    closed: int
    overdue: int
    rated: int
    satisfied: int

    @property
    def satisfaction(self) -> int | None:
        return round(100 * self.satisfied / self.rated) if self.rated else None


def leader_overview(scope: StaffScope, *, now: datetime) -> Overview:
    """Figures over the last 90 days: one aggregate query each, bounded by time and served by
    the (region, submitted_at) and (board, …, submitted_at) indexes."""
    since = now - timedelta(days=OVERVIEW_DAYS)
    recent = led_messages(scope).filter(submitted_at__gte=since)
    figures = recent.aggregate(
        new=Count("pk", filter=Q(state=State.SUBMITTED)),
        in_progress=Count("pk", filter=Q(state__in=HANDLING_STATES | {State.REVIEW})),
        replied=Count("pk", filter=Q(state=State.REPLIED)),
        closed=Count("pk", filter=Q(state=State.CLOSED)),
    )
    overdue = (
        Assignment.objects.filter(
            led_q(scope, "message__"), message__submitted_at__gte=since, kind=AssignmentKind.LEAD
        )
        .filter(
            Q(state=AssignmentState.PENDING, accept_by__lt=now)
            | Q(state=AssignmentState.ACCEPTED, reply_by__lt=now)
        )
        .count()
    )
    ratings = recent_ratings(scope, since=since).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(solved=True, attitude__gte=3, speed__gte=3)),
    )
    return Overview(since=since, overdue=overdue, **figures, **ratings)


def recent_ratings(scope: StaffScope, *, since: datetime) -> QuerySet[Evaluation]:
    """Every rating given since `since` on the leader's messages (all rounds), read through
    the (created_at) index: the cost follows the ratings of the period, not of all time."""
    return Evaluation.objects.filter(led_q(scope, "message__"), created_at__gte=since)


def weekly_counts(scope: StaffScope, *, now: datetime) -> list[tuple[str, int]]:
    """Messages per week (Monday, Shanghai time) over the last 12 weeks, for the chart."""
    since = now - timedelta(weeks=CHART_WEEKS)
    rows = (
        led_messages(scope)
        .filter(submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at", tzinfo=SHANGHAI))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    by_week = {row["week"].date(): row["n"] for row in rows}
    first = (since.astimezone(SHANGHAI).date()) - timedelta(
        days=since.astimezone(SHANGHAI).weekday()
    )
    weeks = []
    day = first
    while day <= now.astimezone(SHANGHAI).date():
        weeks.append((day.isoformat(), by_week.get(day, 0)))
        day += timedelta(weeks=1)
    return weeks
