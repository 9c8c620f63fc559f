"""Similar messages, possible duplicates and copy-paste campaigns, from `liuyan.insight.similar`.

The index
---------
One `SimilarityIndex` per process over the recent messages (submitted in the last
``WINDOW_DAYS``, at most ``MAX_MESSAGES`` of the newest), built lazily on the first query. Each
entry is the message's public (masked) title and the start of its public body (character-bigram
TF-IDF, see insight.similar): a phone or ID number that only the original holds must not make
a message "similar" to what a citizen types, or the ranking would tell them who wrote it.
Entries are grouped by board so that "similar messages on this board" is a mask, not a second
index. Every state and every visibility is indexed: the index only proposes ids, and
each caller re-reads the proposed messages through a queryset that says who may see them
(`public_messages()` for citizens, the moderator's scoped queryset on the desk). A private or
thrown-out message therefore never reaches a page that must not show it, even when the index
is minutes old and the message changed state since.

Freshness: at most every ``REFRESH_SECONDS`` a query looks for messages with an id above the
watermark and adds them (one indexed range query, then a re-freeze of the sparse matrices);
every ``REBUILD_SECONDS`` the index is rebuilt from scratch so that messages leave the window
and corrected texts are picked up. Campaigns (near-identical texts from several authors) are
computed once per refresh over the last ``CAMPAIGN_DAYS`` and kept with the index.

A lock serialises refreshes and queries within a process; queries take milliseconds
(bench/similar_platform.py), a refresh of a few new messages about as long as one freeze.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from liuyan.core.lifecycle import ReplyState
from liuyan.directory.models import Board
from liuyan.insight.similar import Campaign, IndexedMessage, Match, SimilarityIndex

from .models import Message, Reply
from .selectors import public_messages
from .textrules import mask_staff_text

WINDOW_DAYS = 365
MAX_MESSAGES = 300_000  # about 150 MB of vectors; a province's year of messages
BODY_CHARS = 400  # the start of a body says what it is about; the rest costs memory
REFRESH_SECONDS = 60
REBUILD_SECONDS = 24 * 3600
CAMPAIGN_DAYS = 14
CAMPAIGN_MIN_AUTHORS = 3
# Below this a "similar" message shares only common phrasing (很不方便，希望…), not the problem.
SIMILAR_MIN_SCORE = 0.2
OVERFETCH = 5  # ids proposed per result wanted: some will be filtered out as not visible


@dataclass
class _State:
    index: SimilarityIndex = field(default_factory=SimilarityIndex)
    watermark: int = 0
    built_at: float = 0.0
    checked_at: float = 0.0
    # Keyed by what the index was given, message ids: typed Hashable as the index types them.
    campaigns: dict[Hashable, Campaign] | None = None


_state: _State | None = None
_lock = threading.Lock()


def _entry(row: dict) -> IndexedMessage:
    return IndexedMessage(
        id=row["pk"],
        text=f"{row['public_title']}\n{row['public_body'][:BODY_CHARS]}",
        group=str(row["board_id"]),
        time=row["submitted_at"],
        author=str(row["author_id"]),
    )


def _rows(queryset: QuerySet[Message]):
    return queryset.values(
        "pk", "public_title", "public_body", "board_id", "submitted_at", "author_id"
    )


def _build(now: datetime) -> _State:
    recent = Message.objects.filter(submitted_at__gte=now - timedelta(days=WINDOW_DAYS))
    ids = recent.order_by("-pk").values_list("pk", flat=True)
    state = _State(built_at=time.monotonic(), watermark=ids.first() or 0)
    # The newest MAX_MESSAGES by id: one index seek for the cut-off, then a range scan.
    cutoff = list(ids[MAX_MESSAGES - 1 : MAX_MESSAGES])
    rows = _rows(recent.filter(pk__gte=cutoff[0] if cutoff else 0, pk__lte=state.watermark))
    state.index.add(_entry(row) for row in rows.order_by("pk").iterator(chunk_size=5000))
    _refreshed(state)
    return state


def _add_new(state: _State) -> None:
    rows = list(_rows(Message.objects.filter(pk__gt=state.watermark).order_by("pk")))
    if rows:
        state.index.add(_entry(row) for row in rows)
        state.watermark = rows[-1]["pk"]
        _refreshed(state)
    state.checked_at = time.monotonic()


def _refreshed(state: _State) -> None:
    state.index.freeze()
    state.checked_at = time.monotonic()
    state.campaigns = None  # recomputed when the screening queue next asks


def _campaigns(state: _State, now: datetime) -> dict[Hashable, Campaign]:
    if state.campaigns is None:
        found = state.index.find_campaigns(
            since=now - timedelta(days=CAMPAIGN_DAYS), min_authors=CAMPAIGN_MIN_AUTHORS
        )
        state.campaigns = {message_id: c for c in found for message_id in c.ids}
    return state.campaigns


def _fresh_state(now: datetime) -> _State:
    """The process's index, built or topped up as needed. Call with the lock held."""
    global _state
    clock = time.monotonic()
    if _state is None or clock - _state.built_at > REBUILD_SECONDS:
        _state = _build(now)
    elif clock - _state.checked_at > REFRESH_SECONDS:
        _add_new(_state)
    return _state


def forget_index() -> None:
    """Drop the process's index; the next query builds a new one (tests, after bulk imports)."""
    global _state
    with _lock:
        _state = None


