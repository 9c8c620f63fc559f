"""Reads for the staff desk: who sees what (the scope), the work queues, suggestions, figures.

Every desk page starts from a `StaffScope` and every object it shows is looked up through one of
the scoped querysets below, so an object outside the user's remit is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from liuyan.board.access import (
    StaffScope,
    led_messages,
    led_q,
    moderated_messages,
    moderated_q,
    unit_assignments,
)
from liuyan.board.models import (
    Assignment,
    Contribution,
    Evaluation,
    ExtensionRequest,
    Message,
    Reply,
    Supervision,
)
from liuyan.board.selectors import deadline_status, working_days_left
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import (
    HANDLING_STATES,
    AssignmentKind,
    AssignmentState,
    ReplyState,
    State,
)
from liuyan.directory.models import Region, Unit
from liuyan.directory.selectors import work_calendar
from liuyan.insight.masking import find_personal_data
from liuyan.web import keyset as pager
from liuyan.web.keyset import Page

from ..models import QualityPhrase, ReplyTemplate

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
    """How many, up to `limit`; "99+" beyond, so a badge never counts a whole table."""
    n = queryset[: limit + 1].count()
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


# --- moderator queues ---------------------------------------------------------------------


def _returned_by_unit() -> Exists:
    return Exists(
        Assignment.objects.filter(
            message_id=OuterRef("pk"), state=AssignmentState.RETURNED, round=OuterRef("round")
        )
    )


def screening_queue(scope: StaffScope) -> QuerySet[Message]:
    """New messages waiting for screening (returned ones have their own queue)."""
    return (
        moderated_messages(scope)
        .filter(state=State.SUBMITTED)
        .exclude(_returned_by_unit())
        .select_related("board", "region", "domain")
    )


def returned_queue(scope: StaffScope) -> QuerySet[Message]:
    """Messages a unit handed back as misrouted, waiting to be routed again."""
    return (
        moderated_messages(scope)
        .filter(state=State.SUBMITTED)
        .filter(_returned_by_unit())
        .select_related("board", "region", "domain")
    )


def reply_review_queue(scope: StaffScope) -> QuerySet[Reply]:
    return Reply.objects.filter(
        moderated_q(scope, "message__"), state=ReplyState.UNDER_REVIEW
    ).select_related("message", "unit")


def extension_queue(scope: StaffScope) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(
        moderated_q(scope, "assignment__message__"), status=ExtensionRequest.Status.PENDING
    ).select_related("assignment__message", "assignment__unit", "requested_by")


def lookback_queue(scope: StaffScope) -> QuerySet[Message]:
    """Messages whose author was not satisfied (回头看)."""
    return (
        moderated_messages(scope)
        .filter(state=State.REVIEW, replied_at__isnull=False)
        .select_related("board", "region")
    )


def overdue_screening_queue(scope: StaffScope, *, now: datetime) -> QuerySet[Message]:
    return moderated_messages(scope).filter(state=State.SUBMITTED, screen_by__lt=now)


def overdue_acceptance_queue(scope: StaffScope, *, now: datetime) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        moderated_q(scope, "message__"), state=AssignmentState.PENDING, accept_by__lt=now
    ).select_related("message", "unit")


def overdue_reply_queue(scope: StaffScope, *, now: datetime) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        moderated_q(scope, "message__"),
        state=AssignmentState.ACCEPTED,
        kind=AssignmentKind.LEAD,
        reply_by__lt=now,
    ).select_related("message", "unit")


def open_supervisions(queryset: QuerySet[Supervision]) -> QuerySet[Supervision]:
    return queryset.filter(resolved_at=None).select_related("message", "ordered_by")


def moderated_supervisions(scope: StaffScope) -> QuerySet[Supervision]:
    return open_supervisions(Supervision.objects.filter(moderated_q(scope, "message__")))


def led_supervisions(scope: StaffScope) -> QuerySet[Supervision]:
    return open_supervisions(Supervision.objects.filter(led_q(scope, "message__")))


def find_by_serial(messages: QuerySet[Message], text: str, *, limit: int = 10) -> list[Message]:
    """Messages whose serial starts with what was typed (serials are dated: 20260302000001)."""
    text = "".join(ch for ch in (text or "") if ch.isdigit())
    if len(text) < 4:
        return []
    return list(messages.filter(serial__startswith=text).order_by("-serial")[:limit])


def moderator_badges(scope: StaffScope) -> dict[str, str]:
    return {
        "screening": bounded_count(screening_queue(scope)),
        "returned": bounded_count(returned_queue(scope)),
        "replies": bounded_count(reply_review_queue(scope)),
        "extensions": bounded_count(extension_queue(scope)),
        "lookback": bounded_count(lookback_queue(scope)),
        "supervision": bounded_count(moderated_supervisions(scope)),
    }


# --- one message as a moderator sees it --------------------------------------------------


PERSONAL_DATA_LABELS = {
    "mobile": _("mobile number"),
    "landline": _("phone number"),
    "id_card": _("ID card number"),
    "bank_card": _("bank card number"),
    "email": _("e-mail"),
    "plate": _("licence plate"),
}


@dataclass(frozen=True)
class TextPart:
    text: str
    kind: str | None  # the personal-data kind, or None for plain text

    @property
    def label(self) -> str:
        return str(PERSONAL_DATA_LABELS.get(self.kind, self.kind or ""))


def highlight_personal_data(text: str) -> list[TextPart]:
    """The ORIGINAL text cut into parts so the page can mark phone, ID and card numbers."""
    parts, position = [], 0
    for hit in sorted(find_personal_data(text), key=attrgetter("start")):
        if hit.start > position:
            parts.append(TextPart(text[position : hit.start], None))
        parts.append(TextPart(text[hit.start : hit.end], hit.kind))
        position = hit.end
    if position < len(text):
        parts.append(TextPart(text[position:], None))
    return parts


def last_return(message: Message) -> Assignment | None:
    return (
        message.assignments.filter(state=AssignmentState.RETURNED)
        .select_related("unit")
        .order_by("-finished_at", "-id")
        .first()
    )


def last_lead_unit(message: Message) -> Unit | None:
    assignment = (
        message.assignments.filter(kind=AssignmentKind.LEAD)
        .exclude(state=AssignmentState.RETURNED)
        .select_related("unit")
        .order_by("-id")
        .first()
    )
    return assignment.unit if assignment else None


@dataclass(frozen=True)
class UnitSuggestion:
    unit: Unit
    reason: str  # "board", "domain", "place" or "history"
    confidence: float | None = None  # from insight.routing; None for the plain rules below
    reasons: tuple[str, ...] = ()  # every reason, in the reader's language


def dispatch_candidates(message: Message, *, limit: int = 300) -> QuerySet[Unit]:
    """Units offered in the dispatch form: the message's region, the regions above it and the
    ones directly below it. (A whole country's 20,000 units would not fit in one list.)"""
    region = message.region
    region_ids = [r.pk for r in region.ancestors()]
    region_ids += list(Region.objects.filter(parent=region).values_list("pk", flat=True))
    ids = Unit.objects.filter(is_active=True, region_id__in=region_ids).values_list("pk", flat=True)
    return Unit.objects.filter(pk__in=list(ids[:limit])).select_related("region")


# --- reply quality -----------------------------------------------------------------------

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


def _due_at() -> Case:
    """The deadline that matters now: acceptance while pending, the reply once accepted."""
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
    "finished": [
        AssignmentState.DONE,
        AssignmentState.CONTRIBUTED,
        AssignmentState.RETURNED,
        AssignmentState.TRANSFERRED,
        AssignmentState.CANCELLED,
    ],
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
    queryset = (
        unit_assignments(scope)
        .filter(state__in=INBOX_STATES.get(state, INBOX_STATES["open"]))
        .annotate(due_at=_due_at())
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


# --- leader desk -------------------------------------------------------------------------

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
    ratings = Evaluation.objects.filter(led_q(scope, "message__"), created_at__gte=since).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(solved=True, attitude__gte=3, speed__gte=3)),
    )
    return Overview(since=since, overdue=overdue, **figures, **ratings)


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
