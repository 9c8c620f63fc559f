"""Full-text search over published public suggestions, one index per database vendor, as for
messages (board migrations 0003 and 0009).

`search_text` holds the masked public title and text segmented by rjieba; existing published
suggestions get it here. SQLite: a contentless FTS5 table with the unicode61 tokenizer, kept in
step by triggers (liuyan.campaigns.search.sqlite_trigger_sql builds the same ones, for the
post_migrate hook). PostgreSQL: a stored generated column `search_vector` (not in the Django
model: only search reads it) with a GIN index partial on the suggestions the public may see.
"""

from django.db import migrations, models

from liuyan.insight.text import segment_for_search

INDEXED = "{row}.is_public AND {row}.status = 'published'"

SQLITE_FORWARDS = [
    "CREATE VIRTUAL TABLE campaigns_suggestion_fts USING fts5("
    "search_text, content='', tokenize='unicode61')",
    "CREATE TRIGGER campaigns_suggestion_fts_insert AFTER INSERT ON campaigns_suggestion BEGIN "
    "INSERT INTO campaigns_suggestion_fts(rowid, search_text) SELECT new.id, new.search_text "
    f"WHERE {INDEXED.format(row='new')}; END",
    "CREATE TRIGGER campaigns_suggestion_fts_update "
    "AFTER UPDATE OF search_text, is_public, status ON campaigns_suggestion "
    "WHEN old.search_text IS NOT new.search_text OR old.is_public IS NOT new.is_public "
    "OR old.status IS NOT new.status BEGIN "
    "INSERT INTO campaigns_suggestion_fts(campaigns_suggestion_fts, rowid, search_text) "
    f"SELECT 'delete', old.id, old.search_text WHERE {INDEXED.format(row='old')}; "
    "INSERT INTO campaigns_suggestion_fts(rowid, search_text) SELECT new.id, new.search_text "
    f"WHERE {INDEXED.format(row='new')}; END",
    "CREATE TRIGGER campaigns_suggestion_fts_delete AFTER DELETE ON campaigns_suggestion BEGIN "
    "INSERT INTO campaigns_suggestion_fts(campaigns_suggestion_fts, rowid, search_text) "
    f"SELECT 'delete', old.id, old.search_text WHERE {INDEXED.format(row='old')}; END",
    "INSERT INTO campaigns_suggestion_fts(rowid, search_text) "
    "SELECT id, search_text FROM campaigns_suggestion "
    f"WHERE {INDEXED.format(row='campaigns_suggestion')}",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS campaigns_suggestion_fts_insert",
    "DROP TRIGGER IF EXISTS campaigns_suggestion_fts_update",
    "DROP TRIGGER IF EXISTS campaigns_suggestion_fts_delete",
    "DROP TABLE IF EXISTS campaigns_suggestion_fts",
]
POSTGRES_FORWARDS = [
    "ALTER TABLE campaigns_suggestion ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS suggestion_search_gin ON campaigns_suggestion "
    f"USING gin (search_vector) WHERE {INDEXED.format(row='campaigns_suggestion')}",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS suggestion_search_gin",
    "ALTER TABLE campaigns_suggestion DROP COLUMN IF EXISTS search_vector",
]


def fill_search_text(apps, schema_editor):
    Suggestion = apps.get_model("campaigns", "Suggestion")
    rows = Suggestion.objects.filter(status="published").only("pk", "public_title", "public_body")
    for suggestion in rows.iterator(chunk_size=500):
        suggestion.search_text = segment_for_search(
            " ".join([suggestion.public_title, suggestion.public_body])
        )
        suggestion.save(update_fields=["search_text"])


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_suggestion_response_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRES_FORWARDS}),
            _run({"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRES_BACKWARDS}),
            elidable=False,
        ),
    ]
