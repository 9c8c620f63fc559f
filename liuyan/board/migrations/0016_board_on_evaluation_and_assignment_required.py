from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("board", "0015_board_on_evaluation_and_assignment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assignment",
            name="board",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.board",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="board",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.board",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("state", "pending")),
                fields=["board", "accept_by"],
                include=["kind", "message"],
                name="asg_board_pending_accept_by",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("state", "accepted")),
                fields=["board", "reply_by"],
                include=["kind", "message"],
                name="asg_board_accepted_reply_by",
            ),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["board", "created_at"],
                include=["message", "solved", "attitude", "speed"],
                name="evaluation_board_created",
            ),
        ),
    ]
