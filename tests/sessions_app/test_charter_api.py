"""The charter through the API: generation as a run, versions, downloads, approval, usage, ownership."""

from __future__ import annotations

import pytest

from sessions_app.models import Charter, RunStatus, StageRun, StageState
from tests.fakes import anthropic as fa
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from tests.sessions_app.test_charter_content import SCENARIOS

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "Executive summary",
    "Strategic alignment",
    "Problem definition",
    "Technical feasibility",
    "User context",
    "Metric alignment",
    "Ethical review",
    "Operational strategy",
    "Open issues",
    "Appendix",
]


@pytest.fixture
def generate(api, run_tasks):
    def run(session):
        response = run_tasks(api.post, f"/api/v1/sessions/{session.id}/charter")
        assert response.status_code == 202, response.json()
        return StageRun.objects.get(pk=response.json()["run_id"])

    return run


@pytest.fixture
def finished(user):
    session = make_session(user, project_name="Kestrel churn")
    complete_interview(session)
    return session


def test_charter_needs_every_stage(api, user):
    session = make_session(user)
    response = api.post(f"/api/v1/sessions/{session.id}/charter")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stages_incomplete" and [m["stage"] for m in body["missing"]] == [1, 2, 3, 4, 5]
    assert api.get(f"/api/v1/sessions/{session.id}/charter").status_code == 404


