"""The session services and selectors, called directly."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from sessions_app.sessions.selectors import session_get, session_list
from sessions_app.sessions.services import session_create, session_delete, session_update

pytestmark = pytest.mark.django_db


def test_create_trims_and_defaults(user):
    session = session_create(owner=user, project_name="  Demand forecast ", description="  ")
    assert session.project_name == "Demand forecast" and session.description == ""
    assert session.status == "in_progress" and session.current_stage == 1
    assert session.progress_percent == 0 and session.stages_completed == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_create_rejects_bad_names(user, name):
    with pytest.raises(ValidationError) as info:
        session_create(owner=user, project_name=name)
    assert "project_name" in info.value.message_dict


def test_update_changes_only_given_fields(user):
    session = session_create(owner=user, project_name="A", description="keep")
    session_update(session=session, project_name="B")
    session.refresh_from_db()
    assert (session.project_name, session.description) == ("B", "keep")


def test_selectors_scope_by_owner(user, other_user):
    mine = session_create(owner=user, project_name="Mine")
    session_create(owner=other_user, project_name="Theirs")
    assert list(session_list(user=user)) == [mine]
    assert session_get(user=user, session_id=str(mine.id)) == mine
    with pytest.raises(Http404):
        session_get(user=other_user, session_id=mine.id)
    with pytest.raises(Http404):
        session_get(user=user, session_id="garbage")
    with pytest.raises(Http404):
        session_get(user=user, session_id=uuid.uuid4())


def test_progress_counts_stages_whose_gate_passed(user):
    from sessions_app.models import StageState

    session = session_create(owner=user, project_name="P")
    assert StageState.objects.filter(session=session).count() == 5  # created with the session
    StageState.objects.filter(session=session, stage__in=[1, 2]).update(status="completed")
    StageState.objects.filter(session=session, stage=3).update(status="stale")
    fetched = session_get(user=user, session_id=session.id)
    # A stage needing review (an earlier stage changed) still counts towards the progress; it is not "completed".
    assert fetched.stages_completed == 2 and fetched.stages_needing_review == 1 and fetched.progress_percent == 60
    # session_get reads the row through its own SQL: every field must come back as the ORM reads it.
    listed = session_list(user=user).get(pk=session.pk)
    for field in type(session)._meta.concrete_fields:
        assert getattr(fetched, field.attname) == getattr(listed, field.attname), field.name
    assert (fetched.completed_stage_count, fetched.review_stage_count) == (listed.completed_stage_count, 1)
    fetched.status = "completed"
    assert fetched.progress_percent == 100


def test_delete_removes_session(user):
    session = session_create(owner=user, project_name="Gone")
    session_delete(session=session)
    assert not session_list(user=user).exists()


def test_untouched_sessions_become_abandoned_and_answering_reopens_them(user, capsys):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from sessions_app.interview.services import answer_submit
    from sessions_app.models import ScopingSession

    old = session_create(owner=user, project_name="Old")
    fresh = session_create(owner=user, project_name="Fresh")
    ScopingSession.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))
    call_command("mark_abandoned_sessions", "--days", "30")
    assert "1 session(s)" in capsys.readouterr().out
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("abandoned", "in_progress")
    answer_submit(session=old, stage_number=1, question_id="S1Q5", answer="partly")
    old.refresh_from_db()
    assert old.status == "in_progress"
