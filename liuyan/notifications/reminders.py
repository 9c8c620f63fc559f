"""Deadline reminders for units, sent by `liuyan tick`.

A unit hears once, one working day before an accept, reply or follow-up answer deadline, and
once when it has passed. Running this twice sends nothing twice (ReminderLog); an extension
moves the deadline, and the new deadline is reminded about again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from liuyan.board.selectors import (
    due_soon_assignments,
    due_soon_follow_ups,
    overdue_assignments,
    overdue_follow_ups,
)
from liuyan.core.lifecycle import AssignmentState

from . import services
from .models import ReminderLog


def _deadline(assignment) -> datetime | None:
    if assignment.state == AssignmentState.PENDING:
        return assignment.accept_by
    return assignment.reply_by


# A missed deadline is reminded about on the first tick after it passed (ticks run every few
# minutes); looking back a week covers a tick that was down for days, and keeps the work of
# each tick to the deadlines of that week instead of every overdue assignment ever.
OVERDUE_LOOKBACK = timedelta(days=7)


def _not_reminded(assignments, kind: str):
    """Without the assignments whose current deadline was reminded about already: each tick
    then touches only the rows it has work for (ReminderLog's unique index answers it)."""
    logs = ReminderLog.objects.filter(assignment=OuterRef("pk"), kind=kind)
    return assignments.filter(
        Q(state=AssignmentState.PENDING, accept_by__isnull=False)
        & ~Exists(logs.filter(deadline=OuterRef("accept_by")))
        | Q(state=AssignmentState.ACCEPTED, reply_by__isnull=False)
        & ~Exists(logs.filter(deadline=OuterRef("reply_by")))
    )


def _remind_all(assignments, kind: str, now: datetime) -> int:
    sent = 0
    due = _not_reminded(assignments, kind).select_related("message", "unit")
    for assignment in due.iterator(chunk_size=500):
        deadline = _deadline(assignment)
        if deadline is not None:
            sent += services.remind_once(assignment, kind, deadline, now)
    return sent


def _remind_follow_ups(follow_ups, kind: str, now: datetime) -> int:
    """The unit owes an answer to a follow-up question (追问) by its own deadline."""
    sent = 0
    for question in follow_ups.select_related("assignment__message", "assignment__unit"):
        sent += services.remind_once(
            question.assignment, kind, question.answer_by, now, follow_up=True
        )
    return sent


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Remind units of deadlines due within one working day and of missed ones.

    Returns how many notifications went out: {"due_soon": n, "overdue": m, "retried": k}.
    """
    now = now or timezone.now()
    due_soon = _remind_all(due_soon_assignments(now=now), ReminderLog.Kind.DUE_SOON, now)
    due_soon += _remind_follow_ups(due_soon_follow_ups(now=now), ReminderLog.Kind.DUE_SOON, now)
    overdue = _remind_all(
        overdue_assignments(now=now, since=now - OVERDUE_LOOKBACK), ReminderLog.Kind.OVERDUE, now
    )
    overdue += _remind_follow_ups(overdue_follow_ups(now=now), ReminderLog.Kind.OVERDUE, now)
    retried = services.retry_failed_deliveries()["sent"]
    return {"due_soon": due_soon, "overdue": overdue, "retried": retried}
