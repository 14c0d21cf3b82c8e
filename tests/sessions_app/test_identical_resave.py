"""A second save of the same answer (a double click, Enter on an unchanged field, a retried request) changes
nothing: no new row, no new attempt, no re-opened stage."""

from __future__ import annotations

import pytest

from sessions_app.models import Answer, AnswerStatus, StageRun, StageState, StageStatus
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_stage, store_answers

pytestmark = pytest.mark.django_db


def answers_url(session, stage: int) -> str:
    return f"/api/v1/sessions/{session.id}/stages/{stage}/answers"


def test_an_unchanged_typed_answer_of_a_completed_stage_keeps_it_completed(api, user):
    session = make_session(user, project_name="Berth allocation")
    store_answers(session, 1)
    complete_stage(session, 1)
    typed = Answer.objects.filter(session=session, stage=1).exclude(value__has_key="text").order_by("-id").first()
    assert typed is not None
    rows_before = Answer.objects.filter(session=session).count()

    response = api.post(
        answers_url(session, 1),
        {"question_id": typed.question_id, "answer": typed.value, "item": typed.item},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Answer.objects.filter(session=session).count() == rows_before
    assert StageState.objects.get(session=session, stage=1).status == StageStatus.COMPLETED


def test_a_double_submitted_free_text_answer_is_saved_and_checked_once(api, user):
    session = make_session(user, project_name="Berth allocation")
    text = "Vessels wait 9.5 hours on average for a berth at Terminal 2; each hour costs the line about $2,400."
    first = api.post(answers_url(session, 1), {"question_id": "S1Q1", "answer": text}, format="json")
    second = api.post(answers_url(session, 1), {"question_id": "S1Q1", "answer": text}, format="json")
    assert first.status_code == second.status_code == 202
    assert first.json()["run_id"] == second.json()["run_id"]
    assert Answer.objects.filter(session=session, question_id="S1Q1").count() == 1


def test_a_changed_answer_is_a_new_row(api, user):
    session = make_session(user, project_name="Berth allocation")
    api.post(answers_url(session, 1), {"question_id": "S1Q1", "answer": "Vessels wait too long."}, format="json")
    Answer.objects.filter(session=session).update(status=AnswerStatus.NEEDS_FOLLOWUP)
    StageRun.objects.filter(session=session).update(status="succeeded")  # the first check is done
    changed = api.post(
        answers_url(session, 1), {"question_id": "S1Q1", "answer": "Vessels wait 9.5 hours."}, format="json"
    )
    assert changed.status_code == 202
    assert Answer.objects.filter(session=session, question_id="S1Q1").count() == 2


def test_a_failed_check_is_run_again_on_an_identical_save(api, user):
    session = make_session(user, project_name="Berth allocation")
    text = "Vessels wait 9.5 hours on average for a berth at Terminal 2."
    api.post(answers_url(session, 1), {"question_id": "S1Q1", "answer": text}, format="json")
    Answer.objects.filter(session=session).update(status=AnswerStatus.CHECK_FAILED)
    StageRun.objects.filter(session=session).update(status="failed")
    again = api.post(answers_url(session, 1), {"question_id": "S1Q1", "answer": text}, format="json")
    assert again.status_code == 202
    assert Answer.objects.filter(session=session, question_id="S1Q1").count() == 2
