"""The unit desk: the inbox, sign-off, one assignment's reply, parts and templates, and the hints
that help write a reply that answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, DateTimeField, F, Q, QuerySet, When

from liuyan.board.access import StaffScope, unit_assignments
from liuyan.board.models import Assignment, Contribution, FollowUp, Reply
from liuyan.core.lifecycle import (
    ANSWERABLE_FOLLOW_UP_STATES,
    FINISHED_ASSIGNMENT_STATES,
    HANDLING_STATES,
    AssignmentKind,
    AssignmentState,
    ReplyState,
)
from liuyan.directory.models import Unit
from liuyan.directory.selectors import work_calendar

from ..models import QualityPhrase, ReplyTemplate
from .moderator import dispatch_candidates

MIN_REPLY_CHARS = 60


@dataclass(frozen=True)
class QualityHint:
    text: str
    phrase: str = ""


def phrase_hints(body: str) -> list[QualityHint]:
    return [
        QualityHint(phrase.advice, phrase.phrase)
        for phrase in QualityPhrase.objects.filter(is_active=True)
        if phrase.phrase in body
    ]


# --- unit workbench -----------------------------------------------------------------------


def _due_at(state: str):
    """The deadline that matters now: acceptance while pending, the reply once accepted,
    otherwise when the assignment was made.

    A tab of one deadline orders by that plain column, so an index of (unit, state, column)
    gives the page without sorting the unit's whole history (the finished tab grows with the
    years); only "open", which mixes the two, needs the CASE, over the unit's open work."""
    if state == "pending":
        return F("accept_by")
    if state == "accepted":
        return F("reply_by")
    if state == "finished":
        return F("created_at")
    return Case(
        When(state=AssignmentState.PENDING, then=F("accept_by")),
        When(state=AssignmentState.ACCEPTED, then=F("reply_by")),
        default=F("created_at"),
        output_field=DateTimeField(),
    )


INBOX_STATES = {
    "open": [AssignmentState.PENDING, AssignmentState.ACCEPTED],
    "pending": [AssignmentState.PENDING],
    "accepted": [AssignmentState.ACCEPTED],
    "finished": sorted(FINISHED_ASSIGNMENT_STATES),
}


def unit_inbox(
    scope: StaffScope,
    *,
    state: str = "open",
    kind: str = "",
    due: str = "",
    unit_id: int | None = None,
    serial: str = "",
    now: datetime,
) -> QuerySet[Assignment]:
    if state not in INBOX_STATES:
        state = "open"
    queryset = (
        unit_assignments(scope)
        .filter(state__in=INBOX_STATES[state])
        .annotate(due_at=_due_at(state))
        .select_related("message", "unit")
    )
    if kind in (AssignmentKind.LEAD, AssignmentKind.CO):
        queryset = queryset.filter(kind=kind)
    if unit_id is not None:
        queryset = queryset.filter(unit_id=unit_id)
    if serial:
        queryset = queryset.filter(message__serial__startswith=serial.strip())
    if due == "overdue":
        queryset = queryset.filter(
            state__in=INBOX_STATES["open"], due_at__lt=now, message__state__in=HANDLING_STATES
        )
    elif due == "due_soon":
        cutoff = work_calendar().add_working_days(now, 1)
        queryset = queryset.filter(
            state__in=INBOX_STATES["open"], due_at__gte=now, due_at__lte=cutoff
        )
    return queryset


def signoff_queue(scope: StaffScope) -> QuerySet[Reply]:
    return Reply.objects.filter(
        unit_id__in=scope.headed_unit_ids, state=ReplyState.AWAITING_SIGNOFF
    ).select_related("message", "unit", "author")


def current_reply(assignment: Assignment) -> Reply | None:
    """The newest reply of this assignment (draft, on its way, returned or published)."""
    return assignment.replies.select_related("signed_off_by").order_by("-id").first()


def contributions_for(assignment: Assignment) -> QuerySet[Contribution]:
    """The parts co-handling units gave for the same message and round."""
    return Contribution.objects.filter(
        assignment__message_id=assignment.message_id,
        assignment__round=assignment.round,
        assignment__kind=AssignmentKind.CO,
    ).select_related("assignment__unit", "author")


def co_assignments(assignment: Assignment) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        message_id=assignment.message_id, round=assignment.round, kind=AssignmentKind.CO
    ).select_related("unit")


def transfer_targets(assignment: Assignment) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=assignment.unit.descendant_ids(), is_active=True)


def co_unit_candidates(assignment: Assignment) -> QuerySet[Unit]:
    return dispatch_candidates(assignment.message).exclude(pk=assignment.unit_id)


def templates_for(unit_ids) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(unit_id__in=unit_ids).select_related("unit")


def published_replies(scope: StaffScope, *, query: str = "") -> QuerySet[Reply]:
    """The archive: replies of the user's units that were published, newest first."""
    queryset = Reply.objects.filter(
        unit_id__in=scope.unit_ids, state=ReplyState.PUBLISHED, published_at__isnull=False
    ).select_related("message", "unit")
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(body__icontains=query)
            | Q(message__public_title__icontains=query)
            | Q(message__serial__startswith=query)
        )
    return queryset


def open_follow_ups(scope: StaffScope) -> QuerySet[FollowUp]:
    """Follow-up questions the scope's units owe an answer to, the most urgent first."""
    return (
        FollowUp.objects.filter(
            unit_id__in=scope.unit_ids, state__in=sorted(ANSWERABLE_FOLLOW_UP_STATES)
        )
        .select_related("message")
        .order_by("answer_by", "id")
    )


def follow_ups_for(assignment: Assignment) -> QuerySet[FollowUp]:
    return assignment.follow_ups.order_by("created_at", "id")
