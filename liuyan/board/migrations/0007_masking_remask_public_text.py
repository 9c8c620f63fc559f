"""Re-mask public text stored before masking by shape (issue #11): ID and card numbers with a
wrong check digit, passports, social-security numbers and home addresses were published."""

from django.db import migrations


def remask(apps, schema_editor):
    from liuyan.board.remask import remask_board

    remask_board(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0006_intake_serial_counter"),
    ]

    operations = [
        migrations.RunPython(remask, migrations.RunPython.noop),
    ]
