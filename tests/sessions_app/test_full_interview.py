"""A whole churn-prediction interview through the API with the offline provider: five stages, gates,
checkpoints, deliverables built from the user's own values; then editing, staleness and restore."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from sessions_app.models import Checkpoint, StageState
from tests.sessions_app.churn_answers import CHURN_ANSWERS_BY_STAGE
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db

UNAVAILABLE_FEATURE_CONCERN = "s1.feature_unavailable.outage-minutes-on-the-customer-s-line"


@pytest.fixture
def interview(api, user, run_tasks):
    session = make_session(user, project_name="Kestrel churn")
    base = f"/api/v1/sessions/{session.id}"

    class Interview:
        def answer(self, stage: int, question_id: str, raw, item: int = 0):
            response = run_tasks(
                api.post,
                f"{base}/stages/{stage}/answers",
                {"question_id": question_id, "answer": raw, "item": item},
                format="json",
            )
            assert response.status_code in (201, 202), (question_id, response.json())
            return response.json()

        def answer_stage(self, stage: int) -> None:
            for (question_id, item), raw in CHURN_ANSWERS_BY_STAGE[stage].items():
                body = self.answer(stage, question_id, raw, item)
                assert body["answer"]["status"] in ("accepted", "pending"), (question_id, body)

        def complete(self, stage: int):
            return api.post(f"{base}/stages/{stage}/complete")

        def get(self, path: str = ""):
            return api.get(f"{base}{path}").json()

    Interview.session = session
    with override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "answer_submit": "1000/m"}):
        yield Interview()


def test_complete_interview_through_the_api(interview, api):
    interview.answer_stage(1)
    blocked = interview.complete(1)
    assert blocked.status_code == 409
    gate = blocked.json()["gate"]
    assert gate["passed"] is False
    assert [c["key"] for c in gate["concerns"] if not c["acknowledged"]] == [UNAVAILABLE_FEATURE_CONCERN]

    ack = api.post(
        f"/api/v1/sessions/{interview.session.id}/stages/1/concerns/{UNAVAILABLE_FEATURE_CONCERN}/acknowledge",
        {"reason": "Outage minutes arrive a day late; we will use yesterday's figure."},
        format="json",
    )
    assert ack.status_code == 200
    done = interview.complete(1)
    assert done.status_code == 200, done.json()
    assert done.json()["current_stage"] == 2

    for stage in (2, 3, 4, 5):
        interview.answer_stage(stage)
        response = interview.complete(stage)
        assert response.status_code == 200, (stage, response.json())

    overview = interview.get("/stages")
    assert [s["status"] for s in overview["stages"]] == ["completed"] * 5
    assert Checkpoint.objects.filter(session=interview.session).count() == 5

    deliverables = {s.stage: s.deliverable for s in StageState.objects.filter(session=interview.session)}
    problem = deliverables[1]
    assert problem["ml_archetype"] == "classification"
    assert any("contract end date" in f["name"].lower() for f in problem["input_features"])
    kpis = deliverables[2]["business_kpis"]
    assert len(kpis) == 2 and kpis[0]["baseline"]["value"] == pytest.approx(2.3)
    assert deliverables[3]["overall_feasibility"] == "high"
    assert len(deliverables[4]["personas"]) == 2
    report = deliverables[5]
    # fairness is critical before mitigation and the ethics review was informal: the committee decides
    decision = report["governance_decision"]
    assert decision["decision"] == "submit_to_committee" and decision["requires_committee_review"] is True
    assert {rule["rule"] for rule in decision["rules_fired"] if rule["decisive"]} == {
        "inherent_critical",
        "no_formal_review",
    }
    assert decision["eu_ai_act_tier"] == report["regulatory"]["tier"]["tier"] == "minimal"
    assert report["principles"]["fairness"]["residual_risk"]["band"] == "high"


def test_stage_order_and_editing_reopens_and_marks_later_stages_stale(interview, api):
    for stage in (1, 2):
        interview.answer_stage(stage)
        if stage == 1:
            api.post(
                f"/api/v1/sessions/{interview.session.id}/stages/1/concerns/{UNAVAILABLE_FEATURE_CONCERN}/acknowledge",
                {"reason": "Yesterday's outage figure is good enough for a weekly list."},
                format="json",
            )
        assert interview.complete(stage).status_code == 200
    assert interview.get()["current_stage"] == 3

    interview.answer(1, "S1Q12", ["Business customers", "Prepaid mobile"])
    states = {s["stage"]: s["status"] for s in interview.get("/stages")["stages"]}
    assert states[1] == "open" and states[2] == "stale"
    assert interview.get()["current_stage"] == 1
    # Stage 3 was reached before the edit: it stays open for answers. Stage 4 was never reached: still closed.
    interview.answer(3, "S3Q2", "About 40 GB across the three sources, refreshed nightly at 02:00.")
    too_far = api.post(
        f"/api/v1/sessions/{interview.session.id}/stages/4/answers",
        {"question_id": "S4Q1", "answer": "Retention agents"},
        format="json",
    )
    assert too_far.status_code == 409 and too_far.json()["code"] == "stage_out_of_order"

    assert interview.complete(1).status_code == 200
    assert interview.get()["current_stage"] == 2  # the stale stage needs its gate again
    assert interview.complete(2).status_code == 200
    assert interview.get()["current_stage"] == 3


def test_checkpoint_restore_brings_answers_back(interview, api):
    interview.answer_stage(1)
    api.post(
        f"/api/v1/sessions/{interview.session.id}/stages/1/concerns/{UNAVAILABLE_FEATURE_CONCERN}/acknowledge",
        {"reason": "Yesterday's outage figure is good enough for a weekly list."},
        format="json",
    )
    checkpoint_id = interview.complete(1).json()["checkpoint"]["checkpoint_id"]
    interview.answer(1, "S1Q11", "regression")
    s1q11 = next(q for g in interview.get("/stages/1")["groups"] for q in g["questions"] if q["question_id"] == "S1Q11")
    assert s1q11["answers"][0]["value"]["value"] == "regression"

    restored = api.post(f"/api/v1/sessions/{interview.session.id}/checkpoints/{checkpoint_id}/restore")
    assert restored.status_code == 200
    s1q11 = next(q for g in interview.get("/stages/1")["groups"] for q in g["questions"] if q["question_id"] == "S1Q11")
    assert s1q11["answers"][0]["value"]["value"] == "classification"
    assert restored.json()["current_stage"] == 2
    listed = interview.get("/checkpoints")["results"]
    assert [c["checkpoint_id"] for c in listed] == [checkpoint_id]


def test_acknowledging_needs_a_reason_and_a_real_concern(interview, api):
    interview.answer_stage(1)
    url = f"/api/v1/sessions/{interview.session.id}/stages/1/concerns"
    assert (
        api.post(f"{url}/{UNAVAILABLE_FEATURE_CONCERN}/acknowledge", {"reason": "ok"}, format="json").status_code == 400
    )
    assert (
        api.post(
            f"{url}/no-such-concern/acknowledge", {"reason": "A perfectly fine reason here."}, format="json"
        ).status_code
        == 400
    )


def test_cannot_complete_or_restore_other_users_stages(interview, other_api):
    base = f"/api/v1/sessions/{interview.session.id}"
    assert other_api.post(f"{base}/stages/1/complete").status_code == 404
    assert (
        other_api.post(
            f"{base}/stages/1/concerns/x/acknowledge", {"reason": "long enough reason"}, format="json"
        ).status_code
        == 404
    )
    assert other_api.post(f"{base}/checkpoints/00000000-0000-0000-0000-000000000000/restore").status_code == 404
