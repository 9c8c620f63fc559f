"""Reads about messages. Overdue and "due soon" are derived here from deadlines, never stored."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from liuyan.core.clock import SHANGHAI, local_date
from liuyan.core.lifecycle import (
    ACTIVE_ASSIGNMENT_STATES,
    ANSWERABLE_FOLLOW_UP_STATES,
    AssignmentState,
    State,
)
from liuyan.directory.selectors import work_calendar

from .access import PUBLIC_STATES, can_view
from .models import Assignment, Event, FollowUp, Message

DUE_SOON_WORKING_DAYS = 1


def public_messages() -> QuerySet[Message]:
    """Messages anyone may read: public ones past screening, never thrown-out or private ones."""
    return Message.objects.filter(is_public=True, state__in=PUBLIC_STATES)


def visible_message_or_none(user, message_id: int) -> Message | None:
    """The message if `user` may see it, else None: callers answer 404 so that a private
    message's existence does not leak."""
    message = (
        Message.objects.select_related("board", "region", "domain").filter(pk=message_id).first()
    )
    if message is None or not can_view(user, message):
        return None
    return message


def message_version(message: Message) -> int:
    """The message's version: the number of its last timeline event (every step adds one).
    Pages send it back with a staff action, so a repeated or stale submit is refused."""
    return message.events.aggregate(last=Max("seq"))["last"] or 0


def timeline(message: Message, *, staff: bool) -> QuerySet[Event]:
    events = message.events.select_related("unit").order_by("seq")
    return events if staff else events.filter(is_public=True)


def _due_soon_cutoff(now: datetime) -> datetime:
    return work_calendar().add_working_days(now, DUE_SOON_WORKING_DAYS)


def _overdue_q(now: datetime, since: datetime | None = None) -> Q:
    pending = Q(state=AssignmentState.PENDING, accept_by__lt=now)
    accepted = Q(state=AssignmentState.ACCEPTED, reply_by__lt=now)
    if since is not None:
        pending &= Q(accept_by__gte=since)
        accepted &= Q(reply_by__gte=since)
    return pending | accepted


def _due_soon_q(now: datetime) -> Q:
    cutoff = _due_soon_cutoff(now)
    return Q(state=AssignmentState.PENDING, accept_by__gte=now, accept_by__lte=cutoff) | Q(
        state=AssignmentState.ACCEPTED, reply_by__gte=now, reply_by__lte=cutoff
    )


def overdue_assignments(
    *, now: datetime | None = None, since: datetime | None = None
) -> QuerySet[Assignment]:
    """Open assignments past their deadline; with `since`, only deadlines passed since then
    (a range of the partial indexes asg_pending_accept_by / asg_accepted_reply_by)."""
    return Assignment.objects.filter(_overdue_q(now or timezone.now(), since))


def due_soon_assignments(*, now: datetime | None = None) -> QuerySet[Assignment]:
    return Assignment.objects.filter(_due_soon_q(now or timezone.now()))


def _open_follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        state__in=ANSWERABLE_FOLLOW_UP_STATES, assignment__isnull=False, answer_by__isnull=False
    )


def overdue_follow_ups(*, now: datetime | None = None) -> QuerySet[FollowUp]:
    """Follow-up questions whose unit has not answered by the deadline."""
    return _open_follow_ups().filter(answer_by__lt=now or timezone.now())


def due_soon_follow_ups(*, now: datetime | None = None) -> QuerySet[FollowUp]:
    now = now or timezone.now()
    return _open_follow_ups().filter(answer_by__gte=now, answer_by__lte=_due_soon_cutoff(now))


# --- deadlines in years without holiday data ------------------------------------------------


def _year_range(year: int) -> tuple[datetime, datetime]:
    """The UTC moments that fall in `year` in Asia/Shanghai."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    return start, datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def _open_deadlines(message: Message) -> list[datetime]:
    deadlines: list[datetime | None] = []
    for assignment in message.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES):
        pending = assignment.state == AssignmentState.PENDING
        deadlines.append(assignment.accept_by if pending else assignment.reply_by)
    deadlines += message.supervisions.filter(resolved_at=None).values_list("due_at", flat=True)
    deadlines += _open_follow_ups().filter(message=message).values_list("answer_by", flat=True)
    return [deadline for deadline in deadlines if deadline is not None]


def deadlines_without_holiday_data(message: Message) -> list[datetime]:
    """The message's open deadlines that fall in a year the holiday table has no data for:
    they were counted Monday to Friday and may land on a holiday (2027-01-01, say)."""
    known = work_calendar().known_years
    return sorted(d for d in _open_deadlines(message) if local_date(d).year not in known)


def open_deadlines_in_year(year: int) -> int:
    """How many open assignment deadlines fall in `year` (for the administrators' warning)."""
    start, end = _year_range(year)
    in_year = Q(state=AssignmentState.PENDING, accept_by__gte=start, accept_by__lt=end) | Q(
        state=AssignmentState.ACCEPTED, reply_by__gte=start, reply_by__lt=end
    )
    return Assignment.objects.filter(in_year).count()


def overdue_screening(*, now: datetime | None = None) -> QuerySet[Message]:
    return Message.objects.filter(state=State.SUBMITTED, screen_by__lt=now or timezone.now())


def deadline_status(assignment: Assignment, *, now: datetime | None = None) -> str:
    """'overdue', 'due_soon' or 'on_time' for one assignment: for colours in lists."""
    now = now or timezone.now()
    deadline = (
        assignment.accept_by
        if assignment.state == AssignmentState.PENDING
        else assignment.reply_by
        if assignment.state == AssignmentState.ACCEPTED
        else None
    )
    if deadline is None:
        return "on_time"
    if now > deadline:
        return "overdue"
    return "due_soon" if deadline <= _due_soon_cutoff(now) else "on_time"


def working_days_left(assignment: Assignment, *, now: datetime | None = None) -> int | None:
    now = now or timezone.now()
    deadline = (
        assignment.accept_by if assignment.state == AssignmentState.PENDING else assignment.reply_by
    )
    if deadline is None or assignment.state not in (
        AssignmentState.PENDING,
        AssignmentState.ACCEPTED,
    ):
        return None
    return work_calendar().working_days_left(now, deadline)


def unrated_past_window(*, now: datetime | None = None) -> QuerySet[Message]:
    return Message.objects.filter(state=State.REPLIED, rate_by__lt=now or timezone.now())
