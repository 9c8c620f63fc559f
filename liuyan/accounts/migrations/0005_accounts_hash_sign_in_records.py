"""Sign-in codes and citizens' failures keep the keyed hash of the number, not the number."""

from django.db import migrations, models

from liuyan.accounts.crypto import phone_hash


def hash_numbers(apps, schema_editor):
    PhoneCode = apps.get_model("accounts", "PhoneCode")
    SignInFailure = apps.get_model("accounts", "SignInFailure")
    for pk, phone in PhoneCode.objects.values_list("pk", "phone").iterator():
        PhoneCode.objects.filter(pk=pk).update(phone_hash=phone_hash(phone) or "")
    citizens = SignInFailure.objects.filter(scope="citizen")
    for pk, key in citizens.values_list("pk", "key").iterator():
        if key.isdigit():  # a number, not a hash already
            SignInFailure.objects.filter(pk=pk).update(key=phone_hash(key) or "")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_accounts_encrypt_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="phonecode",
            name="phone_hash",
            field=models.CharField(
                default="", max_length=64, verbose_name="mobile number (keyed hash)"
            ),
            preserve_default=False,
        ),
        # Codes live five minutes and are pruned after two days: the way back is to drop them.
        migrations.RunPython(hash_numbers, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="phonecode", name="phonecode_phone_created"),
        migrations.RemoveField(model_name="phonecode", name="phone"),
        migrations.AddIndex(
            model_name="phonecode",
            index=models.Index(
                fields=["phone_hash", "-created_at"], name="phonecode_phone_created"
            ),
        ),
        migrations.AlterField(
            model_name="signinfailure",
            name="key",
            field=models.CharField(
                help_text="Username, or the keyed hash of a mobile number.", max_length=150
            ),
        ),
    ]
