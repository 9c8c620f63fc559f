"""Similar messages, possible duplicates and copy-paste campaigns, from `liuyan.insight.similar`.

The index
---------
A `SimilarityIndex` over the recent messages (submitted in the last ``WINDOW_DAYS``, at most
``MAX_MESSAGES`` of the newest). Each entry is the message's public (masked) title and the start
of its public body (character-bigram TF-IDF, see insight.similar): a phone or ID number that only
the original holds must not make a message "similar" to what a citizen types, or the ranking
would tell them who wrote it. Entries are grouped by board so that "similar messages on this
board" is a mask, not a second index. Every state and every visibility is indexed: the index
only proposes ids, and each caller re-reads the proposed messages through a queryset that says
who may see them (`public_messages()` for citizens, the moderator's scoped queryset on the
desk). A private or thrown-out message therefore never reaches a page that must not show it,
even when the index is minutes old and the message changed state since.

Who builds it (no request builds anything big)
----------------------------------------------
- `liuyan similarity-index` (and the task `liuyan tick` queues every ``SNAPSHOT_SECONDS``)
  builds the index, or tops up the stored one with the messages that arrived since, computes
  the campaigns, and stores the result in ``LIUYAN_MODELS_DIR/similarity-index.pickle``
  (written to a temporary file and renamed, so readers never see half a file). Once a day
  (``REBUILD_SECONDS``) it starts afresh, so that messages leave the window and corrected texts
  are picked up. Measured at 300,000 messages: bench/search_scale.py.
- A web process loads that file in a background thread on its first similarity question and
  answers without suggestions until it is loaded (a page never waits for it). Every
  ``REFRESH_SECONDS`` the thread loads a newer file if the task wrote one and adds the messages
  above the watermark, at most ``TOPUP_MAX`` of the newest (without a stored index that is all
  a web process ever builds), into a copy that replaces the index when ready: queries keep
  using the old one meanwhile. Campaigns come with the stored file and are recomputed over the
  last ``CAMPAIGN_DAYS`` after a top-up, in the same thread.

`REFRESH_IN_BACKGROUND = False` (the tests, the command) does the same work in the caller's
thread, which then sees the result at once.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import close_old_connections
from django.db.models import QuerySet
from django.utils import timezone

from liuyan.core.lifecycle import ReplyState
from liuyan.directory.models import Board

from .models import Message, Reply
from .selectors import public_messages
from .textrules import mask_staff_text

if TYPE_CHECKING:
    # Imported where the index is built or loaded, which is in a background thread of a web
    # process (or the command): numpy and scipy.sparse are not imported with the views, so a
    # new process answers its first pages sooner (bench/first_request.py).
    from liuyan.insight.similar import Campaign, IndexedMessage, Match, SimilarityIndex

log = logging.getLogger(__name__)

WINDOW_DAYS = 365
MAX_MESSAGES = 300_000  # about 150 MB of vectors; a province's year of messages
BODY_CHARS = 400  # the start of a body says what it is about; the rest costs memory
REFRESH_SECONDS = 60
REBUILD_SECONDS = 24 * 3600
SNAPSHOT_SECONDS = 15 * 60
# What a web process adds itself at most: a few days of messages at the national rate, seconds
# of work in the background thread; the stored index brings the rest.
TOPUP_MAX = 20_000
CAMPAIGN_DAYS = 14
CAMPAIGN_MIN_AUTHORS = 3
# Below this a "similar" message shares only common phrasing (很不方便，希望…), not the problem.
SIMILAR_MIN_SCORE = 0.2
OVERFETCH = 5  # ids proposed per result wanted: some will be filtered out as not visible
SNAPSHOT_NAME = "similarity-index.pickle"
SNAPSHOT_FORMAT = 1
REFRESH_IN_BACKGROUND = True
USE_SNAPSHOT = True  # the tests turn it off (their messages are their own) or point it elsewhere


@dataclass
class _State:
    index: SimilarityIndex = field(default_factory=lambda: _new_index())
    watermark: int = 0
    built_at: float = 0.0  # wall clock (time.time()): the stored file carries it across processes
    checked_at: float = 0.0  # monotonic, this process only
    snapshot_mtime: float = 0.0
    # Keyed by what the index was given, message ids: typed Hashable as the index types them.
    campaigns: dict[Hashable, Campaign] | None = None


_state: _State | None = None
_lock = threading.Lock()  # guards _state and _refreshing
_refreshing = False
_work_lock = threading.Lock()  # one refresh at a time per process


def _new_index() -> SimilarityIndex:
    from liuyan.insight.similar import SimilarityIndex

    return SimilarityIndex()


def _entry(row: dict) -> IndexedMessage:
    from liuyan.insight.similar import IndexedMessage

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


def snapshot_path() -> Path:
    return Path(settings.LIUYAN_MODELS_DIR) / SNAPSHOT_NAME


def _newest_rows(since: datetime, above: int, most: int):
    """Messages of the window with an id above `above`, at most `most` of the newest, by id."""
    recent = Message.objects.filter(submitted_at__gte=since, pk__gt=above)
    ids = recent.order_by("-pk").values_list("pk", flat=True)
    # One index seek for the cut-off, then a range scan.
    cutoff = list(ids[most - 1 : most])
    rows = _rows(recent.filter(pk__gte=cutoff[0]) if cutoff else recent)
    return rows.order_by("pk").iterator(chunk_size=5000)


def _topped_up(state: _State | None, now: datetime, most: int) -> _State:
    """A new state: `state` (untouched, other threads may be querying it) plus the messages
    above its watermark, at most `most` of them; a fresh build when `state` is None."""
    since = now - timedelta(days=WINDOW_DAYS)
    fresh = _State(built_at=time.time()) if state is None else None
    base = fresh or state
    assert base is not None
    index = base.index if fresh else base.index.copy()
    rows = list(_newest_rows(since, base.watermark, most))
    entries = [_entry(row) for row in rows]
    new = _State(
        index=index,
        watermark=max([base.watermark] + [row["pk"] for row in rows]),
        built_at=base.built_at,
        snapshot_mtime=base.snapshot_mtime,
        campaigns=None if entries or fresh else base.campaigns,
    )
    if entries:
        index.add(entries)
    index.freeze()
    if new.campaigns is None:
        _campaigns(new, now)
    new.checked_at = time.monotonic()
    return new


def _campaigns(state: _State, now: datetime) -> dict[Hashable, Campaign]:
    if state.campaigns is None:
        found = state.index.find_campaigns(
            since=now - timedelta(days=CAMPAIGN_DAYS), min_authors=CAMPAIGN_MIN_AUTHORS
        )
        state.campaigns = {message_id: c for c in found for message_id in c.ids}
    return state.campaigns


# --- the stored index --------------------------------------------------------------------


def _load_snapshot(path: Path) -> _State | None:
    try:
        mtime = path.stat().st_mtime
        with path.open("rb") as stored:
            # Our own file, written by `liuyan similarity-index` into the models directory,
            # which holds the trained classifier too: only the site's own processes write there.
            kind, payload = pickle.load(stored)  # noqa: S301
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        log.warning("Cannot read the stored similarity index %s: %s", path, error)
        return None
    if kind != SNAPSHOT_FORMAT:
        log.warning("The stored similarity index %s has an old format; run similarity-index", path)
        return None
    state = _State(**payload)
    state.snapshot_mtime = mtime
    return state


def _save_snapshot(state: _State, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "index": state.index,
        "watermark": state.watermark,
        "built_at": state.built_at,
        "campaigns": state.campaigns,
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".similarity-")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump((SNAPSHOT_FORMAT, payload), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class SnapshotResult:
    messages: int
    added: int
    rebuilt: bool
    campaigns: int
    seconds: float


def store_index(*, now: datetime | None = None, rebuild: bool = False) -> SnapshotResult:
    """Build or top up the stored index and write it (the command and the task).

    The stored index is topped up with every message that arrived since it was written; it is
    built afresh when asked, when there is none, or when it is older than REBUILD_SECONDS."""
    started = time.monotonic()
    now = now or timezone.now()
    path = snapshot_path()
    stored = None if rebuild else _load_snapshot(path)
    if stored is not None and time.time() - stored.built_at > REBUILD_SECONDS:
        stored = None
    before = len(stored.index) if stored else 0
    state = _topped_up(stored, now, MAX_MESSAGES)
    _campaigns(state, now)
    _save_snapshot(state, path)
    return SnapshotResult(
        messages=len(state.index),
        added=len(state.index) - before,
        rebuilt=stored is None,
        campaigns=len({id(c) for c in (state.campaigns or {}).values()}),
        seconds=time.monotonic() - started,
    )


def snapshot_age_seconds() -> float | None:
    try:
        return time.time() - snapshot_path().stat().st_mtime
    except FileNotFoundError:
        return None


# --- this process's copy -----------------------------------------------------------------


def _refresh(now: datetime) -> None:
    """Load a newer stored index if there is one, then add what arrived since; swap it in."""
    global _state, _refreshing
    try:
        with _work_lock:
            current = _state
            if USE_SNAPSHOT:
                path = snapshot_path()
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:
                    mtime = 0.0
                if mtime and (current is None or mtime > current.snapshot_mtime):
                    current = _load_snapshot(path) or current
            if current is not None and time.time() - current.built_at > REBUILD_SECONDS + 3600:
                current = None  # neither the task nor anyone rebuilt it: start over, bounded
            fresh = _topped_up(current, now, TOPUP_MAX)
            with _lock:
                _state = fresh
    except Exception:
        log.exception("Refreshing the similarity index failed")
    finally:
        with _lock:
            _refreshing = False


def _refresh_in_background(now: datetime) -> None:
    def run() -> None:
        try:
            _refresh(now)
        finally:
            close_old_connections()

    threading.Thread(target=run, name="similarity-refresh", daemon=True).start()


def _current_state(now: datetime) -> _State | None:
    """The index to answer from, and a refresh started if it is missing or due. In the
    background (the default) the caller never waits: None until the first load is done."""
    global _refreshing
    with _lock:
        state = _state
        due = state is None or time.monotonic() - state.checked_at > REFRESH_SECONDS
        start = due and not _refreshing
        if start:
            _refreshing = True
            if state is not None:
                state.checked_at = time.monotonic()  # ask again only after the interval
    if start:
        if REFRESH_IN_BACKGROUND:
            _refresh_in_background(now)
        else:
            _refresh(now)
            with _lock:
                state = _state
    return state


def index_ready() -> bool:
    """Whether this process has an index to answer from. False while a new process still loads
    the stored one in the background: a page then says the suggestions are loading and asks
    again later (the moderator's possible duplicates) rather than wait for it."""
    with _lock:
        return _state is not None


def wait_until_loaded(timeout: float = 30.0) -> bool:
    """For tests and benchmarks: wait for a background refresh to finish."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if _state is not None and not _refreshing:
                return True
        time.sleep(0.01)
    return False


def forget_index() -> None:
    """Drop the process's index; the next query loads it again (tests, after bulk imports)."""
    global _state
    with _work_lock, _lock:
        _state = None


def _matches(text: str, *, k: int, now: datetime | None = None, **filters) -> list[Match]:
    state = _current_state(now or timezone.now())
    if state is None:
        return []
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
    state = _current_state(timezone.now())
    campaigns = state.campaigns if state is not None else None
    if not campaigns:
        return {}
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
