"""Stage 5 gained the mitigation-status and EU AI Act questions: a stage 5 completed before them needs review
(the gate lists the new questions), and its session is in progress again. Charter versions are not touched."""

from django.db import migrations


def mark_stage_five_for_review(apps, schema_editor):
    StageState = apps.get_model("sessions_app", "StageState")
    ScopingSession = apps.get_model("sessions_app", "ScopingSession")
    outdated = [
        state.pk
        for state in StageState.objects.filter(stage=5, status="completed").only("pk", "deliverable")
        if "regulatory" not in (state.deliverable or {})
    ]
    sessions = StageState.objects.filter(pk__in=outdated).values_list("session_id", flat=True)
    ScopingSession.objects.filter(pk__in=list(sessions), status="completed").update(
        status="in_progress", completed_at=None
    )
    StageState.objects.filter(pk__in=outdated).update(status="stale")


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0005_stage_states_for_every_session")]

    operations = [migrations.RunPython(mark_stage_five_for_review, migrations.RunPython.noop)]
