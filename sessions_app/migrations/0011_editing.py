from django.db import migrations, models


class Migration(migrations.Migration):
    """Editing that costs only the gates it affects: the stale status reads "Needs review" (a label, no data)."""

    dependencies = [
        ("sessions_app", "0010_adapted_examples"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stagestate",
            name="status",
            field=models.CharField(
                choices=[
                    ("locked", "Not started"),
                    ("open", "In progress"),
                    ("completed", "Completed"),
                    ("stale", "Needs review"),
                ],
                default="locked",
                max_length=12,
            ),
        ),
    ]
