import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0008_run_partial_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="CharterExport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("format", models.CharField(max_length=8)),
                ("appendix", models.BooleanField(default=True)),
                ("data", models.BinaryField()),
                ("sha256", models.CharField(max_length=64)),
                ("size", models.PositiveIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "charter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="exports",
                        to="sessions_app.charter",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("charter", "format", "appendix"), name="charter_export_unique")
                ],
            },
        ),
    ]
