"""The moderator desk: the work queues, supervision lists, badges, and one message as a
moderator sees it (personal data marked, where it went before, which units to send it to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liuyan.board.access import StaffScope, led_q, moderated_messages, moderated_q
from liuyan.board.models import (
    Assignment,
    ExtensionRequest,
    FollowUp,
    Message,
    Reply,
    Supervision,
)
from liuyan.core.lifecycle import (
    AssignmentKind,
    AssignmentState,
    FollowUpState,
    ReplyState,
    State,
)
from liuyan.directory.models import Region, Unit
from liuyan.insight.masking import find_personal_data

from .common import bounded_count


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


def follow_up_review_queue(scope: StaffScope) -> QuerySet[FollowUp]:
    """Units' answers to follow-up questions, waiting to be published or sent back."""
    return (
        FollowUp.objects.filter(moderated_q(scope, "message__"), state=FollowUpState.UNDER_REVIEW)
        .select_related("message", "assignment__unit")
        .order_by("answered_at", "id")
    )


def extension_queue(scope: StaffScope) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(
        moderated_q(scope, "assignment__message__"), status=ExtensionRequest.Status.PENDING
    ).select_related("assignment__message", "assignment__unit", "requested_by")


# A look-back whose reply is older than this has gone stale: it is listed apart, so the queue
# shows the work of this quarter first instead of last year's leftovers.
LOOKBACK_FRESH_DAYS = 90


def lookback_queue(
    scope: StaffScope, *, now: datetime | None = None, stale: bool = False
) -> QuerySet[Message]:
    """Messages whose author was not satisfied (回头看): those replied within the last
    LOOKBACK_FRESH_DAYS days, or with `stale` the older ones."""
    cutoff = (now or timezone.now()) - timedelta(days=LOOKBACK_FRESH_DAYS)
    age = {"replied_at__lt": cutoff} if stale else {"replied_at__gte": cutoff}
    return (
        moderated_messages(scope)
        .filter(state=State.REVIEW, replied_at__isnull=False, **age)
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
        if self.kind is None:
            return ""
        return str(PERSONAL_DATA_LABELS.get(self.kind, self.kind))


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
    reasons: tuple[str | Promise, ...] = ()  # every reason, in the reader's language (lazy)


def dispatch_candidates(message: Message, *, limit: int = 300) -> QuerySet[Unit]:
    """Units offered in the dispatch form: the message's region, the regions above it and the
    ones directly below it. (A whole country's 20,000 units would not fit in one list.)"""
    region = message.region
    region_ids = [r.pk for r in region.ancestors()]
    region_ids += list(Region.objects.filter(parent=region).values_list("pk", flat=True))
    ids = Unit.objects.filter(is_active=True, region_id__in=region_ids).values_list("pk", flat=True)
    return Unit.objects.filter(pk__in=list(ids[:limit])).select_related("region")
