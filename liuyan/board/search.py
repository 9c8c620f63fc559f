"""Full-text search over public messages and their published replies.

What is indexed is `Message.search_text`: the public title, public body and published reply
(masked like them), normalised to simplified characters and segmented by rjieba into
space-separated words (see `liuyan.insight.text.segment_for_search`). A query goes through
the same function, so 學校 finds 学校, and a match is always a whole word on both databases:

- SQLite: an FTS5 table (migration 0003) with the unicode61 tokenizer, which splits on those
  spaces; queries are a MATCH of quoted words joined by AND, scored by bm25.
- PostgreSQL: full-text search with the `simple` configuration over the same words, a stored
  `search_vector` column (migration 0009) and a RUM index that orders matches by id, or a GIN
  index where the server lacks RUM; scored by ts_rank.

A query ranks only the newest CANDIDATES matches, which every index hands out newest first and a
LIMIT cuts off: the work per query is bounded by CANDIDATES, not by how common the words are
(bench/search_scale.py measures it). Among those, the best match comes first, then recency.
Only messages in `public_messages()` can come back: both the index
and the query are limited to public messages in public states.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BooleanField, FloatField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from liuyan.core.lifecycle import ReplyState
from liuyan.directory.models import Domain, Region
from liuyan.insight.text import clean_whitespace, segment_for_search, to_halfwidth, to_simplified

from .access import PUBLIC_STATES
from .models import Message, Reply
from .selectors import public_messages
from .textrules import mask_staff_text

FTS_TABLE = "board_message_fts"
SNIPPET_CHARS = 120
# How much of the snippet comes before the first hit, so the reader sees its context.
SNIPPET_LEAD = 30
ELLIPSIS = "…"


@dataclass(frozen=True)
class SearchHit:
    message: Message
    score: float  # higher is better; only comparable within one page of one query
    title_html: SafeString  # escaped public title, matched words in <mark>
    snippet_html: SafeString  # ~120 escaped characters around the first hit
    snippet_from: str = "body"  # "body" or "reply": where the snippet was taken from


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    has_more: bool = False


# --- the query -----------------------------------------------------------------------------


def query_words(query: str | None) -> list[str]:
    """The words a message must all contain: the query segmented like the index.

    Search-mode segmentation also emits a long word's parts (物业管理 -> 物业 管理 物业管理).
    Requiring the long word too would miss a message where the segmenter, seeing more context,
    cut the same characters differently; its parts already say the same, so it is dropped.
    """
    words = list(dict.fromkeys(segment_for_search(query or "").split()))
    return [word for word in words if not _covered_by_parts(word, words)]


def _covered_by_parts(word: str, words: list[str]) -> bool:
    """True when shorter words of the query cover every character of `word`."""
    covered = [False] * len(word)
    for part in words:
        if len(part) >= len(word):
            continue
        start = word.find(part)
        while start != -1:
            covered[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return all(covered)


def fts5_match_expression(words: Iterable[str]) -> str:
    """An FTS5 query that is only ever quoted strings joined by AND.

    Every word is a double-quoted FTS5 string (inner quotes doubled), so nothing the user types
    can become an operator, a column filter, a prefix star or a syntax error.
    """
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def _subtree_ids(model, pk: int) -> QuerySet:
    """`pk` and its descendants in a three-level tree (regions, domains)."""
    return model.objects.filter(Q(pk=pk) | Q(parent_id=pk) | Q(parent__parent_id=pk)).values("pk")


def _filtered(
    messages: QuerySet[Message],
    *,
    board_id=None,
    region_id=None,
    domain_id=None,
    type=None,
    state=None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Message]:
    """Filters combine (AND). A region or domain includes the ones below it."""
    if board_id is not None:
        messages = messages.filter(board_id=board_id)
    if region_id is not None:
        messages = messages.filter(region_id__in=_subtree_ids(Region, region_id))
    if domain_id is not None:
        messages = messages.filter(domain_id__in=_subtree_ids(Domain, domain_id))
    if type is not None:
        messages = messages.filter(type=type)
    if state is not None:
        states = [state] if isinstance(state, str) else list(state)
        messages = messages.filter(state__in=states)
    if since is not None:
        messages = messages.filter(submitted_at__gte=since)
    if until is not None:
        messages = messages.filter(submitted_at__lt=until)
    return messages


# How many matches a query ranks at most: the newest CANDIDATES, taken newest first from the
# index and stopped there, so a common word (物业: one message in seven) costs the same as a rare
# one and no plan scores every match. 50 pages of 20: the portal's deepest page.
CANDIDATES = 1000


def fts5_matches(rows: QuerySet, table: str, fts_table: str, words: list[str]) -> QuerySet:
    """`rows` (of `table`, indexed by the contentless FTS5 table `fts_table` with rowid = id)
    that contain every word, newest first, with their `search_score` (SQLite).

    bm25() only works with the FTS5 table in the same FROM clause as its MATCH; no ORM
    expression puts a table there, so this is the one place for extra(). Ordered by the FTS
    table's rowid descending, FTS5 walks its doclists newest first and a LIMIT stops it: bm25 is
    computed for the returned rows only (EXPLAIN QUERY PLAN shows no temp B-tree;
    tests/board/test_search_plans.py keeps it so)."""
    return rows.extra(  # noqa: S610 - the only user input is the MATCH parameter
        select={"search_score": f"-bm25({fts_table})"},
        tables=[fts_table],
        where=[f"{fts_table}.rowid = {table}.id", f"{fts_table} MATCH %s"],
        params=[fts5_match_expression(words)],
        order_by=[f"-{fts_table}.rowid"],
    )


def _candidates_on_sqlite(messages: QuerySet[Message], words: list[str]) -> QuerySet:
    ranked = fts5_matches(messages, "board_message", FTS_TABLE, words)
    return ranked.values_list("pk", "search_score", "submitted_at")[:CANDIDATES]


def tsquery_sql(words: list[str]) -> str:
    """Every word through the same parser as the column (AND): `plainto_tsquery` cannot fail on
    what a user types and gives exactly the lexemes `to_tsvector('simple', ...)` made."""
    return "(" + " && ".join(["plainto_tsquery('simple'::regconfig, %s)"] * len(words)) + ")"


# `id <=| MAX_ID` is RUM's distance (a float8) from an id above every real one, so ordering by
# it ascending is newest first, and a RUM index with the id attached answers that order. 2**52,
# not the largest bigint: the distance must stay exact in a double, or all ids tie.
MAX_ID = 2**52
_postgres_index_by_alias: dict[str, str | None] = {}


def postgres_search_index(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """'msg_search_rum' or 'msg_search_gin', whichever migration 0009 (or a later
    `rebuild-search-index`) built; looked up once per process."""
    if using not in _postgres_index_by_alias:
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'board_message' "
                "AND indexname IN ('msg_search_rum', 'msg_search_gin') ORDER BY indexname DESC"
            )
            row = cursor.fetchone()
        _postgres_index_by_alias[using] = row[0] if row else None
    return _postgres_index_by_alias[using]


def ensure_postgres_index(using: str = DEFAULT_DB_ALIAS) -> str:
    """Build the RUM index if the server now has the extension and only GIN was possible when
    migration 0009 ran (postgresql-15-rum installed later); returns the index in use.

    CONCURRENTLY, so that the table stays writable meanwhile; the GIN index goes afterwards."""
    connection_ = connections[using]
    _postgres_index_by_alias.pop(using, None)
    if postgres_search_index(using) == "msg_search_rum":
        return "msg_search_rum"
    with connection_.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            return postgres_search_index(using) or "none"
        cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        cursor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS msg_search_rum ON board_message "
            "USING rum (search_vector rum_tsvector_addon_ops, id) "
            "WITH (attach = 'id', to = 'search_vector') "
            f"WHERE is_public AND state IN ({_states_sql()})"
        )
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS msg_search_gin")
    _postgres_index_by_alias.pop(using, None)
    return "msg_search_rum"


def tsvector_matches(rows: QuerySet, table: str, words: list[str]) -> QuerySet:
    """`rows` (of `table`, which has a `search_vector` column) that contain every word, with
    their `search_score` (PostgreSQL)."""
    tsquery = tsquery_sql(words)
    return rows.filter(
        RawSQL(  # noqa: S611 - constant SQL; the words are parameters
            f"{table}.search_vector @@ {tsquery}", words, output_field=BooleanField()
        )
    ).annotate(
        # ts_rank counts each word's occurrences (the vector keeps positions) and, with
        # normalisation 1, divides by the log of the text's length: BM25's shape, read from the
        # stored vector of the candidates only.
        search_score=RawSQL(  # noqa: S611 - as above
            f"ts_rank({table}.search_vector, {tsquery}, 1)", words, FloatField()
        )
    )


# Measured at 3,000,000 demo messages (bench/README.md, "scale"): RUM hands out the newest
# matches in order only after collecting and sorting all of a word's matches (物业, in 15 % of
# the messages: 336,000 matches, 4,516 temporary blocks, 213 ms), while walking the primary key
# backwards with the match as a filter found the newest 1,000 after 13,000 rows (65 ms). For a
# rare word it is the other way round (井盖: RUM 51 ms; the walk or a bitmap 1.3 s). So a
# query whose words are together in at least COMMON_SHARE of the messages walks the key.
COMMON_SHARE = 0.05
WORD_SHARES_SECONDS = 600
_word_shares_by_alias: dict[str, tuple[float, dict[str, float]]] = {}


def word_shares(using: str = DEFAULT_DB_ALIAS) -> dict[str, float]:
    """The share of messages holding each of the search column's most common words, as the last
    ANALYZE measured them (`pg_stats.most_common_elems`); read again every ten minutes."""
    read_at, shares = _word_shares_by_alias.get(using, (0.0, {}))
    if time.monotonic() - read_at < WORD_SHARES_SECONDS:
        return shares
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'board_message' AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
    shares = {}
    if row and row[0]:
        # The frequencies list ends with three summary values (min, max, nulls) after one
        # frequency per element.
        shares = dict(zip(row[0], row[1][: len(row[0])], strict=True))
    _word_shares_by_alias[using] = (time.monotonic(), shares)
    return shares


def _is_common(words: list[str], using: str) -> bool:
    """Whether all the words together are in at least COMMON_SHARE of the messages (the words
    taken as independent, as the planner takes them); a word not among the most common ones is
    rare."""
    shares = word_shares(using)
    together = 1.0
    for word in words:
        together *= shares.get(word.lower(), 0.0)
    return together >= COMMON_SHARE


def _candidates_on_postgresql(messages: QuerySet[Message], words: list[str]) -> QuerySet:
    matching = tsvector_matches(messages, "board_message", words)
    if postgres_search_index(messages.db) == "msg_search_rum" and not _is_common(
        words, messages.db
    ):
        # A rare word: the RUM index hands out its matches newest first; the LIMIT stops it.
        newest_first = RawSQL("board_message.id <=| %s", [MAX_ID], output_field=FloatField())
        matching = matching.order_by(newest_first.asc())
    else:
        # A common word, or GIN (which cannot order): PostgreSQL walks the primary key
        # backwards with the match as a filter for a common word (stopping after CANDIDATES
        # hits) and takes the bitmap for a rare one; ANALYZE (after every bulk load) lets it
        # tell which is which.
        matching = matching.order_by("-pk")
    return matching.values_list("pk", "search_score", "submitted_at")[:CANDIDATES]


def candidate_query(messages: QuerySet[Message], words: list[str]) -> QuerySet:
    """(id, score, submitted_at) of the newest CANDIDATES matches (tests read its plan)."""
    if connection.vendor == "sqlite":
        return _candidates_on_sqlite(messages, words)
    if connection.vendor == "postgresql":
        return _candidates_on_postgresql(messages, words)
    raise NotImplementedError(f"No search index for {connection.vendor}.")


def _published_reply_rows() -> QuerySet[Reply]:
    return Reply.objects.filter(state=ReplyState.PUBLISHED).order_by("-published_at", "-id")


def _published_replies() -> Prefetch:
    return Prefetch("replies", queryset=_published_reply_rows(), to_attr="published_replies")


def search_public(
    query: str,
    *,
    board_id=None,
    region_id=None,
    domain_id=None,
    type=None,
    state=None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Public messages matching every word of `query`, best first, `limit` at a time.

    `has_more` comes from fetching one row more than asked: no COUNT over the table.
    """
    words = query_words(query)
    if not words or limit <= 0:
        return SearchPage()
    messages = _filtered(
        public_messages(),
        board_id=board_id,
        region_id=region_id,
        domain_id=domain_id,
        type=type,
        state=state,
        since=since,
        until=until,
    )
    offset = max(offset, 0)
    if offset >= CANDIDATES:
        return SearchPage()
    # Best first among the candidates, then newest: a Python sort of at most CANDIDATES tuples.
    ranked = sorted(
        candidate_query(messages, words),
        key=lambda row: (-(row[1] or 0.0), -row[2].timestamp(), -row[0]),
    )
    page = ranked[offset : offset + limit + 1]
    shown = page[:limit]
    found = (
        Message.objects.select_related("board", "region", "domain")
        .prefetch_related(_published_replies())
        .in_bulk([pk for pk, _score, _at in shown])
    )
    hits = []
    for pk, score, _at in shown:
        message = found.get(pk)
        if message is not None:  # deleted between the two queries
            hits.append(_hit(message, words, float(score or 0.0)))
    return SearchPage(hits=hits, has_more=len(page) > limit)


