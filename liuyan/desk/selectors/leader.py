"""The leader desk: the overview of the boards and regions a leader covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from liuyan.board.access import StaffScope, led_board_bound, led_messages, led_rows_parts
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
    """Figures over the last 90 days; with the weekly chart, see `overview_figures`."""
    return overview_figures(scope, now=now)[0]


def overview_figures(scope: StaffScope, *, now: datetime) -> tuple[Overview, list[tuple[str, int]]]:
    """The overview's figures over the last 90 days and the weekly chart, in three queries each
    bounded by the led boards' own rows: the messages of the 90 days once (grouped by week and
    state, which answers both the state figures and the chart), the boards' overdue lead
    assignments and the ratings of the period through the rows' own `board_id`."""
    since = now - timedelta(days=OVERVIEW_DAYS)
    chart_since = now - timedelta(weeks=CHART_WEEKS)
    first = min(since, chart_since)
    messages = led_messages(scope)
    bound = led_board_bound(scope)
    if bound is not None:
        messages = messages.filter(board_id__in=bound)
    rows = (
        messages.filter(submitted_at__gte=first)
        .annotate(week=TruncWeek("submitted_at", tzinfo=SHANGHAI))
        .values("week", "state")
        .annotate(
            n=Count("pk", filter=Q(submitted_at__gte=since)),
            charted=Count("pk", filter=Q(submitted_at__gte=chart_since)),
        )
        .order_by()
    )
    by_state: dict[str, int] = {}
    by_week: dict[date, int] = {}
    for row in rows:
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
        week = row["week"].date()
        by_week[week] = by_week.get(week, 0) + row["charted"]
    in_progress = HANDLING_STATES | {State.REVIEW}
    figures = {
        "new": by_state.get(State.SUBMITTED, 0),
        "in_progress": sum(n for state, n in by_state.items() if state in in_progress),
        "replied": by_state.get(State.REPLIED, 0),
        "closed": by_state.get(State.CLOSED, 0),
    }
    overdue = sum(part.count() for part in overdue_lead_assignments(scope, since=since, now=now))
    ratings = {"rated": 0, "satisfied": 0}
    for part in recent_ratings(scope, since=since):
        # Counting the (never null) message column, not the id: the (board, created_at) index
        # includes it, so the count is read from the index alone.
        counts = part.aggregate(
            rated=Count("message"),
            satisfied=Count("message", filter=Q(solved=True, attitude__gte=3, speed__gte=3)),
        )
        ratings = {name: ratings[name] + counts[name] for name in ratings}
    overview = Overview(since=since, overdue=overdue, **figures, **ratings)
    return overview, _weeks(by_week, since=chart_since, now=now)


def overdue_lead_assignments(
    scope: StaffScope, *, since: datetime, now: datetime
) -> list[QuerySet[Assignment]]:
    """The led messages' lead assignments past their deadline, of messages submitted since
    `since`, in disjoint parts (`led_rows_parts`): read by the (board, deadline) indexes of the
    open assignments, so the cost follows the led boards' open assignments, not the country's
    overdue ones."""
    overdue = Q(state=AssignmentState.PENDING, accept_by__lt=now) | Q(
        state=AssignmentState.ACCEPTED, reply_by__lt=now
    )
    return [
        Assignment.objects.filter(
            part, overdue, message__submitted_at__gte=since, kind=AssignmentKind.LEAD
        )
        for part in led_rows_parts(scope)
    ]


def recent_ratings(scope: StaffScope, *, since: datetime) -> list[QuerySet[Evaluation]]:
    """Every rating given since `since` on the leader's messages (all rounds), in disjoint
    parts (`led_rows_parts`) read through the (board, created_at) index: the cost follows the
    led boards' ratings of the period, not the country's."""
    return [
        Evaluation.objects.filter(part, created_at__gte=since) for part in led_rows_parts(scope)
    ]


def weekly_counts(scope: StaffScope, *, now: datetime) -> list[tuple[str, int]]:
    """Messages per week (Monday, Shanghai time) over the last 12 weeks, for the chart."""
    return overview_figures(scope, now=now)[1]


def _weeks(by_week: dict[date, int], *, since: datetime, now: datetime) -> list[tuple[str, int]]:
    first = (since.astimezone(SHANGHAI).date()) - timedelta(
        days=since.astimezone(SHANGHAI).weekday()
    )
    weeks = []
    day = first
    while day <= now.astimezone(SHANGHAI).date():
        weeks.append((day.isoformat(), by_week.get(day, 0)))
        day += timedelta(weeks=1)
    return weeks