def test_generate_download_edit_and_regenerate(api, finished, generate):
    run = generate(finished)
    assert run.status == RunStatus.SUCCEEDED, run.error
    finished.refresh_from_db()
    assert finished.status == "completed" and finished.progress_percent == 100

    v1 = api.get(f"/api/v1/sessions/{finished.id}/charter").json()
    assert v1["version"] == 1 and v1["decision"] == "submit_to_committee" and v1["offline"] is True
    assert v1["changed_since"] == []

    markdown = api.get(f"/api/v1/sessions/{finished.id}/charter.md")
    assert markdown.status_code == 200
    assert 'filename="kestrel-churn-charter-v1.md"' in markdown["Content-Disposition"]
    text = markdown.content.decode()
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    assert "2.3" in text and "1.9" in text  # the user's KPI baseline and target

    pdf = api.get(f"/api/v1/sessions/{finished.id}/charter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    as_json = api.get(f"/api/v1/sessions/{finished.id}/charter.json").json()
    assert as_json["schema_version"] and as_json["version"] == 1

    # Editing an answer re-opens the session; a new version differs, v1 stays as it was.
    api.post(f"/api/v1/sessions/{finished.id}/stages/5/answers", {"question_id": "S5Q8", "answer": "0%"}, format="json")
    finished.refresh_from_db()
    assert finished.status == "in_progress"
    assert api.get(f"/api/v1/sessions/{finished.id}/charter").json()["changed_since"] == ["S5Q8#0"]
    assert api.post(f"/api/v1/sessions/{finished.id}/stages/5/complete").status_code == 200
    assert generate(finished).status == RunStatus.SUCCEEDED

    versions = api.get(f"/api/v1/sessions/{finished.id}/charter/versions").json()["results"]
    assert [v["version"] for v in versions] == [2, 1]
    v2 = api.get(f"/api/v1/sessions/{finished.id}/charter").json()
    assert v2["decision"] == "halt"  # no mitigation credit: fairness 9 stays critical
    again_v1 = api.get(f"/api/v1/sessions/{finished.id}/charter", {"version": 1}).json()
    assert again_v1["content"] == v1["content"] and again_v1["decision"] == "submit_to_committee"
    assert "v1.md" in api.get(f"/api/v1/sessions/{finished.id}/charter.md", {"version": 1})["Content-Disposition"]


@pytest.mark.parametrize("decision", list(SCENARIOS))
def test_decision_scenarios(api, user, generate, decision):
    session = make_session(user, project_name=f"Scenario {decision}")
    complete_interview(session, SCENARIOS[decision])
    assert generate(session).status == RunStatus.SUCCEEDED
    charter = api.get(f"/api/v1/sessions/{session.id}/charter").json()
    assert charter["decision"] == decision
    box = charter["content"]["decision"]
    assert box["decision"] == decision
    assert box["requires_committee_review"] is (decision in ("halt", "submit_to_committee"))


def test_claude_writes_the_narrative_and_an_outage_keeps_earlier_versions(
    api, finished, generate, anthropic_on, llm_settings
):
    narrative = {
        "executive_summary": "Kestrel will call likely leavers first.",
        "critical_success_factors": ["Retention team capacity"],
        "major_risks": ["Label delay"],
        "decision_rationale": "Fairness is a medium risk, so monitoring is required.",
    }
    anthropic_on.queue(fa.json_message({"findings": []}), fa.json_message(narrative))
    assert generate(finished).status == RunStatus.SUCCEEDED
    v1 = api.get(f"/api/v1/sessions/{finished.id}/charter").json()
    assert v1["provider"] == "anthropic" and v1["offline"] is False
    assert (
        "Kestrel will call likely leavers first."
        in api.get(f"/api/v1/sessions/{finished.id}/charter.md").content.decode()
    )

    llm_settings.LLM_OFFLINE_ENABLED = False
    llm_settings.LLM_PROVIDERS = ["anthropic"]
    anthropic_on.queue(*[fa.server_error() for _ in range(8)])
    failed = generate(finished)
    assert failed.status == RunStatus.FAILED and "Retry" in failed.error
    assert [v["version"] for v in api.get(f"/api/v1/sessions/{finished.id}/charter/versions").json()["results"]] == [1]

    anthropic_on.queue(fa.json_message({"findings": []}), fa.json_message(narrative))
    retried = api.post(f"/api/v1/runs/{failed.pk}/retry")
    assert retried.status_code == 202


def test_usage_by_stage_purpose_and_provider(api, finished, generate, anthropic_on):
    anthropic_on.queue(
        fa.json_message({"findings": []}, input_tokens=1000, output_tokens=200),
        fa.json_message({"executive_summary": "Summary."}, input_tokens=2000, output_tokens=500),
    )
    generate(finished)
    usage = api.get(f"/api/v1/sessions/{finished.id}/usage").json()
    assert usage["totals"]["input_tokens"] == 3000 and usage["totals"]["output_tokens"] == 700
    assert set(usage["by_purpose"]) == {"consistency", "charter"}
    assert usage["by_provider"]["anthropic"]["calls"] == 2


def test_cannot_read_other_users_charter_versions_downloads_or_usage(api, other_api, finished, generate):
    generate(finished)
    base = f"/api/v1/sessions/{finished.id}"
    for path in (
        "/charter",
        "/charter/versions",
        "/charter.md",
        "/charter.json",
        "/charter.pdf",
        "/usage",
        "/consistency",
    ):
        assert other_api.get(base + path).status_code == 404, path
    assert other_api.post(f"{base}/charter").status_code == 404
    assert (
        other_api.post(f"{base}/charter/signoffs", {"comment": "Looks fine to me."}, format="json").status_code == 404
    )


def test_critical_finding_blocks_generation_until_acknowledged(api, finished, generate, monkeypatch):
    from sessions_app.charter import consistency

    critical = consistency.Finding(
        key="rules.test.critical",
        check="test",
        stages=(1, 3),
        severity="critical",
        description="Stage 1 needs data that stage 3 does not have.",
        recommendation="Add the source.",
    )
    real_rules = consistency.rule_findings
    monkeypatch.setattr(consistency, "rule_findings", lambda d: [critical, *real_rules(d)])

    blocked = generate(finished)
    assert blocked.status == RunStatus.FAILED and "critical" in blocked.error
    review = api.get(f"/api/v1/sessions/{finished.id}/consistency").json()
    assert [(f["key"], f["acknowledged"]) for f in review["findings"]] == [("rules.test.critical", False)]
    assert not Charter.objects.filter(session=finished).exists()

    ack = api.post(
        f"/api/v1/sessions/{finished.id}/consistency/rules.test.critical/acknowledge",
        {"reason": "The source arrives next quarter; tracked in the risk log."},
        format="json",
    )
    assert ack.status_code == 200
    assert generate(finished).status == RunStatus.SUCCEEDED
    markdown = api.get(f"/api/v1/sessions/{finished.id}/charter.md").content.decode()
    assert "Stage 1 needs data that stage 3 does not have." in markdown
    assert "The source arrives next quarter" in markdown


def test_consistency_can_be_checked_before_generating(api, user, finished, run_tasks):
    unfinished = make_session(user)
    assert api.post(f"/api/v1/sessions/{unfinished.id}/consistency").status_code == 409
    response = run_tasks(api.post, f"/api/v1/sessions/{finished.id}/consistency")
    assert response.status_code == 202
    run = StageRun.objects.get(pk=response.json()["run_id"])
    assert run.status == RunStatus.SUCCEEDED and run.result == {"findings": 0, "critical": 0}
    review = api.get(f"/api/v1/sessions/{finished.id}/consistency").json()
    assert review["checked_at"] is not None and review["findings"] == []
    assert not Charter.objects.filter(session=finished).exists()


def test_explainability_is_high_in_the_charter_once_stage_5_classes_the_system_high_risk(api, user, generate):
    """Stage 4's gate stored 'medium' (churn's stakes touch no high-stakes area) before stage 5 existed; an Annex III
    area named in stage 5 makes it high-risk, and the charter takes the level again."""
    session = make_session(user, project_name="Kestrel admissions")
    complete_interview(session, {("S5Q42", 0): "education", ("S5Q43", 0): "none"})
    stored = StageState.objects.get(session=session, stage=4).deliverable["explainability"]
    assert stored["level"] == "medium"
    assert generate(session).status == RunStatus.SUCCEEDED
    explainability = api.get(f"/api/v1/sessions/{session.id}/charter").json()["content"]["sections"]["user_context"][
        "explainability"
    ]
    assert explainability["level"] == "high"
    assert explainability["level_reasons"][0] == "the EU AI Act classes the system as high-risk"
