"""Data migrations that existing sessions go through (run forwards against real rows)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sessions_app", "0005_stage_states_for_every_session")]
AFTER = [("sessions_app", "0006_stage_five_needs_review_for_new_questions")]


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    """Leave the database as every other test expects it: at the newest migration of every app, whatever that
    is by then (a later migration must not be left unapplied for the transactional tests that follow)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_stage_5_completed_before_the_new_questions_needs_review_and_its_charter_stays(user):
    apps = migrate_to(BEFORE)
    ScopingSession = apps.get_model("sessions_app", "ScopingSession")
    StageState = apps.get_model("sessions_app", "StageState")
    Charter = apps.get_model("sessions_app", "Charter")
    old = ScopingSession.objects.create(owner_id=user.pk, project_name="Old", current_stage=5, status="completed")
    new = ScopingSession.objects.create(owner_id=user.pk, project_name="New", current_stage=5, status="completed")
    for session, deliverable in ((old, {"principles": {}}), (new, {"principles": {}, "regulatory": {}})):
        for n in range(1, 6):
            StageState.objects.create(
                session_id=session.pk, stage=n, status="completed", deliverable=deliverable if n == 5 else {}
            )
    Charter.objects.create(session_id=old.pk, version=1, content={"v": 1}, markdown="# v1", decision="proceed")

    apps = migrate_to(AFTER)
    ScopingSession = apps.get_model("sessions_app", "ScopingSession")
    StageState = apps.get_model("sessions_app", "StageState")
    Charter = apps.get_model("sessions_app", "Charter")
    assert StageState.objects.get(session_id=old.pk, stage=5).status == "stale"
    assert StageState.objects.get(session_id=old.pk, stage=4).status == "completed"
    assert ScopingSession.objects.get(pk=old.pk).status == "in_progress"
    assert StageState.objects.get(session_id=new.pk, stage=5).status == "completed"  # already has the answers
    assert ScopingSession.objects.get(pk=new.pk).status == "completed"
    charter = Charter.objects.get(session_id=old.pk)
    assert (charter.content, charter.decision) == ({"v": 1}, "proceed")  # versions are immutable
