"""Export of a campaign's suggestions with their decisions to CSV, XLSX and JSON Lines.

Suggestions are read in keyset order (by id, a few thousand at a time, one query a chunk with
the campaign, topic, theme and decision joined), and written by liuyan.web.tables as a stream of
pieces, so a million suggestions need no more memory than one chunk, as for messages
(liuyan.channels.export).

Who gets what is decided by campaigns.access (`export_remit`): the public export
holds only published public suggestions, in their masked words; the organiser's side gets every
suggestion of its campaigns with the original words; a unit gets the suggestions sent to it,
masked. The author is never exported, and neither is anything else about the citizen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liuyan.core.clock import SHANGHAI
from liuyan.web import tables

from .models import Decision, Suggestion

CHUNK = 2000
FORMATS = tables.FORMATS
CONTENT_TYPES = tables.CONTENT_TYPES
# (column, header): the public export has the first group only.
PUBLIC_COLUMNS = [
    ("id", "建议编号"),
    ("campaign", "征集活动"),
    ("title", "建议标题"),
    ("body", "建议内容"),
    ("topic", "领域"),
    ("supports", "附议数"),
    ("submitted_at", "提交时间"),
    ("response_due_at", "答复期限"),
    ("response", "组织方答复"),
    ("responded_at", "答复时间"),
    ("unit", "承办单位"),
    ("outcome", "采纳情况"),
    ("reason", "理由"),
    ("change", "采纳成果"),
    ("change_link", "成果链接"),
    ("decided_at", "决定时间"),
]
STAFF_COLUMNS = [
    *PUBLIC_COLUMNS,
    ("status", "审核状态"),
    ("is_public", "公开"),
    ("reject_reason", "不予受理原因"),
    ("theme", "主题"),
    ("threshold_reached_at", "达到附议门槛时间"),
]


@dataclass(frozen=True)
class SuggestionFilter:
    campaign_id: int | None = None
    status: str = ""
    # A Decision.Outcome, or "undecided" (sent, no decision yet) or "unsent".
    outcome: str = ""

    def apply(self, suggestions: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
        if self.campaign_id:
            suggestions = suggestions.filter(campaign_id=self.campaign_id)
        if self.status:
            suggestions = suggestions.filter(status=self.status)
        if self.outcome == "unsent":
            suggestions = suggestions.filter(decision__isnull=True)
        elif self.outcome == "undecided":
            suggestions = suggestions.filter(
                decision__isnull=False, decision__decided_at__isnull=True
            )
        elif self.outcome:
            suggestions = suggestions.filter(decision__outcome=self.outcome)
        return suggestions


OUTCOME_CHOICES = [
    ("unsent", gettext_lazy("not sent to a unit")),
    ("undecided", gettext_lazy("awaiting a decision")),
    *Decision.Outcome.choices,
]


def _local(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def records(
    suggestions: QuerySet[Suggestion], *, public: bool, original: bool = False, chunk: int = CHUNK
) -> Iterator[dict]:
    """One dict per suggestion in id order. `public`: only listed suggestions and the public
    columns; `original`: the author's own words instead of the masked ones (staff only)."""
    if public:
        suggestions = suggestions.filter(status=Suggestion.Status.PUBLISHED, is_public=True)
        original = False
    base = suggestions.order_by().select_related("campaign", "topic", "theme", "decision__unit")
    for rows in tables.chunks_by_id(base, chunk):
        for suggestion in rows:
            yield _record(suggestion, public=public, original=original)


def _record(suggestion: Suggestion, *, public: bool, original: bool) -> dict:
    decision: Decision | None = getattr(suggestion, "decision", None)
    decided = decision is not None and decision.decided_at is not None
    record = {
        "id": suggestion.pk,
        "campaign": suggestion.campaign.title,
        "title": suggestion.title if original else suggestion.public_title,
        "body": suggestion.body if original else suggestion.public_body,
        "topic": suggestion.topic.name if suggestion.topic else "",
        "supports": suggestion.support_count,
        "submitted_at": _local(suggestion.submitted_at),
        "response_due_at": _local(suggestion.response_due_at),
        "response": suggestion.response,
        "responded_at": _local(suggestion.responded_at),
        # The public sees a unit's answer once it is given; staff also see where it was sent.
        "unit": decision.unit.name if decision and (decided or not public) else "",
        "outcome": decision.get_outcome_display() if decision and decided else "",
        "reason": decision.reason if decision and decided else "",
        "change": decision.change if decision and decided else "",
        "change_link": decision.change_link if decision and decided else "",
        "decided_at": _local(decision.decided_at) if decision else "",
    }
    if not public:
        record.update(
            status=suggestion.get_status_display(),
            is_public=suggestion.is_public,
            reject_reason=suggestion.get_reject_reason_display()
            if suggestion.reject_reason
            else "",
            theme=suggestion.theme.name if suggestion.theme else "",
            threshold_reached_at=_local(suggestion.threshold_reached_at),
        )
    return record


def pieces(
    fmt: str, suggestions: QuerySet[Suggestion], *, public: bool, original: bool = False
) -> Iterator[bytes]:
    columns = PUBLIC_COLUMNS if public else STAFF_COLUMNS
    headers = [header for _name, header in columns]

    def rows() -> Iterator[list]:
        for record in records(suggestions, public=public, original=original):
            yield [record[name] for name, _header in columns]

    if fmt == "csv":
        return tables.csv_pieces(headers, rows())
    if fmt == "jsonl":
        return tables.jsonl_pieces(records(suggestions, public=public, original=original))
    if fmt == "xlsx":
        return tables.xlsx_pieces(_("suggestions"), headers, rows())
    raise ValueError(fmt)
