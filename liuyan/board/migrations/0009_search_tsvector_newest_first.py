"""PostgreSQL search moves from pg_trgm to full-text search that can answer newest-first.

A stored generated column `search_vector` holds `to_tsvector('simple', search_text)`: the
`simple` configuration only lower-cases, so its lexemes are exactly the words rjieba put into
search_text (the default parser splits on the spaces; CJK characters are letters to it in a
UTF-8 ctype database, the same requirement pg_trgm had). The column is not in the Django model:
PostgreSQL computes it on every insert and update, and only search reads it.

The index, partial on public messages in public states like the old one:

- RUM (`postgresql-15-rum`) when the server has the extension: `rum_tsvector_addon_ops` with
  the message id attached, so `ORDER BY id <=| <max>` walks the matches newest first inside the
  index and a LIMIT stops it, without touching the table for the rest of the matches;
- otherwise GIN on the column. The planner then takes either the GIN bitmap (rare words) or the
  primary key backwards with the match as a filter (common words), both stopped by the LIMIT.

`liuyan rebuild-search-index` switches from GIN to RUM once the extension is installed
(liuyan.board.search.ensure_postgres_index). The trigram index is dropped: nothing uses it any
more. Adding a stored column rewrites board_message under an exclusive lock: minutes on a
province's ten million messages. docs/production.md ("Upgrading a large database without a long
lock") says how to prepare the column beforehand while the site serves; this migration then
keeps it (IF NOT EXISTS) and only builds the index, concurrently.

The states are frozen here as in 0003 (a test checks they still equal PUBLIC_STATES).
"""

from django.db import migrations

PUBLIC_STATES = (
    "dispatched",
    "accepted",
    "reply_review",
    "replied",
    "review",
    "reopened",
    "closed",
)
_PREDICATE = "is_public AND state IN ({})".format(", ".join(f"'{s}'" for s in PUBLIC_STATES))

ADD_COLUMN = (
    "ALTER TABLE board_message ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
)
RUM_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS msg_search_rum ON board_message "
    "USING rum (search_vector rum_tsvector_addon_ops, id) "
    f"WITH (attach = 'id', to = 'search_vector') WHERE {_PREDICATE}"
)
GIN_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS msg_search_gin ON board_message "
    f"USING gin (search_vector) WHERE {_PREDICATE}"
)
TRGM_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS msg_search_trgm ON board_message "
    f"USING gin ((' ' || search_text || ' ') gin_trgm_ops) WHERE {_PREDICATE}"
)


def _rum_available(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    if cursor.fetchone() is None:
        return False
    # The migration runs in autocommit (atomic = False), so a refusal leaves nothing aborted.
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except Exception:  # e.g. not allowed for this role: use GIN instead
        return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(ADD_COLUMN)
        use_rum = _rum_available(cursor)
        cursor.execute(RUM_INDEX if use_rum else GIN_INDEX)
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS msg_search_trgm")
        cursor.execute("ANALYZE board_message")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRGM_INDEX)
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS msg_search_rum")
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS msg_search_gin")
        cursor.execute("ALTER TABLE board_message DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY

    dependencies = [
        ("board", "0008_accounts_encrypt_contact"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
