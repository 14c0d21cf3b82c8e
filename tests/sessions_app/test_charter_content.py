"""The charter's structured content: every section, the user's values, nothing dropped, and the governance decision
box for the five decision scenarios (variations of the churn project)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from llm.gateway import complete
from llm.schemas import CharterNarrative
from llm.types import Purpose, Tier
from sessions_app.charter.consistency import rule_findings
from sessions_app.charter.content import (
    ADVISORY_STATEMENT,
    CHARTER_SCHEMA_VERSION,
    COMMITTEE_STATEMENT,
    SECTIONS,
    answer_text,
    build_charter_content,
    narrative_request,
)
from sessions_app.charter.deliverables import deliverables_from_answers
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.question_bank import question
from tests.sessions_app.churn_answers import CHURN_ANSWERS, churn_answer_values

Key = tuple[str, int]
PROJECT = "Kestrel Fibre churn"

# --- Scenario answer sets: the churn project with the stage 3/5 answers that drive each decision --------------
# Inherent = severity × likelihood (low 1 … critical 4); the mitigation earns min(stated, cap of its status:
# planned 25 %, implemented 50 %, verified 80 %); residual = inherent × (1 − credited), never more than one band
# below the inherent band. Bands ≥ 8 critical, ≥ 6 high, ≥ 4 medium. The churn fixture as it is: fairness high ×
# high = 9 (critical before mitigation) behind an informal ethics review → submit to committee.
FORMAL = {("S5Q1", 0): "formal"}
FAIRNESS_HIGH_INHERENT = {("S5Q5", 0): "medium", ("S5Q6", 0): "high"}  # 6: high → residual at least medium
SCENARIOS: dict[str, dict[Key, Any]] = {
    # fairness critical × critical with 0 % effectiveness = 16 → residual critical
    "halt": {("S5Q5", 0): "critical", ("S5Q6", 0): "critical", ("S5Q8", 0): "0%"},
    "submit_to_committee": {},
    # formal review, nothing high after mitigation, but every quality dimension 4/10 → data feasibility low
    "revise": {
        **FORMAL,
        **FAIRNESS_HIGH_INHERENT,
        **{(f"S3Q{n}", 0): {"value": 4, "note": f"Scored 4 for dimension {n}."} for n in range(5, 11)},
    },
    # formal review; fairness and privacy high before mitigation stay medium after it
    "proceed_with_monitoring": {**FORMAL, **FAIRNESS_HIGH_INHERENT},
    # every principle medium (4) or less before mitigation, low after it
    "proceed": {("S5Q5", 0): "medium", ("S5Q6", 0): "medium", ("S5Q10", 0): "medium", ("S5Q11", 0): "medium"},
}
DECISIVE_RULES = {
    "halt": {"residual_critical"},
    "submit_to_committee": {"inherent_critical", "no_formal_review"},
    "revise": {"data_feasibility_low"},
    "proceed_with_monitoring": {"residual_medium"},
    "proceed": {"no_rule_applies"},
}


def scenario_values(overrides: dict[Key, Any] | None = None) -> dict[Key, dict[str, Any]]:
    values = churn_answer_values()
    for key, raw in (overrides or {}).items():
        values[key] = validate_answer(key[0], raw).to_json()
    return values


def charter(overrides: dict[Key, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    values = scenario_values(overrides)
    deliverables = deliverables_from_answers(AnswerSet.from_values(values))
    arguments: dict[str, Any] = {
        "project_name": PROJECT,
        "deliverables": deliverables,
        "answers": values,
        "version": 1,
        "generated_at": "2025-07-01T10:00:00+00:00",
        **kwargs,
    }
    return build_charter_content(**arguments)


@pytest.fixture(scope="module")
def churn_charter() -> dict[str, Any]:
    return charter()


def body_text(content: dict[str, Any]) -> str:
    """Every section except the appendix, as one lower-case JSON string."""
    body = {key: value for key, value in content["sections"].items() if key != "appendix"}
    return json.dumps(body, ensure_ascii=False).lower()


def fragments(value: Any) -> Iterator[str]:
    """The pieces of a stored answer the charter must carry: each list item, each number, each note and detail,
    and each text split at the separators the builders parse ('name — source', 'name | kind | location',
    'source: features', sentences)."""
    if isinstance(value, dict) and "value" in value:
        for extra in ("note", "detail"):
            if value.get(extra):
                yield from fragments(value[extra])
        if value.get("unit") and isinstance(value["value"], int | float):
            yield from fragments(value["value"])
            return
        value = value["value"]
    if isinstance(value, list):
        for item in value:
            yield from fragments(item)
    elif isinstance(value, dict):
        for name, number in value.items():
            yield name
            yield from fragments(number)
    elif isinstance(value, float | int):
        yield str(int(value)) if float(value).is_integer() else str(value)
    elif isinstance(value, str):
        for piece in re.split(r"\s*\n\s*|\s+[—|]\s+|\s*\|\s*|:\s+|,\s+|(?<=[.;])\s+", value):
            piece = piece.strip().rstrip(".;").strip()
            if len(piece) > 2:
                yield piece


# --- Every section, the user's values, nothing dropped ---------------------------------------------------------


def test_every_section_is_present_in_order_with_its_heading(churn_charter):
    assert churn_charter["schema_version"] == CHARTER_SCHEMA_VERSION
    assert churn_charter["section_order"] == [key for key, _ in SECTIONS]
    for key, title in SECTIONS:
        assert churn_charter["sections"][key]["title"] == title
    json.dumps(churn_charter)  # JSON-serialisable as it is, no default= needed


def test_every_answered_value_appears_in_the_charter_body(churn_charter):
    body = body_text(churn_charter)
    missing = [
        (key, piece)
        for key, stored in churn_answer_values().items()
        for piece in fragments(stored)
        if piece.lower() not in body
    ]
    assert missing == []


def test_the_appendix_holds_every_question_and_its_final_answer(churn_charter):
    rows = {
        (row["question_id"], row["item"]): row
        for stage in churn_charter["sections"]["appendix"]["stages"]
        for row in stage["answers"]
    }
    assert set(rows) == set(CHURN_ANSWERS)
    values = churn_answer_values()
    for key, row in rows.items():
        assert row["answer"] == answer_text(values[key], question(key[0]))
        assert row["question"]  # the bank's question text
    assert rows[("S3Q13", 0)]["answer"] == "9,000 EUR"
    assert rows[("S3Q12", 0)]["answer"] == "In-house team"  # a choice by its label, not its value "in_house"
    assert rows[("S3Q5", 0)]["answer"] == "8 — Billing reconciles with finance to the cent; usage is metered."


def test_sections_carry_the_users_tables(churn_charter):
    s = churn_charter["sections"]
    kpis = s["strategic_alignment"]["kpis"]
    assert [(k["baseline_text"], k["target_text"], k["timeframe_text"]) for k in kpis] == [
        ("2.3 %", "1.9 %", "2 quarters"),
        ("31 %", "40 %", "3 months"),
    ]
    assert next(f["name"] for f in s["problem_definition"]["features"]) == "monthly data usage over the last 6 months"
    assert s["problem_definition"]["scope"]["out_of_scope"][0].startswith("business customers")
    assert [r["score"] for r in s["technical_feasibility"]["quality_scores"]] == [8, 6, 7, 7, 8, 7]
    assert s["technical_feasibility"]["fair"]["reusable"] == "full"
    assert s["technical_feasibility"]["labeling"]["cost_text"] == "9,000 EUR"
    assert s["metric_alignment"]["actionability_window"]["margin_text"] == "13 days"
    assert s["metric_alignment"]["validation_plan"]["method"] == "ab_test"
    assert s["operational_strategy"]["audit_frequency"] == "quarterly"
    assert len(s["operational_strategy"]["escalation_triggers"]) == 3
    assert s["user_context"]["journey"]["touchpoints"][0] == "opening the weekly call list in the CRM"
    fairness = s["ethical_review"]["principles"][0]
    assert (fairness["principle"], fairness["residual_risk"]["score"], fairness["residual_risk"]["band"]) == (
        "fairness",
        4.5,  # 9 × (1 − 50 %): the stated 55 % is capped at 50 % for an implemented mitigation
        "high",  # 4.5 alone is medium, but a residual is never more than one band below its inherent critical
    )
    assert fairness["mitigation_status"] == "implemented" and fairness["residual_risk"]["band_floored"] is True
    assert s["approval"] == {"title": "Approval", "approver_name": "", "approved_at": "", "comment": ""}


# --- Open issues ---------------------------------------------------------------------------------------------


def test_open_issues_list_escalated_answers_acknowledged_concerns_and_findings():
    overrides = {("S4Q5", 1): "monthly"}
    values = scenario_values(overrides)
    findings = rule_findings(deliverables_from_answers(AnswerSet.from_values(values)))
    acknowledged = [
        {
            "stage": 1,
            "key": "s1.feature_unavailable.outage-minutes-on-the-customer-s-line",
            "message": "'outage minutes on the customer's line' will not be available",
            "reason": "We score with last month's outage figure and accept the lag.",
        },
        {
            "stage": 0,
            "key": "rules.personas_within_window.persona1",
            "message": "Priya looks weekly",
            "reason": "The team lead only sets the cut-off; agents act daily.",
        },
    ]
    content = charter(overrides, escalated=["S1Q2#0"], acknowledged_concerns=acknowledged, findings=findings)
    issues = content["sections"]["open_issues"]
    assert issues["escalated_answers"] == [
        {
            "question_id": "S1Q2",
            "item": 0,
            "question": "Why does this need to be solved now?",
            "answer": CHURN_ANSWERS[("S1Q2", 0)],
        }
    ]
    # The gate's concern is listed with its stage; the accepted finding only with the findings (never as "stage 0").
    assert [(c["stage"], c["reason"][:24]) for c in issues["acknowledged_concerns"]] == [
        (1, "We score with last month")
    ]
    [finding] = issues["consistency_findings"]
    assert finding["check"] == "personas_within_window" and finding["acknowledged"] is True
    assert finding["acknowledgement_reason"] == "The team lead only sets the cut-off; agents act daily."


def test_answers_marked_escalated_in_the_answer_set_are_open_issues():
    values = scenario_values()
    answers = AnswerSet.from_values(values)
    escalated = AnswerSet(
        {
            key: (a if key != ("S4Q7", 1) else type(a)(a.question_id, a.item, a.value, "escalated"))
            for key, a in answers.answers.items()
        }
    )
    content = build_charter_content(
        project_name=PROJECT,
        deliverables=deliverables_from_answers(answers),
        answers=escalated,
        version=2,
        generated_at=None,
    )
    assert [(e["question_id"], e["item"]) for e in content["sections"]["open_issues"]["escalated_answers"]] == [
        ("S4Q7", 1)
    ]


# --- The governance decision box: five scenarios -------------------------------------------------------------


@pytest.mark.parametrize("decision", list(SCENARIOS))
def test_scenario_decision_box_and_reasoning_match(decision):
    content = charter(SCENARIOS[decision])
    box = content["sections"]["ethical_review"]["decision_box"]
    assert box["decision"] == decision == content["decision"]["decision"]
    assert content["sections"]["executive_summary"]["decision"] == decision
    assert box["advisory"] is True and box["advisory_statement"] == ADVISORY_STATEMENT
    committee = decision in ("halt", "submit_to_committee")
    assert box["requires_committee_review"] is committee
    assert (box["committee_statement"] == COMMITTEE_STATEMENT) is committee
    assert (COMMITTEE_STATEMENT in box["conditions"]) is committee
    decisive = {rule["rule"] for rule in box["rules_fired"] if rule["decisive"]}
    assert decisive == DECISIVE_RULES[decision]
    assert box["floors"] == {rule["rule"]: rule["outcome"] for rule in box["rules_fired"]}
    assert all(rule["outcome"] == decision for rule in box["rules_fired"] if rule["decisive"])
    # plain words for people: every reason is a sentence, none names an internal rule
    assert len(box["reasoning"]) == len(box["rules_fired"])
    assert not any(rule["rule"] in line for rule in box["rules_fired"] for line in box["reasoning"])
    assert content["sections"]["executive_summary"]["decision_reasoning"] == box["reasoning"]


def test_halt_names_the_critical_fairness_risk_with_its_inputs():
    box = charter(SCENARIOS["halt"])["sections"]["ethical_review"]["decision_box"]
    fired = {rule["rule"]: rule for rule in box["rules_fired"]}
    assert fired["residual_critical"]["inputs"] == {"critical_principles": ["fairness"]}
    assert "Even after mitigation, the Fairness & equity risk stays critical." in box["reasoning"][0]
    assert box["inherent_bands"]["fairness"] == "critical" and box["residual_bands"]["fairness"] == "critical"
    assert any(
        c.startswith("Reduce the Fairness & equity residual risk (critical, score 16)") for c in box["conditions"]
    )


def test_revise_records_every_floor_and_the_decisive_one():
    content = charter(SCENARIOS["revise"])
    box = content["sections"]["ethical_review"]["decision_box"]
    assert content["sections"]["technical_feasibility"]["overall_feasibility"] == "low"
    assert box["floors"] == {"data_feasibility_low": "revise", "residual_medium": "proceed_with_monitoring"}
    assert [(r["rule"], r["decisive"]) for r in box["rules_fired"]] == [
        ("data_feasibility_low", True),
        ("residual_medium", False),
    ]
    assert box["rules_fired"][0]["inputs"] == {"overall_feasibility": "low"}
    assert any(c.startswith("Raise data feasibility above low") and "accuracy 4/10" in c for c in box["conditions"])


def test_decision_block_carries_the_tier_bands_and_credit():
    box = charter()["sections"]["ethical_review"]["decision_box"]
    assert box["eu_ai_act_tier"] == "minimal" and box["eu_ai_act_reasons"] and box["eu_ai_act_obligations"]
    assert box["inherent_bands"] == {
        "fairness": "critical",
        "privacy": "high",
        "transparency": "medium",
        "safety": "medium",
        "human_agency": "medium",
    }
    # 55 % stated but only implemented → 50 %; 80 % verified → 80 %; 75 % implemented → 50 %
    assert box["credited_effectiveness"] == {
        "fairness": 50.0,
        "privacy": 80.0,
        "transparency": 50.0,
        "safety": 80.0,
        "human_agency": 50.0,
    }
    assert box["residual_bands"]["fairness"] == "high"  # 4.5 is medium, but never more than one band below critical


def test_offline_narrative_states_the_decision_from_the_data():
    for decision, words in (("halt", "halt the project"), ("proceed", "proceed.")):
        content = charter(SCENARIOS[decision])
        assert content["narrative_source"] == "offline"
        assert words in content["sections"]["executive_summary"]["summary"]


def test_a_model_narrative_fills_only_the_prose():
    narrative = CharterNarrative(
        executive_summary="Kestrel will call likely leavers first.",
        critical_success_factors=["Agents call every listed customer"],
        major_risks=["Older customers get fewer offers"],
        decision_rationale="Fairness stays at medium after mitigation, so the pilot is monitored monthly.",
    )
    content = charter(narrative=narrative)
    summary = content["sections"]["executive_summary"]
    assert content["narrative_source"] == "model"
    assert summary["summary"] == narrative.executive_summary
    assert summary["critical_success_factors"] == ["Agents call every listed customer"]
    assert content["decision"]["rationale"] == narrative.decision_rationale
    assert summary["decision"] == "submit_to_committee"  # the decision never comes from the narrative


# --- The narrative request -------------------------------------------------------------------------------------


def test_narrative_request_sends_the_facts_as_delimited_data():
    deliverables = deliverables_from_answers(AnswerSet.from_values(scenario_values(SCENARIOS["halt"])))
    request = narrative_request(project_name=PROJECT, deliverables=deliverables)
    assert request.purpose == Purpose.CHARTER and request.tier == Tier.BALANCED and request.output is CharterNarrative
    content = request.messages[0]["content"]
    assert content.startswith("<charter_data>") and content.endswith("</charter_data>")
    assert '"governance_decision": "halt"' in content
    assert "never change or soften it" in request.system
    context = request.context
    assert context["governance_decision"] == "halt" and context["project_name"] == PROJECT
    assert context["kpis"][0] == {
        "name": "Monthly churn rate of residential broadband subscribers",  # the short name, before the colon
        "baseline": "2.3 %",
        "target": "1.9 %",
        "timeframe": "2 quarters",
    }
    assert (
        context["risks"][0]["principle"] == "Fairness & equity" and context["risks"][0]["residual_band"] == "critical"
    )
    assert "Even after mitigation, the Fairness & equity risk stays critical." in context["decision_reasons"]


@pytest.mark.django_db
def test_the_offline_provider_answers_the_narrative_request():
    deliverables = deliverables_from_answers(AnswerSet.from_values(scenario_values()))
    result = complete(narrative_request(project_name=PROJECT, deliverables=deliverables))
    assert result.offline and isinstance(result.parsed, CharterNarrative)
    assert result.parsed.executive_summary.startswith(f"{PROJECT} aims to address this problem")
    assert "1.9 %" in result.parsed.executive_summary
