from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_suggestion_images"),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="response_reminded",
            field=models.CharField(
                blank=True,
                choices=[("due_soon", "deadline near"), ("overdue", "deadline passed")],
                max_length=10,
                verbose_name="response reminder sent",
            ),
        ),
    ]