# --- highlighting --------------------------------------------------------------------------


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` in the form the index compares (simplified, half-width, lower case), and for
    every folded character the position of the original character it came from.

    OpenCC's t2s keeps the length almost always, and then positions are the same; it converts
    the whole text at once because phrases convert better than lone characters. When the
    length changes, every character is converted alone so positions can still be traced.
    """
    folded = to_simplified(to_halfwidth(text)).lower()
    if len(folded) == len(text):
        return folded, list(range(len(text)))
    pieces, origins = [], []
    for position, char in enumerate(text):
        piece = to_simplified(to_halfwidth(char)).lower()
        pieces.append(piece)
        origins.extend([position] * len(piece))
    return "".join(pieces), origins


def match_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Sorted, merged [start, end) spans of `text` where any of `words` occurs, matched in
    folded form and mapped back onto the original characters."""
    folded, origins = _folded(text)
    spans = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            end = start + len(word)
            spans.append((origins[start], origins[end - 1] + 1))
            start = folded.find(word, end)
    return _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    parts, position = [], 0
    for start, end in spans:
        parts.append(html.escape(text[position:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """`text` HTML-escaped, with every occurrence of `words` in <mark>."""
    return mark_safe(_marked(text, match_spans(text, words)))  # noqa: S308 - escaped above


def _window(text: str, first_hit: int, width: int) -> tuple[int, int]:
    start = max(0, min(first_hit - SNIPPET_LEAD, len(text) - width))
    return start, min(len(text), start + width)


def snippet(text: str, words: Iterable[str], *, width: int = SNIPPET_CHARS) -> SafeString | None:
    """About `width` characters of `text` around its first hit, highlighted; None if no hit."""
    text = clean_whitespace(text)
    spans = match_spans(text, words)
    if not spans:
        return None
    start, end = _window(text, spans[0][0], width)
    return _excerpt(text, start, end, spans)


def _excerpt(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> SafeString:
    clipped = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = _marked(text[start:end], clipped)
    lead = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    return mark_safe(lead + body + tail)  # noqa: S308 - _marked escapes the text


def published_reply_body(message: Message) -> str:
    """The latest published reply of a message fetched by search_public (prefetched)."""
    replies = getattr(message, "published_replies", None)
    if replies is None:
        replies = _published_reply_rows().filter(message=message)[:1]
    return replies[0].body if replies else ""


def _hit(message: Message, words: list[str], score: float) -> SearchHit:
    # Highlight the long words too: a reader expects 物业管理 marked as one, and merging
    # spans makes that the same as marking 物业 and 管理.
    marks = list(dict.fromkeys(segment_for_search(" ".join(words)).split() + words))
    reply = mask_staff_text(published_reply_body(message))
    body_snippet = snippet(message.public_body, marks)
    reply_snippet = snippet(reply, marks) if body_snippet is None and reply else None
    if reply_snippet is not None:
        excerpt, source = reply_snippet, "reply"
    else:
        excerpt = body_snippet or _plain_opening(message.public_body)
        source = "body"
    return SearchHit(
        message=message,
        score=score,
        title_html=highlight(message.public_title, marks),
        snippet_html=excerpt,
        snippet_from=source,
    )


def _plain_opening(text: str) -> SafeString:
    text = clean_whitespace(text)
    return _excerpt(text, 0, min(len(text), SNIPPET_CHARS), [])


# --- keeping the index -------------------------------------------------------------------


def search_text_for(message: Message, reply_body: str = "") -> str:
    """What the index holds for a message: the same text `board.services` stores. A reply has
    no public copy of its own: it is masked here as staff text, as on the page."""
    return search_text_of(message.public_title, message.public_body, reply_body)


def search_text_of(public_title: str, public_body: str, reply_body: str = "") -> str:
    """`search_text_for` from the texts alone (the importer's workers have no message)."""
    public_reply = mask_staff_text(reply_body)
    return segment_for_search(" ".join([public_title, public_body, public_reply]))


def _states_sql() -> str:
    return ", ".join(f"'{state}'" for state in sorted(PUBLIC_STATES))


def _is_indexed(row: str) -> str:
    return f"{row}.is_public AND {row}.state IN ({_states_sql()})"


def sqlite_trigger_sql() -> dict[str, str]:
    """The triggers that keep the FTS5 table in step (as migration 0003 created them)."""
    delete_old = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        "SELECT 'delete', old.id, old.search_text WHERE " + _is_indexed("old")
    )
    insert_new = (
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        "SELECT new.id, new.search_text WHERE " + _is_indexed("new")
    )
    return {
        "board_message_fts_insert": ("AFTER INSERT ON board_message BEGIN " + insert_new + "; END"),
        "board_message_fts_update": (
            "AFTER UPDATE OF search_text, is_public, state ON board_message "
            "WHEN old.search_text IS NOT new.search_text OR old.is_public IS NOT new.is_public "
            "OR old.state IS NOT new.state BEGIN " + delete_old + "; " + insert_new + "; END"
        ),
        "board_message_fts_delete": ("AFTER DELETE ON board_message BEGIN " + delete_old + "; END"),
    }


def _fts_table_exists(cursor) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE])
    return cursor.fetchone() is not None


def missing_sqlite_triggers(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in sqlite_trigger_sql() if name not in present]


def ensure_sqlite_index(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Put back triggers that a Django table remake of board_message dropped; returns their
    names. The caller must then rebuild: writes made without them are not indexed."""
    missing = missing_sqlite_triggers(using)
    definitions = sqlite_trigger_sql()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for name in missing:
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {definitions[name]}")
    return missing


def rebuild_sqlite_index(using: str = DEFAULT_DB_ALIAS) -> int:
    """Empty the FTS5 table and index every searchable message again; returns how many.

    The table is contentless, so FTS5's own 'rebuild' has nothing to read from: 'delete-all'
    and one INSERT … SELECT do the same.
    """
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Only constants are formatted into these statements.
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
        cursor.execute(sqlite_index_sql("board_message"))
        return cursor.rowcount


def restore_sqlite_index_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: any later migration that makes Django remake board_message on
    SQLite (AlterField of a Message column, for one) drops the triggers with the old table."""
    connection_ = connections[using]
    if connection_.vendor != "sqlite":
        return
    with connection_.cursor() as cursor:
        if not _fts_table_exists(cursor):  # migrated back before 0003
            return
    if ensure_sqlite_index(using):
        rebuild_sqlite_index(using)


@contextmanager
def sqlite_index_rebuilt_afterwards(using: str = DEFAULT_DB_ALIAS):
    """For bulk loads on SQLite: no per-row trigger work during the load, one pass at the end.

    Must run inside a transaction (SQLite DDL is transactional): if the load fails, the
    triggers come back with the rollback. Other connections see the committed index meanwhile.
    """
    with sqlite_triggers_dropped(using) as indexed:
        yield
    if indexed:
        rebuild_sqlite_index(using)


@contextmanager
def sqlite_triggers_dropped(using: str = DEFAULT_DB_ALIAS):
    """For bulk loads on SQLite that index their rows themselves (sqlite_index_sql): the
    triggers are dropped for the load and put back after it; nothing is re-indexed. Yields
    whether there is a full-text index at all. Must run inside a transaction, as above."""
    connection_ = connections[using]
    with connection_.cursor() as cursor:
        indexed = connection_.vendor == "sqlite" and _fts_table_exists(cursor)
        if indexed:
            for name in sqlite_trigger_sql():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            usual_hash_size = _set_fts_hash_size(cursor, BULK_FTS_HASH_SIZE)
    yield indexed
    if indexed:
        with connection_.cursor() as cursor:
            _set_fts_hash_size(cursor, usual_hash_size)
        ensure_sqlite_index(using)


# FTS5 keeps new entries in memory until they reach its hash size (1 MiB unless configured),
# then writes them out as a segment that later merges rewrite. With 16 MiB, indexing the texts
# of 50,000 demo messages alone took 1.8-2.0 CPU-s instead of 2.6-3.3, and the FTS statements of
# a 50,000-message `liuyan demo-data` load 2.0 instead of 2.4; 32 MiB gained little more and left
# more to write at the commit.
BULK_FTS_HASH_SIZE = 16 * 2**20
FTS_DEFAULT_HASH_SIZE = 2**20


def _set_fts_hash_size(cursor, size: int) -> int:
    """Set the FTS table's hash size (a setting stored with the table); returns the old one."""
    cursor.execute(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'hashsize'")  # noqa: S608
    row = cursor.fetchone()
    cursor.execute(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', %s)",  # noqa: S608
        [size],
    )
    return int(row[0]) if row else FTS_DEFAULT_HASH_SIZE


def sqlite_index_sql(source: str) -> str:
    """The statement that indexes every searchable message of `source`, a table shaped like
    board_message (a bulk load's own copy, say), whose rows are not indexed yet."""
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608
        f"SELECT id, search_text FROM {source} WHERE {_is_indexed(source)}"
    )
