"""Full-text search over Message.search_text, one index per database vendor.

SQLite: a contentless FTS5 table keyed by rowid = message id, kept in step by triggers on
board_message, so ORM saves, bulk_create and raw INSERTs (the demo generator)
are all indexed without any Python on the write path. The unicode61 tokenizer splits on the spaces
that rjieba segmentation put into search_text, so 2-character words are whole tokens (FTS5's
trigram tokenizer cannot match them).

PostgreSQL: pg_trgm with a GIN index on ' ' || search_text || ' '. Queries look for ' word '
(the token bounded by spaces); pg_trgm pads each word with blanks, so even a 1- or 2-character
CJK word gives selective trigrams, which a bare '%word%' pattern would not. The index is built
CONCURRENTLY so that adding it to a province's ten million messages does not block writes; that
needs a non-atomic migration.

Both indexes cover only public messages in public states: a private message is not even in the
index. The list of states is frozen here (migrations must not import code that changes later);
tests check that it still equals liuyan.board.access.PUBLIC_STATES. (No SQL view of public
messages: a view on board_message makes Django's SQLite table remake fail in later migrations.)

Django's SQLite table remake (some later AlterField on Message) drops these triggers with the old
table: `liuyan.board.search.ensure_sqlite_index` puts them back; `liuyan rebuild-search-index`
runs it.
"""

from django.db import migrations, transaction

PUBLIC_STATES = (
    "dispatched",
    "accepted",
    "reply_review",
    "replied",
    "review",
    "reopened",
    "closed",
)
_STATES_SQL = ", ".join(f"'{state}'" for state in PUBLIC_STATES)


def _is_indexed(row: str) -> str:
    return f"{row}.is_public AND {row}.state IN ({_STATES_SQL})"


SQLITE_CREATE = [
    # Contentless: the text lives in board_message only. Deletes must then repeat the indexed
    # text, which the triggers have in old.search_text.
    """CREATE VIRTUAL TABLE board_message_fts USING fts5(
        search_text, content='', tokenize='unicode61'
    )""",
    f"""CREATE TRIGGER board_message_fts_insert AFTER INSERT ON board_message
        WHEN {_is_indexed("new")}
        BEGIN
            INSERT INTO board_message_fts(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    # Django's save() writes every column, so only act when an indexed value really changed.
    f"""CREATE TRIGGER board_message_fts_update
        AFTER UPDATE OF search_text, is_public, state ON board_message
        WHEN old.search_text IS NOT new.search_text
            OR old.is_public IS NOT new.is_public
            OR old.state IS NOT new.state
        BEGIN
            INSERT INTO board_message_fts(board_message_fts, rowid, search_text)
                SELECT 'delete', old.id, old.search_text WHERE {_is_indexed("old")};
            INSERT INTO board_message_fts(rowid, search_text)
                SELECT new.id, new.search_text WHERE {_is_indexed("new")};
        END""",
    f"""CREATE TRIGGER board_message_fts_delete AFTER DELETE ON board_message
        WHEN {_is_indexed("old")}
        BEGIN
            INSERT INTO board_message_fts(board_message_fts, rowid, search_text)
                VALUES ('delete', old.id, old.search_text);
        END""",
    # Index the messages that exist already.
    f"""INSERT INTO board_message_fts(rowid, search_text)
        SELECT id, search_text FROM board_message WHERE {_is_indexed("board_message")}""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS board_message_fts_delete",
    "DROP TRIGGER IF EXISTS board_message_fts_update",
    "DROP TRIGGER IF EXISTS board_message_fts_insert",
    "DROP TABLE IF EXISTS board_message_fts",
]

POSTGRES_CREATE = [
    # pg_trgm is a trusted extension: the database owner may create it without superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""CREATE INDEX CONCURRENTLY IF NOT EXISTS msg_search_trgm ON board_message
        USING gin ((' ' || search_text || ' ') gin_trgm_ops)
        WHERE {_is_indexed("board_message")}""",
]
# The extension stays: other code may use it, and dropping it would need its owner.
POSTGRES_DROP = ["DROP INDEX CONCURRENTLY IF EXISTS msg_search_trgm"]


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # The migration is not atomic (for PostgreSQL's CONCURRENTLY); SQLite's part is.
        with transaction.atomic(using=schema_editor.connection.alias):
            _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        with transaction.atomic(using=schema_editor.connection.alias):
            _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("board", "0002_attachments_and_search_text"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
