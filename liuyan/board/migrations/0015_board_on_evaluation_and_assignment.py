"""The message's board copied onto its ratings and assignments (issue #13: the leader overview
reads a board's ratings and overdue assignments by index). Nullable here, filled from the
messages, and made required in the next migration: on PostgreSQL the fill and the ALTER must not
share a transaction (the fill queues the deferred foreign-key checks). Every row of both tables
is rewritten: run `VACUUM (ANALYZE) board_evaluation, board_assignment` afterwards on a large
database (docs/production.md)."""

from django.db import migrations, models
import django.db.models.deletion

FILL = {
    "postgresql": [
        "UPDATE board_evaluation e SET board_id = m.board_id FROM board_message m "
        "WHERE m.id = e.message_id",
        "UPDATE board_assignment a SET board_id = m.board_id FROM board_message m "
        "WHERE m.id = a.message_id",
    ],
    "sqlite": [
        "UPDATE board_evaluation SET board_id = (SELECT m.board_id FROM board_message m "
        "WHERE m.id = board_evaluation.message_id)",
        "UPDATE board_assignment SET board_id = (SELECT m.board_id FROM board_message m "
        "WHERE m.id = board_assignment.message_id)",
    ],
}


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in FILL[schema_editor.connection.vendor]:
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("board", "0014_follow_up_unit_and_queue_indexes"),
        ("directory", "0003_merge_aliases_and_board_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="board",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.board",
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="board",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.board",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
