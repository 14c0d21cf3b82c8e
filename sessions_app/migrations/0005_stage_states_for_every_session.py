"""Every session has its five StageState rows from creation on; add the missing ones of existing sessions
(reads no longer create them)."""

from django.db import migrations

STAGE_COUNT = 5


def add_missing_stage_states(apps, schema_editor):
    ScopingSession = apps.get_model("sessions_app", "ScopingSession")
    StageState = apps.get_model("sessions_app", "StageState")
    batch = []
    for session_id, current_stage in ScopingSession.objects.values_list("id", "current_stage").iterator():
        have = set(StageState.objects.filter(session_id=session_id).values_list("stage", flat=True))
        for n in range(1, STAGE_COUNT + 1):
            if n not in have:
                status = "open" if n <= max(1, current_stage) else "locked"
                batch.append(StageState(session_id=session_id, stage=n, status=status))
        if len(batch) >= 1000:
            StageState.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    StageState.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0004_run_kind_consistency")]

    operations = [migrations.RunPython(add_missing_stage_states, migrations.RunPython.noop)]
