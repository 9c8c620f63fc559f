"""What every desk shares: the page size and pager, bounded counts for badges, deadline
timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from liuyan.board.models import Assignment
from liuyan.board.selectors import deadline_status, working_days_left
from liuyan.core.lifecycle import AssignmentState
from liuyan.directory.selectors import work_calendar
from liuyan.web import keyset as pager
from liuyan.web.keyset import Page

PAGE_SIZE = 25
COUNT_LIMIT = 99  # badges say "99+" instead of counting a whole table

# --- keyset pagination --------------------------------------------------------------------


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    cursor: str | None = None,
    descending: bool = False,
    size: int = PAGE_SIZE,
) -> Page:
    """A desk list's page (`liuyan.web.keyset`): PAGE_SIZE rows, cursors `<key value>~<id>`."""
    return pager.keyset_page(queryset, key=key, cursor=cursor, descending=descending, size=size)


def bounded_count(queryset: QuerySet, limit: int = COUNT_LIMIT) -> str:
    """How many, up to `limit`; "99+" beyond, so a badge never counts a whole table.

    The ordering is dropped first: kept inside `COUNT(*) FROM (... ORDER BY submitted_at DESC
    LIMIT 100)` it made PostgreSQL walk the submitted_at index and discard 253,000 rows for the
    look-back badge at 1M messages (282-390 ms; 0.9 ms without the ORDER BY)."""
    n = queryset.order_by()[: limit + 1].count()
    return f"{limit}+" if n > limit else str(n)


# --- timers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    deadline: datetime | None
    days_left: int | None
    status: str  # overdue, due_soon, on_time

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def timer_for_deadline(deadline: datetime | None, *, now: datetime) -> Timer:
    if deadline is None:
        return Timer(None, None, "on_time")
    calendar = work_calendar()
    days_left = calendar.working_days_left(now, deadline)
    if now > deadline:
        status = "overdue"
    elif deadline <= calendar.add_working_days(now, 1):
        status = "due_soon"
    else:
        status = "on_time"
    return Timer(deadline, days_left, status)


def timer_for_assignment(assignment: Assignment, *, now: datetime) -> Timer:
    deadline = (
        assignment.accept_by
        if assignment.state == AssignmentState.PENDING
        else assignment.reply_by
        if assignment.state == AssignmentState.ACCEPTED
        else None
    )
    return Timer(
        deadline,
        working_days_left(assignment, now=now),
        deadline_status(assignment, now=now),
    )
