"""Full-text search over published public suggestions, with the message search's machinery.

`Suggestion.search_text` holds the masked public title and text, normalised and segmented by
rjieba exactly like a message's (liuyan.insight.text.segment_for_search); a query goes through
the same words (`board.search.query_words`), so both databases find the same suggestions:

- SQLite: the FTS5 table `campaigns_suggestion_fts` (migration 0004), kept in step by triggers,
  queried with quoted words joined by AND (`board.search.fts5_match_expression`), scored by bm25;
- PostgreSQL: a stored generated column `search_vector` (`to_tsvector('simple', search_text)`)
  with a partial GIN index, queried with one `plainto_tsquery` per word, scored by ts_rank.

Only published public suggestions are indexed, and the query is limited to them too, so a
private, rejected or unscreened suggestion can never be found. A campaign has thousands of
suggestions, not millions: the newest CANDIDATES matches are ranked, best first, then newest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from liuyan.board.search import (
    fts5_matches,
    highlight,
    query_words,
    snippet,
    tsvector_matches,
)
from liuyan.insight.text import segment_for_search

from .models import Suggestion

FTS_TABLE = "campaigns_suggestion_fts"
CANDIDATES = 1000
_INDEXED = "{row}.is_public AND {row}.status = 'published'"


def search_text_for(public_title: str, public_body: str) -> str:
    """What the index holds for a suggestion: its masked words, segmented."""
    return segment_for_search(" ".join([public_title, public_body]))


@dataclass(frozen=True)
class SuggestionHit:
    suggestion: Suggestion
    title: SafeString
    snippet: SafeString | None


def _candidates_on_sqlite(suggestions: QuerySet[Suggestion], words: list[str]) -> QuerySet:
    ranked = fts5_matches(suggestions, "campaigns_suggestion", FTS_TABLE, words)
    return ranked.values_list("pk", "search_score")[:CANDIDATES]


def _candidates_on_postgresql(suggestions: QuerySet[Suggestion], words: list[str]) -> QuerySet:
    matching = tsvector_matches(suggestions, "campaigns_suggestion", words)
    return matching.order_by("-pk").values_list("pk", "search_score")[:CANDIDATES]


def _candidates(suggestions: QuerySet[Suggestion], words: list[str]) -> QuerySet:
    vendor = connections[suggestions.db].vendor
    if vendor == "sqlite":
        return _candidates_on_sqlite(suggestions, words)
    if vendor == "postgresql":
        return _candidates_on_postgresql(suggestions, words)
    raise NotImplementedError(f"No search index for {vendor}.")


def search_suggestions(
    query: str, *, campaign_id: int | None = None, offset: int = 0, limit: int = 30
) -> tuple[list[SuggestionHit], bool]:
    """A page of published public suggestions matching every word of `query` (of one campaign,
    or of all), best match first; and whether there is a next page. Titles and snippets are the
    masked public words with the matches marked."""
    words = query_words(query)
    if not words:
        return [], False
    listed = Suggestion.objects.filter(status=Suggestion.Status.PUBLISHED, is_public=True)
    if campaign_id is not None:
        listed = listed.filter(campaign_id=campaign_id)
    ranked = sorted(_candidates(listed, words), key=lambda row: (-row[1], -row[0]))
    page = [pk for pk, _score in ranked[offset : offset + limit + 1]]
    found = Suggestion.objects.select_related("campaign").in_bulk(page[:limit])
    hits = [
        SuggestionHit(
            suggestion=found[pk],
            title=highlight(found[pk].public_title, words),
            snippet=snippet(found[pk].public_body, words),
        )
        for pk in page[:limit]
        if pk in found
    ]
    return hits, len(page) > limit


# --- keeping the index (SQLite) --------------------------------------------------------------


def sqlite_trigger_sql() -> dict[str, str]:
    """The triggers that keep the FTS5 table in step with campaigns_suggestion."""
    delete_old = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        "SELECT 'delete', old.id, old.search_text WHERE " + _INDEXED.format(row="old")
    )
    insert_new = (
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        "SELECT new.id, new.search_text WHERE " + _INDEXED.format(row="new")
    )
    return {
        "campaigns_suggestion_fts_insert": (
            "AFTER INSERT ON campaigns_suggestion BEGIN " + insert_new + "; END"
        ),
        "campaigns_suggestion_fts_update": (
            "AFTER UPDATE OF search_text, is_public, status ON campaigns_suggestion "
            "WHEN old.search_text IS NOT new.search_text OR old.is_public IS NOT new.is_public "
            "OR old.status IS NOT new.status BEGIN " + delete_old + "; " + insert_new + "; END"
        ),
        "campaigns_suggestion_fts_delete": (
            "AFTER DELETE ON campaigns_suggestion BEGIN " + delete_old + "; END"
        ),
    }


def rebuild_sqlite_index(using: str = DEFAULT_DB_ALIAS) -> int:
    """Empty the (contentless) FTS5 table and index every listed suggestion again."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608
            "SELECT id, search_text FROM campaigns_suggestion WHERE "
            + _INDEXED.format(row="campaigns_suggestion")
        )
        return cursor.rowcount


def restore_sqlite_index_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: a later migration that makes Django remake campaigns_suggestion
    on SQLite drops the triggers with the old table; put them back and reindex."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
    if FTS_TABLE not in present:  # migrated back before 0004
        return
    missing = [name for name in sqlite_trigger_sql() if name not in present]
    if not missing:
        return
    definitions = sqlite_trigger_sql()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name in missing:
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {definitions[name]}")
    rebuild_sqlite_index(using)