def _matches(text: str, *, k: int, now: datetime | None = None, **filters) -> list[Match]:
    with _lock:
        state = _fresh_state(now or timezone.now())
        return state.index.query(text, k=k, **filters)


def _in_order(queryset: QuerySet[Message], matches: list[Match]) -> list[tuple[Message, Match]]:
    found = queryset.in_bulk([m.id for m in matches])
    return [(found[m.id], m) for m in matches if m.id in found]


# --- for citizens: similar public messages on a board --------------------------------------


def similar_public_messages(
    *, board: Board, title: str, body: str = "", limit: int = 5
) -> list[Message]:
    """Public messages on the board about the same thing, best first; never a private one."""
    matches = _matches(
        f"{title}\n{body[:BODY_CHARS]}",
        k=limit * OVERFETCH,
        group=str(board.pk),
        min_score=SIMILAR_MIN_SCORE,
    )
    visible = public_messages().filter(board=board).select_related("board")
    return [message for message, _ in _in_order(visible, matches)][:limit]


# --- for moderators: possible duplicates and campaigns -------------------------------------


@dataclass(frozen=True)
class PossibleDuplicate:
    message: Message
    score: float
    near_duplicate: bool  # score above insight.similar.NEAR_DUPLICATE


def possible_duplicates(
    message: Message, *, visible: QuerySet[Message], limit: int = 5
) -> list[PossibleDuplicate]:
    """Earlier messages the moderator may see that say the same, most similar first.

    Only earlier ones: a duplicate points at its original, which was written first.
    """
    matches = _matches(
        f"{message.public_title}\n{message.public_body[:BODY_CHARS]}",
        k=limit * OVERFETCH,
        until=message.submitted_at,
        exclude=[message.pk],
        min_score=SIMILAR_MIN_SCORE,
    )
    candidates = visible.exclude(pk=message.pk).select_related("board")
    return [
        PossibleDuplicate(found, match.score, match.near_duplicate)
        for found, match in _in_order(candidates, matches)
    ][:limit]


@dataclass(frozen=True)
class CampaignFlag:
    messages: int
    authors: int


def campaign_flags(message_ids: list[int]) -> dict[int, CampaignFlag]:
    """For the screening queue: which of these messages belong to a copy-paste campaign."""
    now = timezone.now()
    with _lock:
        campaigns = _campaigns(_fresh_state(now), now)
    return {
        message_id: CampaignFlag(len(campaigns[message_id].ids), len(campaigns[message_id].authors))
        for message_id in message_ids
        if message_id in campaigns
    }


# --- for units: the shared knowledge base of published replies -----------------------------

# A few typed words share fewer bigrams with a whole message than a message does with
# another: a search box query needs a lower bar than "similar message".
KNOWLEDGE_QUERY_MIN_SCORE = 0.05


@dataclass(frozen=True)
class KnownAnswer:
    """A public message and the reply published to it: one entry of the knowledge base."""

    message: Message
    reply: Reply
    score: float | None  # similarity to what was asked; None when listed by date

    @property
    def text(self) -> str:
        """The reply as the public reads it: official numbers kept, personal data masked."""
        return mask_staff_text(self.reply.body)


def _answered(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Public messages with a published reply: what every unit may learn from."""
    published = Reply.objects.filter(state=ReplyState.PUBLISHED).values("message_id")
    return messages.filter(pk__in=published).select_related("domain", "board")


def _with_replies(found: Sequence[tuple[Message, float | None]]) -> list[KnownAnswer]:
    """Each message with its latest published reply (one query for them all)."""
    replies: dict[int, Reply] = {}
    rows = (
        Reply.objects.filter(message_id__in=[m.pk for m, _ in found], state=ReplyState.PUBLISHED)
        .select_related("unit")
        .order_by("message_id", "published_at", "pk")
    )
    for reply in rows:
        replies[reply.message_id] = reply  # the latest wins
    return [KnownAnswer(m, replies[m.pk], score) for m, score in found if m.pk in replies]


def similar_answers(message: Message, *, limit: int = 5) -> list[KnownAnswer]:
    """Published replies to public messages about the same thing as `message` (any board, any
    unit), most similar first: what a handler may reuse when writing. Asks the process's one
    similarity index; builds nothing of its own."""
    matches = _matches(
        f"{message.public_title}\n{message.public_body[:BODY_CHARS]}",
        k=limit * OVERFETCH,
        exclude=[message.pk],
        min_score=SIMILAR_MIN_SCORE,
    )
    candidates = _answered(public_messages().exclude(pk=message.pk))
    found = [(m, match.score) for m, match in _in_order(candidates, matches)][:limit]
    return _with_replies(found)


def search_answers(
    *, query: str = "", domain_ids: list[int] | None = None, limit: int = 20
) -> list[KnownAnswer]:
    """The knowledge base searched by words (most similar first, through the similarity index
    of the last WINDOW_DAYS) and narrowed to domains; with no words, the newest answers of the
    domains."""
    candidates = _answered(public_messages())
    if domain_ids is not None:
        candidates = candidates.filter(domain_id__in=domain_ids)
    query = " ".join(query.split())[:200]
    if query:
        matches = _matches(query, k=limit * OVERFETCH * 4, min_score=KNOWLEDGE_QUERY_MIN_SCORE)
        found = [(m, match.score) for m, match in _in_order(candidates, matches)][:limit]
        return _with_replies(found)
    if domain_ids is None:
        return []
    newest = candidates.filter(replied_at__isnull=False).order_by("-replied_at")[:limit]
    return _with_replies([(m, None) for m in newest])
