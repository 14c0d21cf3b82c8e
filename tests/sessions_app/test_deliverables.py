"""Deliverables built from answers: the user's values end up in them, derivations follow DOMAIN.md, and nothing
is invented when an answer is missing."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.builders import (
    actionability,
    build_stage_1,
    build_stage_2,
    build_stage_3,
    build_stage_4,
    build_stage_5,
    explainability_level,
    infer_output_type,
    overall_feasibility,
    parse_feature_line,
    parse_source_line,
    place,
)
from sessions_app.interview.governance import governance_decide
from sessions_app.interview.question_bank import get_bank
from sessions_app.interview.registry import REGISTRY

from .churn_answers import CHURN_ANSWERS, churn_answer_values


@pytest.fixture(scope="module")
def churn() -> AnswerSet:
    return AnswerSet.from_values(churn_answer_values())


def answers(raw: dict[tuple[str, int], object], structured: dict | None = None) -> AnswerSet:
    return AnswerSet.from_values(
        {key: validate_answer(key[0], value).to_json() for key, value in raw.items()}, structured=structured
    )


# --- The churn fixture ------------------------------------------------------------------------------------------


def test_churn_fixture_answers_every_question_and_validates():
    bank = get_bank()
    values = churn_answer_values()
    by_id = {qid: value for (qid, _), value in values.items()}
    asked = {q.id for q in bank.questions if q.applies(by_id)}
    # Every question that is asked is answered; the only one not asked is the Art. 6(3) exemption, which needs
    # an Annex III area (the churn model names none).
    assert {qid for qid, _ in CHURN_ANSWERS} == asked
    assert {q.id for q in bank.questions} - asked == {"S5Q43"}
    assert by_id["S5Q42"] == {"value": "none"}
    assert len(values) == len(CHURN_ANSWERS)


def test_churn_text_answers_pass_the_offline_quality_check():
    quality = pytest.importorskip("llm.offline.quality")
    bank = get_bank()
    low = {}
    for (qid, item), raw in CHURN_ANSWERS.items():
        question = bank.question(qid)
        if question.is_quality_scored:
            assessment = quality.assess_answer(raw, question=question.text, example=question.example)
            if assessment.score < 7:
                low[(qid, item)] = assessment.score
    assert low == {}


def test_churn_deliverables_contain_the_users_values(churn):
    problem = build_stage_1(churn)
    assert problem.business_objective.problem.startswith("About 2.3% of our 240,000")
    assert problem.ml_archetype == "classification"
    assert problem.target_output.type == "binary"
    assert [f.name for f in problem.input_features][:2] == [
        "monthly data usage over the last 6 months",
        "support tickets in the last 90 days",
    ]
    assert problem.input_features[1].source == "Zendesk"
    assert "mobile and TV-only products" in problem.scope.out_of_scope

    matrix = build_stage_2(churn)
    assert [(k.baseline.value, k.baseline.unit, k.target.value) for k in matrix.business_kpis] == [
        (2.3, "%", 1.9),
        (31.0, "%", 40.0),
    ]
    assert matrix.business_kpis[0].timeframe.model_dump() == {"value": 2.0, "unit": "quarters"}
    assert {m.name: m.threshold for m in matrix.model_metrics} == {"recall": 0.7, "precision": 0.4, "AUC-ROC": 0.8}
    assert {p.kpi_item for p in matrix.causal_pathways} == {0, 1}
    assert matrix.actionability_window.margin.model_dump() == {"value": 13.0, "unit": "days"}
    assert matrix.validation_plan.method == "ab_test"
    assert "from 2.3 % to 1.9 % within 2 quarters" in matrix.validation_plan.success_criteria[0]

    scorecard = build_stage_3(churn)
    assert scorecard.quality_scores.consistency == 6
    assert [s.name for s in scorecard.data_sources] == ["billing", "support tickets", "network usage", "outage alerts"]
    assert scorecard.data_sources[3].size_and_frequency == "about 2,300 events a day, streamed"
    assert scorecard.all_sources_size_and_frequency is None and scorecard.unknown_sources_access_method == []
    assert scorecard.labeling_strategy.cost.model_dump() == {"value": 9000.0, "unit": "EUR"}
    assert scorecard.overall_feasibility == "high"
    assert scorecard.uncovered_features == []

    context = build_stage_4(churn)
    assert [p.usage_frequency for p in context.personas] == ["daily", "weekly"]
    assert "Priya Shah" in context.personas[1].role
    assert context.explainability.level == "medium"  # "No one's health, safety, credit…" is negated
    assert context.feedback_mechanisms[0].review_cadence == "weekly"

    report = build_stage_5(churn)
    fairness = report.principles.fairness
    assert (fairness.mitigation_effectiveness, fairness.mitigation_status) == (55.0, "implemented")
    # high × high = 9: critical before mitigation; 55 % stated, but implemented earns at most 50 %
    risk = fairness.residual_risk
    assert (risk.inherent_score, risk.inherent_band) == (9.0, "critical")
    assert (risk.credit_cap_percent, risk.credited_percent) == (50.0, 50.0)
    assert risk.score == pytest.approx(4.5)  # 9 × (1 − 0.5): medium by its score …
    assert (risk.band, risk.band_floored) == ("high", True)  # … but never more than one band below critical
    # privacy: high × medium = 6 (high); 80 % verified is credited in full → 1.2, which the one-band limit keeps medium
    privacy = report.principles.privacy.residual_risk
    assert (privacy.inherent_band, privacy.credited_percent, privacy.score) == ("high", 80.0, pytest.approx(1.2))
    assert (privacy.band, privacy.band_floored) == ("medium", True)
    # medium × medium = 4; 75 % / 70 % implemented → 50 %, 80 % verified → 80 %: low is one band below medium
    for name, credited in (("transparency", 50.0), ("safety", 80.0), ("human_agency", 50.0)):
        other = getattr(report.principles, name).residual_risk
        assert (other.inherent_band, other.credited_percent, other.band, other.band_floored) == (
            "medium",
            credited,
            "low",
            False,
        ), name
    assert report.regulatory.eu_ai_act.annex_iii_area == "none" and report.regulatory.eu_ai_act.profiling == "yes"
    assert report.regulatory.tier.tier == "minimal" and report.regulatory.tier.missing == []
    assert report.governance_decision is None  # the decision is its own step
    decision = governance_decide(report=report, overall_feasibility=scorecard.overall_feasibility)
    # critical before mitigation, and only an informal ethics review: the committee must look at it
    assert decision.decision == "submit_to_committee" and decision.requires_committee_review
    assert {r.rule for r in decision.rules_fired if r.decisive} == {"inherent_critical", "no_formal_review"}
    assert decision.floors == {
        "inherent_critical": "submit_to_committee",
        "no_formal_review": "submit_to_committee",
        "residual_high": "revise",  # fairness stays high after mitigation
        "residual_medium": "proceed_with_monitoring",  # privacy stays medium
    }
    assert decision.inherent_bands["fairness"] == "critical" and decision.residual_bands["fairness"] == "high"
    assert decision.credited_effectiveness["fairness"] == 50.0
    assert decision.eu_ai_act_tier == "minimal"
    assert decision.overall_feasibility == "high"


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_deliverables_round_trip_through_json(churn, number):
    from sessions_app.interview import builders

    deliverable = getattr(builders, f"build_stage_{number}")(churn)
    data = deliverable.model_dump(mode="json")
    assert data["schema_version"] == 1
    assert REGISTRY[number].deliverable.model_validate(data) == deliverable


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_no_answers_means_no_invented_values(number):
    from sessions_app.interview import builders

    data = getattr(builders, f"build_stage_{number}")(AnswerSet()).model_dump(mode="json")
    if number == 5:
        # The EU AI Act tier is computed at once, and says only what is still unanswered: no tier, no reasons.
        tier = data["regulatory"].pop("tier")
        assert (tier["tier"], tier["reasons"], tier["obligations"]) == (None, [], [])
        assert tier["missing"] == [
            "prohibited_practice",
            "annex_i_product",
            "annex_iii_area",
            "profiling",
            "transparency",
        ]

    def leaves(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "schema_version":
                    yield from leaves(value)
        elif isinstance(node, list):
            yield from node
        else:
            yield node

    assert [leaf for leaf in leaves(data) if leaf is not None] == []


# --- Answers ----------------------------------------------------------------------------------------------------


def test_answer_set_keeps_the_latest_row_per_question_and_item():
    rows = [
        SimpleNamespace(question_id="S1Q1", item=0, value={"value": "old"}, status="needs_followup", structured=None),
        SimpleNamespace(question_id="S2Q1", item=1, value={"value": "kpi 2"}, status="accepted", structured=None),
        SimpleNamespace(question_id="S1Q1", item=0, value={"value": "new"}, status="escalated", structured={"k": 1}),
    ]
    answer_set = AnswerSet.from_rows(rows)
    assert answer_set.plain("S1Q1") == "new"
    assert answer_set.structured("S1Q1") == {"k": 1}
    assert answer_set.has_final("S1Q1")
    assert answer_set.items("S2Q1") == (1,)
    assert answer_set.plain("S2Q1") is None


@pytest.mark.parametrize(
    ("qid", "status", "final"),
    [
        ("S1Q1", "accepted", True),
        ("S1Q1", "escalated", True),
        ("S1Q1", "needs_followup", False),
        ("S1Q1", "pending", False),
        ("S1Q1", "check_failed", False),
        ("S1Q11", "pending", True),
    ],
)
def test_has_final(qid, status, final):
    answer_set = AnswerSet.from_values({(qid, 0): {"value": "classification"}}, status=status)
    assert answer_set.has_final(qid) is final


# --- Parsing and derivations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("support tickets in the last 90 days — Zendesk", ("support tickets in the last 90 days", "Zendesk")),
        ("contract end date (billing system)", ("contract end date", "billing system")),
        ("e-mail opens - marketing platform", ("e-mail opens", "marketing platform")),
        ("tenure | CRM", ("tenure", "CRM")),
        ("tenure in months", ("tenure in months", None)),
    ],
)
def test_parse_feature_line(line, parsed):
    assert parse_feature_line(line) == parsed


@pytest.mark.parametrize(
    ("description", "output_type"),
    [
        ("The probability that a customer cancels within 60 days", "binary"),
        ("Whether a transaction is fraud, yes or no", "binary"),
        ("The customer segment each account belongs to", "categorical"),
        ("The expected invoice amount next month in EUR", "continuous"),
        ("The number of days until the machine fails", "continuous"),
        ("A ranked list of products", None),
    ],
)
def test_output_type_keywords(description, output_type):
    assert infer_output_type(description) == output_type


def test_structured_output_type_beats_keywords():
    built = build_stage_1(
        answers(
            {("S1Q10", 0): "The probability that a customer cancels in 60 days"},
            structured={("S1Q10", 0): {"type": "continuous", "name": "churn risk"}},
        )
    )
    assert (built.target_output.type, built.target_output.type_source, built.target_output.name) == (
        "continuous",
        "structured",
        "churn risk",
    )


def test_archetype_is_the_users_choice_even_when_it_disagrees():
    built = build_stage_1(
        answers({("S1Q10", 0): "The probability that a customer cancels", ("S1Q11", 0): "regression"})
    )
    assert built.ml_archetype == "regression"
    assert built.target_output.type == "binary"


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"value": "yes"}, [True, True]),
        ({"value": "no", "detail": "Outage minutes arrive a month late."}, [True, False]),
        ({"value": "unsure", "detail": "Outage minutes may arrive late."}, [True, None]),
    ],
)
def test_feature_availability_from_the_choice_and_its_detail(choice, expected):
    built = build_stage_1(
        answers({("S1Q8", 0): ["contract end date — billing", "outage minutes — monitoring"], ("S1Q9", 0): choice})
    )
    assert [f.available_in_production for f in built.input_features] == expected


def test_place_puts_item_answers_in_list_elements():
    data: dict = {}
    place(data, "business_kpis[].baseline", 2.1, item=1)
    place(data, "quality_scores.accuracy", 8)
    assert data["business_kpis"][1] == {"baseline": 2.1}
    assert data["quality_scores"] == {"accuracy": 8}
    with pytest.raises(ValueError, match="builds whole list elements"):
        place(data, "input_features[]", ["x"])


@pytest.mark.parametrize(
    ("window", "latency", "margin", "sufficient"),
    [
        ({"value": 21, "unit": "days"}, {"value": 8, "unit": "days"}, {"value": 13.0, "unit": "days"}, True),
        ({"value": 2, "unit": "days"}, {"value": 48, "unit": "hours"}, {"value": 0.0, "unit": "hours"}, False),
        ({"value": 1, "unit": "weeks"}, {"value": 10, "unit": "days"}, {"value": -3.0, "unit": "days"}, False),
        ({"value": 90, "unit": "minutes"}, {"value": 1, "unit": "hours"}, {"value": 30.0, "unit": "minutes"}, True),
    ],
)
def test_actionability_margin(window, latency, margin, sufficient):
    result = actionability(window, latency)
    assert result["margin"] == margin
    assert result["sufficient"] is sufficient


def test_actionability_without_both_answers_is_not_computed():
    assert "sufficient" not in actionability({"value": 21, "unit": "days"}, None)


def test_pathway_names_its_kpi_only_when_the_mechanism_names_it():
    raw = {
        ("S2Q1", 0): "Monthly churn rate of residential subscribers",
        ("S2Q1", 1): "Net promoter score of callers",
        ("S2Q6", 0): ["recall"],
        ("S2Q9", 0): "Higher recall puts more leavers on the list and lowers monthly churn.",
    }
    built = build_stage_2(answers(raw))
    assert [(p.kpi_item, p.metrics, p.link) for p in built.causal_pathways] == [(0, ["recall"], "named_in_mechanism")]


def test_single_kpi_is_the_end_of_the_only_pathway():
    raw = {("S2Q1", 0): "Claims processed per day", ("S2Q9", 0): "Better precision sends fewer claims to review."}
    built = build_stage_2(answers(raw))
    assert [(p.kpi_item, p.link) for p in built.causal_pathways] == [(0, "only_kpi")]


def test_structured_pathways_are_used_when_present():
    raw = {
        ("S2Q1", 0): "Monthly churn rate",
        ("S2Q1", 1): "Save rate of called customers",
        ("S2Q9", 0): "Recall moves churn; precision moves the save rate.",
    }
    structured = {("S2Q9", 0): {"pathways": [{"kpi_item": 1, "metric": "precision"}]}}
    built = build_stage_2(answers(raw, structured))
    assert [(p.kpi_item, p.metrics, p.link) for p in built.causal_pathways] == [(1, ["precision"], "structured")]


def test_parse_source_line():
    assert parse_source_line("billing | Database | PostgreSQL, EU-West") == {
        "name": "billing",
        "kind": "database",
        "location": "PostgreSQL, EU-West",
        "covers_features": [],
    }


def test_feature_coverage_is_proposed_from_stage_1_when_not_confirmed():
    raw = {
        ("S1Q8", 0): ["contract end date — billing system", "tickets last 90 days — Zendesk", "weather — met office"],
        ("S3Q1", 0): ["billing | database | PostgreSQL", "support tickets | API | Zendesk REST API"],
    }
    built = build_stage_3(answers(raw))
    assert [s.covers_features for s in built.data_sources] == [["contract end date"], ["tickets last 90 days"]]
    assert built.uncovered_features == ["weather"]


SIX = ("accuracy", "consistency", "completeness", "timeliness", "validity", "integrity")
FAIR3 = {"findable": "full", "accessible": "partial", "interoperable": "partial", "reusable": "none"}


@pytest.mark.parametrize(
    ("scores", "fair", "expected"),
    [
        ([6, 6, 6, 6, 6, 6], FAIR3, "high"),
        ([6, 6, 6, 6, 6, 6], {**FAIR3, "accessible": "none"}, "medium"),  # only 2 FAIR principles
        ([9, 9, 9, 9, 9, 5], FAIR3, "medium"),  # one dimension below 6
        ([5, 5, 5, 5, 5, 5], FAIR3, "medium"),  # average exactly 5
        ([5, 5, 5, 5, 5, 4], FAIR3, "low"),
        ([5, 5, 5, 5, 5, None], FAIR3, None),  # not all scored yet
    ],
)
def test_overall_feasibility(scores, fair, expected):
    assert overall_feasibility(dict(zip(SIX, scores, strict=True)), fair) == expected


@pytest.mark.parametrize(
    ("stakes", "regulations", "archetype", "level"),
    [
        ("A wrong score can deny a patient a follow-up appointment.", [], "classification", "high"),
        ("Errors cost about €90 each.", ["ECOA (equal credit opportunity)"], "classification", "high"),
        ("A rejected applicant loses a job offer; hiring decisions are affected.", [], "classification", "high"),
        ("No one's health, safety, credit or employment is affected.", ["GDPR Article 21"], "classification", "medium"),
        ("A poor suggestion costs a click.", [], "recommendation", "low"),
        ("Wrong targeting wastes marketing spend of about €2 per email.", [], "classification", "low"),
        ("A missed leaver costs €480 of margin.", [], "classification", "medium"),
        # Admissions: an Annex III area; a wrong rank exposes the university to complaints and fines.
        ("A wrong ranking delays an applicant's offer.", ["EU AI Act, high-risk: Annex III point 3"], None, "high"),
        ("A wrong ranking exposes us to Equal Status Acts complaints and fines.", [], "classification", "high"),
        ("A wrong ranking loses an eligible applicant their admission.", [], "classification", "high"),
        ("A wrong ranking shows a poorer product first.", [], "classification", "low"),
    ],
)
def test_explainability_level(stakes, regulations, archetype, level):
    assert explainability_level(stakes, regulations, archetype)[0] == level


def test_a_system_the_eu_ai_act_classes_high_risk_needs_high_explainability():
    level, reasons = explainability_level("A wrong ranking shows a poorer product first.", [], "recommendation", "high")
    assert (level, reasons[0]) == ("high", "the EU AI Act classes the system as high-risk")
    regulations = ["EU AI Act, high-risk: Annex III point 3", "Equal Status Acts (discrimination in education)"]
    assert explainability_level("A wrong rank delays an offer.", regulations, None, "high")[1] == [
        "the EU AI Act classes the system as high-risk",  # once, not again as a regulation
        "regulation 'Equal Status Acts (discrimination in education)' touches legal",
    ]
    assert explainability_level("A poor suggestion costs a click.", [], "recommendation", "minimal")[0] == "low"


def test_stage_5_decision_waits_for_every_principle_and_uses_the_feasibility_floor():
    values = churn_answer_values((5,))
    partial = AnswerSet.from_values({k: v for k, v in values.items() if k[0] != "S5Q28"})
    assert governance_decide(report=build_stage_5(partial), overall_feasibility="high") is None
    assert build_stage_5(partial).principles.fairness.residual_risk is not None
    full = build_stage_5(AnswerSet.from_values(values))
    # The churn answers: submit to committee (critical before mitigation); low feasibility is a lower floor.
    assert governance_decide(report=full, overall_feasibility="high").decision == "submit_to_committee"
    low = governance_decide(report=full, overall_feasibility="low")
    assert low.decision == "submit_to_committee" and low.floors["data_feasibility_low"] == "revise"
    # With a formal review and fairness medium × high = 6 (high → residual at least medium), feasibility decides.
    overrides = {("S5Q1", 0): "formal", ("S5Q5", 0): "medium", ("S5Q6", 0): "high"}
    reviewed_values = {**values, **{key: validate_answer(key[0], raw).to_json() for key, raw in overrides.items()}}
    reviewed = build_stage_5(AnswerSet.from_values(reviewed_values))
    assert governance_decide(report=reviewed, overall_feasibility="high").decision == "proceed_with_monitoring"
    floored = governance_decide(report=reviewed, overall_feasibility="low")
    assert floored.decision == "revise"
    assert [r.rule for r in floored.rules_fired if r.decisive] == ["data_feasibility_low"]


def test_stage_5_credits_a_mitigation_without_a_status_as_planned():
    values = churn_answer_values((5,))
    without_status = build_stage_5(AnswerSet.from_values({k: v for k, v in values.items() if k[0] != "S5Q39"}))
    risk = without_status.principles.human_agency.residual_risk
    assert risk is not None and risk.mitigation_status is None
    # medium × medium = 4; 70 % stated, credited at most 25 % → 3.0
    assert (risk.credit_cap_percent, risk.credited_percent, risk.score, risk.band) == (25.0, 25.0, 3.0, "low")
