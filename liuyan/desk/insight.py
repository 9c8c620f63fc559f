"""The desk's reads from `liuyan.insight`: domain suggestions, lead-unit routing, reply quality.

Each function gathers plain data from the database, calls the pure insight function directly,
and maps the answer back to rows. The only expected absence is the trained classifier (no
artefact under settings.LIUYAN_MODELS_DIR yet): then there is simply no domain suggestion.
Anything else that fails is a bug and is allowed to show. Nothing here decides anything: a
moderator always chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Assignment, Message, Reply
from liuyan.core.lifecycle import AssignmentKind, AssignmentState
from liuyan.directory.models import Domain
from liuyan.insight import quality, routing

if TYPE_CHECKING:
    # Imported by the two functions that use it: numpy comes with it, and most desk pages
    # never classify (a web process answers its first pages sooner, bench/first_request.py).
    from liuyan.insight import classify

from .selectors import UnitSuggestion, dispatch_candidates

# --- domain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainSuggestion:
    domain: Domain
    confidence: float


def suggested_domains(title: str, body: str, *, limit: int = 3) -> list[DomainSuggestion]:
    """First-level domains the trained classifier proposes, best first (none without a model).

    The classifier's labels are first-level domain names; a label no Domain row carries (the
    taxonomy was edited since training) is skipped."""
    from liuyan.insight import classify

    predictions = classify.predict([(title, body)], settings.LIUYAN_MODELS_DIR, top_k=limit)
    if not predictions:
        return []
    ranked = predictions[0].top_k or [(predictions[0].label, predictions[0].confidence)]
    by_name = {
        d.name: d for d in Domain.objects.filter(name__in=[n for n, _ in ranked], parent=None)
    }
    return [DomainSuggestion(by_name[name], p) for name, p in ranked if name in by_name]


def classifier_figures() -> classify.ModelFigures | None:
    """The trained classifier's held-out figures, shown next to its suggestions (None without
    a model): with them, whether it learnt from generated demo text, which makes them mean
    nothing."""
    from liuyan.insight import classify

    return classify.model_figures(settings.LIUYAN_MODELS_DIR)


# --- lead unit ---------------------------------------------------------------------------

# Past dispatches older than this describe a directory that has since been reorganised.
HISTORY_DAYS = 730
# The most recent messages of the message's board, and of its region, that the history is
# learnt from: a few hundred dispatches per key are plenty, and the read stays bounded.
HISTORY_MESSAGES = 300
REASON_LABELS = {
    "history": _("usually dispatched there"),
    "board": _("board's default unit"),
    "domain": _("covers this domain here"),
    "place": _("place named in the text"),
}


def _region_ref(region) -> routing.RegionRef:
    return routing.RegionRef(region.pk, region.name)


def _domain_chain(domain: Domain | None) -> list[int]:
    chain = []
    while domain is not None:
        chain.append(domain.pk)
        domain = domain.parent
    return chain


def routing_case(message: Message, units) -> routing.RoutingCase:
    return routing.RoutingCase(
        board_id=message.board_id,
        region_chain=[_region_ref(r) for r in reversed(message.region.ancestors())],
        domain_chain=_domain_chain(message.domain),
        text=f"{message.title}\n{message.body}\n{message.place}",
        units=[
            routing.CandidateUnit(
                unit.pk, _region_ref(unit.region), frozenset(d.pk for d in unit.domains.all())
            )
            for unit in units
        ],
        default_unit_id=message.board.default_unit_id,
    )


def history_messages(message: Message, *, since) -> tuple[QuerySet, QuerySet]:
    """The ids of the HISTORY_MESSAGES most recent messages since `since` of the message's
    board, and of its region: two index range scans, newest first."""
    recent = Message.objects.filter(submitted_at__gte=since).order_by("-submitted_at", "-id")
    return (
        recent.filter(board_id=message.board_id).values_list("pk", flat=True)[:HISTORY_MESSAGES],
        recent.filter(region_id=message.region_id).values_list("pk", flat=True)[:HISTORY_MESSAGES],
    )


def kept_lead_counts(message_ids, *, since) -> QuerySet:
    """Kept lead assignments of these messages since `since`, counted per (board, region,
    domain, unit): looked up message by message through the (message, state) index."""
    return (
        Assignment.objects.filter(
            message_id__in=message_ids,
            kind=AssignmentKind.LEAD,
            accepted_at__isnull=False,
            created_at__gte=since,
        )
        .exclude(state=AssignmentState.RETURNED)
        .values("message__board_id", "message__region_id", "message__domain_id", "unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def dispatch_history(message: Message, *, now=None) -> list[routing.DispatchCount]:
    """Counts of kept lead assignments (accepted, not sent back) on recent messages of the same
    board or region, per (board, region, domain, unit): what moderators chose before and the
    unit agreed with. Grouped in the database; the result has one row per combination.

    Only the HISTORY_MESSAGES most recent messages of the board, and as many of the region,
    within HISTORY_DAYS, are looked at: enough to learn from, and read through the
    (board, submitted_at) and (region, submitted_at) indexes, so the cost stays the same
    however many messages the board has had."""
    since = (now or timezone.now()) - timedelta(days=HISTORY_DAYS)
    message_ids: set[int] = set()
    for recent in history_messages(message, since=since):
        message_ids.update(recent)
    counts = kept_lead_counts(message_ids, since=since)
    return [
        routing.DispatchCount(
            c["message__board_id"],
            c["message__region_id"],
            c["message__domain_id"],
            c["unit_id"],
            c["n"],
        )
        for c in counts
    ]


def suggested_units(message: Message, *, limit: int = 3) -> list[UnitSuggestion]:
    units = list(dispatch_candidates(message).prefetch_related("domains"))
    found = routing.suggest_units(
        routing_case(message, units), dispatch_history(message), limit=limit
    )
    by_id = {unit.pk: unit for unit in units}
    return [
        UnitSuggestion(
            by_id[s.unit_id],
            s.reasons[0],
            confidence=s.confidence,
            reasons=tuple(REASON_LABELS[r] for r in s.reasons),  # lazy: translated when shown
        )
        for s in found
    ]


# --- reply quality -------------------------------------------------------------------------

ELEMENT_LABELS = {
    "findings": _("findings of an investigation"),
    "action": _("action taken"),
    "result": _("result"),
    "time_frame": _("time frame"),
    "basis": _("legal or policy basis"),
    "contact": _("contact for further help"),
}
FLAG_LABELS = {
    "perfunctory_referral": _("Sends the citizen elsewhere without looking into it"),
    "template_without_specifics": _("Set phrases with nothing specific"),
    "different_problem": _("Seems to answer a different problem"),
    "empty_reply": _("The reply is empty"),
}


@dataclass(frozen=True)
class ReplyQualityView:
    score: float
    relevance: float
    completeness: float
    courtesy: float
    present: list[str]
    missing: list[str]
    flags: list[str]


def reply_quality(message: Message, reply: Reply) -> ReplyQualityView:
    """insight.quality's assessment with its element and flag names in the reader's language."""
    result = quality.assess_reply(message.title, message.body, reply.body)
    return ReplyQualityView(
        score=result.score,
        relevance=result.relevance,
        completeness=result.completeness,
        courtesy=result.courtesy,
        present=[str(ELEMENT_LABELS.get(e, e)) for e in result.elements],
        missing=[str(label) for e, label in ELEMENT_LABELS.items() if e not in result.elements],
        flags=[str(FLAG_LABELS.get(f, f)) for f in result.flags],
    )
