from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security_epoch_idempotency"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="focus_mode",
            field=models.BooleanField(default=False, help_text="Show the interview one question at a time."),
        ),
    ]
