"""Three projects of different risk, each interviewed through the API from the first answer to the charter: the
decision, the EU AI Act tier and the committee flag the charter records (DOMAIN.md "Governance decision")."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from tests.sessions_app.churn_answers import CHURN_ANSWERS_BY_STAGE
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db

LOW_RISK = {
    ("S5Q1", 0): "formal",
    **{(q, 0): "medium" for q in ("S5Q5", "S5Q6", "S5Q10", "S5Q11")},  # every principle medium before mitigation
    **{(q, 0): "verified" for q in ("S5Q35", "S5Q36", "S5Q37", "S5Q38", "S5Q39")},
    ("S5Q29", 0): "yes",
}
PROJECTS: dict[str, dict[str, Any]] = {
    # A retention tool with modest, verified mitigations and no regulated use: minimal tier, go ahead.
    "minimal": {
        "answers": {**LOW_RISK, ("S5Q44", 0): "no"},
        "decision": "proceed",
        "tier": "minimal",
        "committee": False,
    },
    # The same model used to rank job applicants: Annex III employment, profiling, no exemption.
    "high_risk_annex_iii": {
        "answers": {**LOW_RISK, ("S5Q42", 0): "employment", ("S5Q43", 0): "none", ("S5Q44", 0): "yes"},
        "decision": "submit_to_committee",
        "tier": "high",
        "committee": True,
    },
    # Scoring citizens' social behaviour to decide on public benefits: a prohibited practice.
    "prohibited": {
        "answers": {**LOW_RISK, ("S5Q40", 0): "social_scoring"},
        "decision": "halt",
        "tier": "prohibited",
        "committee": True,
    },
}


@pytest.fixture
def interview_to_charter(api, user, run_tasks):
    def run(project: str, overrides: dict[tuple[str, int], Any]) -> dict[str, Any]:
        session = make_session(user, project_name=project)
        base = f"/api/v1/sessions/{session.id}"
        for stage in range(1, 6):
            answers = {**CHURN_ANSWERS_BY_STAGE[stage], **{k: v for k, v in overrides.items() if k[0][1] == str(stage)}}
            for (question_id, item), raw in answers.items():
                body = {"question_id": question_id, "answer": raw, "item": item}
                response = run_tasks(api.post, f"{base}/stages/{stage}/answers", body, format="json")
                assert response.status_code in (201, 202), (question_id, response.json())
            gate = api.post(f"{base}/stages/{stage}/complete")
            if gate.status_code == 409:
                for concern in gate.json()["gate"]["concerns"]:
                    reason = {"reason": "Accepted by the team for this pilot."}
                    path = f"{base}/stages/{stage}/concerns/{concern['key']}/acknowledge"
                    assert api.post(path, reason, format="json").status_code == 200
                gate = api.post(f"{base}/stages/{stage}/complete")
            assert gate.status_code == 200, (stage, gate.json())
        preview = api.get(f"{base}/stages/5").json()["deliverable"]["governance_decision"]
        generated = run_tasks(api.post, f"{base}/charter")
        assert generated.status_code == 202, generated.json()
        charter = api.get(f"{base}/charter").json()
        return {"charter": charter, "preview": preview}

    with override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "answer_submit": "1000/m"}):
        yield run


@pytest.mark.parametrize("project", list(PROJECTS))
def test_project_reaches_its_decision_tier_and_committee_flag(interview_to_charter, project):
    expected = PROJECTS[project]
    result = interview_to_charter(project, expected["answers"])
    charter = result["charter"]
    decision = charter["content"]["decision"]
    assert charter["decision"] == decision["decision"] == expected["decision"]
    assert decision["eu_ai_act_tier"] == expected["tier"]
    assert decision["requires_committee_review"] is expected["committee"]
    assert decision["eu_ai_act_obligations"], "the tier's obligations are listed"
    assert set(decision["floors"]) == {rule["rule"] for rule in decision["rules_fired"]}
    assert set(decision["inherent_bands"]) == set(decision["credited_effectiveness"]) == set(decision["residual_bands"])
    # the stage-5 preview said the same before the charter was generated (no consistency finding changes it here)
    assert result["preview"]["decision"] == expected["decision"]
