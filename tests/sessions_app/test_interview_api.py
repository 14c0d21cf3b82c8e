"""The interview through the API: answers saved at once, checked in the background, stages in order."""

from __future__ import annotations

import pytest

from sessions_app.models import Answer, AnswerStatus, RunStatus, StageRun
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db

VAGUE = "Improve efficiency"
STRONG = (
    "About 2.1% of our 180,000 broadband subscribers cancel each month, roughly 45,000 a year; each costs "
    "about €540 of margin over the next 12 months, and the retention team only learns of it on the "
    "cancellation call, too late for most offers to work."
)


def answers_url(session, stage: int = 1) -> str:
    return f"/api/v1/sessions/{session.id}/stages/{stage}/answers"


@pytest.fixture
def session(user):
    return make_session(user, project_name="Churn")


def test_vague_text_answer_is_saved_then_gets_followups(api, session, run_tasks):
    response = run_tasks(api.post, answers_url(session), {"question_id": "S1Q1", "answer": VAGUE}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    run = StageRun.objects.get(pk=body["run_id"])
    assert run.status == RunStatus.SUCCEEDED and run.provider == "offline"
    answer = Answer.objects.get(pk=body["answer"]["answer_id"])
    assert answer.value["value"] == VAGUE
    assert answer.status == AnswerStatus.NEEDS_FOLLOWUP
    assert answer.quality_score < 7
    assert 1 <= len(answer.quality["followup_questions"]) <= 3
    assert answer.quality["offline"] is True
    polled = api.get(f"/api/v1/runs/{run.pk}").json()
    assert polled["status"] == "succeeded" and polled["result"]["status"] == "needs_followup"


def test_specific_answer_is_accepted(api, session, run_tasks):
    body = run_tasks(api.post, answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, format="json").json()
    answer = Answer.objects.get(pk=body["answer"]["answer_id"])
    assert answer.status == AnswerStatus.ACCEPTED and answer.quality_score >= 7


def test_third_vague_attempt_is_escalated(api, session, run_tasks):
    for attempt in range(1, 4):
        body = run_tasks(
            api.post, answers_url(session), {"question_id": "S1Q1", "answer": f"{VAGUE} {attempt}"}, format="json"
        ).json()
        assert body["answer"]["attempt"] == attempt
    current = Answer.objects.filter(question_id="S1Q1").order_by("-created_at", "-id").first()
    assert current.status == AnswerStatus.ESCALATED
    detail = api.get(f"/api/v1/sessions/{session.id}/stages/1").json()
    s1q1 = next(q for g in detail["groups"] for q in g["questions"] if q["question_id"] == "S1Q1")
    assert s1q1["answers"][0]["status"] == "escalated"


def test_typed_answer_is_validated_not_scored(api, session):
    response = api.post(answers_url(session), {"question_id": "S1Q5", "answer": "partly"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["answer"]["status"] == "accepted"
    assert not StageRun.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question_id": "S9Q9", "answer": "x"}, "question_id"),
        ({"question_id": "S2Q1", "answer": "x"}, "question_id"),
        ({"question_id": "S1Q5", "answer": "perhaps"}, "answer"),
        ({"question_id": "S1Q1", "answer": ""}, "answer"),
        ({"question_id": "S1Q1", "answer": "x" * 10_001}, "answer"),
        ({"question_id": "S1Q1"}, "answer"),
    ],
)
def test_bad_answers_are_400_with_field_errors(api, session, payload, field):
    response = api.post(answers_url(session), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Answer.objects.exists()


def test_later_stage_is_409_until_earlier_completes(api, session):
    response = api.post(answers_url(session, 2), {"question_id": "S2Q1", "answer": "Monthly churn rate"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stage_out_of_order"


def test_unknown_stage_is_404(api, session):
    assert api.get(f"/api/v1/sessions/{session.id}/stages/6").status_code == 404


def test_one_active_run_per_user(api, session):
    """Without a worker the first check stays queued; a second submission is refused with 429."""
    first = api.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, format="json")
    assert first.status_code == 202
    second = api.post(answers_url(session), {"question_id": "S1Q2", "answer": STRONG}, format="json")
    assert second.status_code == 429
    assert int(second["Retry-After"]) >= 1
    assert second.json()["active_run_id"] == first.json()["run_id"]
    assert Answer.objects.count() == 1


def test_cancel_and_retry_a_run(api, session):
    run_id = api.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, format="json").json()["run_id"]
    cancelled = api.post(f"/api/v1/runs/{run_id}/cancel").json()
    assert cancelled["status"] == "cancelled"
    retried = api.post(f"/api/v1/runs/{run_id}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    assert api.post(f"/api/v1/runs/{retried.json()['run_id']}/retry").status_code == 409


def test_stage_overview(api, session):
    body = api.get(f"/api/v1/sessions/{session.id}/stages").json()
    assert [s["stage"] for s in body["stages"]] == [1, 2, 3, 4, 5]
    assert body["stages"][0]["status"] == "open" and body["stages"][1]["status"] == "locked"
    assert body["stages"][0]["required_questions"] > 0


def test_cannot_submit_answer_to_other_users_session(other_api, session):
    response = other_api.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, format="json")
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_cannot_read_other_users_stages_or_runs(api, other_api, session):
    run_id = api.post(answers_url(session), {"question_id": "S1Q1", "answer": STRONG}, format="json").json()["run_id"]
    assert other_api.get(f"/api/v1/sessions/{session.id}/stages").status_code == 404
    assert other_api.get(f"/api/v1/sessions/{session.id}/stages/1").status_code == 404
    assert other_api.get(f"/api/v1/runs/{run_id}").status_code == 404
    assert other_api.post(f"/api/v1/runs/{run_id}/cancel").status_code == 404
    assert other_api.get(f"/api/v1/sessions/{session.id}/checkpoints").status_code == 404
