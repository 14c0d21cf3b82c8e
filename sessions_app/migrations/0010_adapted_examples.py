import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0009_charter_exports"),
    ]

    operations = [
        migrations.CreateModel(
            name="AdaptedExample",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_id", models.CharField(max_length=10)),
                ("text", models.TextField()),
                (
                    "domain",
                    models.CharField(blank=True, help_text="The bank example's domain it starts from.", max_length=40),
                ),
                ("provider", models.CharField(max_length=40)),
                ("model", models.CharField(blank=True, max_length=100)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="adapted_examples",
                        to="sessions_app.scopingsession",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("session", "question_id"), name="adapted_example_once_per_question")
                ],
            },
        ),
    ]
