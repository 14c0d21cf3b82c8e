from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("llm", "0003_unknown_usage_and_truncated"),
    ]

    operations = [
        migrations.AlterField(
            model_name="llmcall",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("quality_check", "Answer quality check"),
                    ("extraction", "Extraction"),
                    ("consistency", "Consistency check"),
                    ("charter", "Charter narrative"),
                    ("adapted_example", "Example adapted to the project"),
                    ("health", "Health check"),
                ],
                max_length=20,
            ),
        ),
    ]
