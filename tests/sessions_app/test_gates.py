"""Stage gates: missing answers (with conditions and repeatable groups), every rule firing and not firing,
acknowledgement, SMART checks and completeness."""

from __future__ import annotations

import pytest

from sessions_app.interview import builders
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.gates import GateResult
from sessions_app.interview.registry import REGISTRY

from .churn_answers import churn_answer_values

UNAVAILABLE_OUTAGES = "s1.feature_unavailable.outage-minutes-on-the-customer-s-line"
# Stage 3 maps sources to stage-1 features, so its gate sees stage 1 too (as the orchestrator should pass it).
STAGES_SEEN = {1: (1,), 2: (1, 2), 3: (1, 3), 4: (1, 4), 5: (3, 5)}


def gate_for(
    stage: int,
    overrides: dict | None = None,
    drop: tuple = (),
    ack: set[str] | None = None,
    statuses: dict | None = None,
) -> GateResult:
    values = churn_answer_values(STAGES_SEEN[stage])
    for key, raw in (overrides or {}).items():
        values[key] = validate_answer(key[0], raw).to_json()
    for key in drop:
        values.pop(key)
    answer_set = AnswerSet.from_values(values)
    if statuses:
        answer_set = AnswerSet(
            {
                key: answer
                if key not in statuses
                else type(answer)(answer.question_id, answer.item, answer.value, statuses[key], answer.structured)
                for key, answer in answer_set.answers.items()
            }
        )
    deliverable = REGISTRY[stage].build(answer_set)
    return REGISTRY[stage].gate(answer_set, deliverable, ack or set())


def keys(result: GateResult) -> tuple[set[str], set[str]]:
    return {b.key for b in result.blockers}, {c.key for c in result.concerns}


# --- The churn project passes every gate ------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "ack"), [(1, {UNAVAILABLE_OUTAGES}), (2, set()), (3, set()), (4, set()), (5, set())])
def test_churn_answers_pass_every_gate(stage, ack):
    result = gate_for(stage, ack=ack)
    assert (result.passed, result.missing, result.blockers) == (True, [], [])
    assert all(concern.acknowledged for concern in result.concerns)
    assert result.completeness == 1.0


def test_unacknowledged_concern_holds_the_gate_and_acknowledging_it_passes():
    held = gate_for(1)
    assert not held.passed
    assert [(c.key, c.acknowledged) for c in held.concerns] == [(UNAVAILABLE_OUTAGES, False)]
    assert "month end" in held.concerns[0].message
    assert held.completeness < 1
    assert gate_for(1, ack={UNAVAILABLE_OUTAGES}).passed


# --- Missing answers --------------------------------------------------------------------------------------------


def test_unanswered_required_question_is_missing():
    result = gate_for(2, drop=(("S2Q8", 0),))
    assert not result.passed
    assert [(m.question_id, m.item) for m in result.missing] == [("S2Q8", 0)]


@pytest.mark.parametrize(
    ("status", "missing"),
    [("needs_followup", True), ("pending", True), ("check_failed", True), ("escalated", False), ("accepted", False)],
)
def test_text_answer_counts_only_when_accepted_or_escalated(status, missing):
    result = gate_for(4, ack=set(), statuses={("S4Q8", 0): status})
    assert (("S4Q8", 0) in {(m.question_id, m.item) for m in result.missing}) is missing


def test_every_item_of_a_repeatable_group_needs_its_required_answers():
    result = gate_for(2, drop=(("S2Q3", 1),))
    assert [(m.question_id, m.item) for m in result.missing] == [("S2Q3", 1)]
    assert "s2.kpi1.baseline_target_timeframe" in {c.key for c in result.checks if not c.passed}


def test_optional_question_is_never_missing():
    result = gate_for(4, drop=(("S4Q7", 1),))
    assert result.missing == []


def test_conditional_questions_are_required_only_when_their_condition_holds():
    no_labels = gate_for(
        3, overrides={("S3Q11", 0): "0", ("S3Q12", 0): "none"}, drop=(("S3Q13", 0), ("S3Q14", 0), ("S3Q15", 0))
    )
    assert no_labels.passed and no_labels.missing == []
    labels = gate_for(3, drop=(("S3Q13", 0), ("S3Q15", 0)))
    assert [(m.question_id, m.item) for m in labels.missing] == [("S3Q13", 0), ("S3Q15", 0)]


def test_stage_5_principle_without_a_mitigation_is_missing():
    result = gate_for(5, drop=(("S5Q7", 0),))
    assert ("S5Q7", 0) in {(m.question_id, m.item) for m in result.missing}
    assert [c.key for c in result.checks if not c.passed] == ["s5.principle.fairness.complete"]


# --- Every rule, firing and not firing --------------------------------------------------------------------------

RULES = [
    # stage, answers changed, key, "blocker" / "concern" / None (does not fire)
    (1, {("S1Q11", 0): "regression"}, "s1.archetype_output_mismatch", "concern"),
    (1, {("S1Q11", 0): "classification"}, "s1.archetype_output_mismatch", None),
    (
        1,
        {("S1Q10", 0): "A ranked list of ten products for each visitor's home page, refreshed nightly."},
        "s1.output_type_unknown",
        "concern",
    ),
    (1, {("S1Q9", 0): "yes"}, UNAVAILABLE_OUTAGES, None),
    (
        1,
        {("S1Q9", 0): {"value": "unsure", "detail": "Outage minutes may be reconciled late."}},
        "s1.feature_availability_unknown.outage-minutes-on-the-customer-s-line",
        "concern",
    ),
    (
        1,
        {("S1Q9", 0): {"value": "no", "detail": "The weather feed arrives a day late."}},
        "s1.unavailable_features_unmatched",
        "concern",
    ),
    (2, {("S2Q3", 0): "2.3 %"}, "s2.kpi0.target_differs", "blocker"),
    (2, {("S2Q3", 0): "23.5 %"}, "s2.kpi0.target_within_10x", "blocker"),
    (2, {("S2Q3", 0): "23 %"}, "s2.kpi0.target_within_10x", None),  # exactly 10× is within
    (2, {("S2Q3", 0): "0.23 %"}, "s2.kpi0.target_within_10x", None),  # exactly a tenth is within
    (2, {("S2Q3", 0): "0.2 %"}, "s2.kpi0.target_within_10x", "blocker"),
    (2, {("S2Q2", 0): "0 %"}, "s2.kpi0.zero_baseline", "concern"),
    (2, {("S2Q3", 0): "1.9 percent"}, "s2.kpi0.unit_mismatch", "concern"),
    (2, {}, "s2.kpi1.causal_pathway", None),
    (2, {("S2Q13", 0): "21 days"}, "s2.actionability_margin", "concern"),  # margin 0 is not enough
    (2, {("S2Q13", 0): "4 weeks"}, "s2.actionability_margin", "concern"),
    (2, {("S2Q13", 0): "20 days"}, "s2.actionability_margin", None),
    (2, {("S2Q14", 0): "no"}, "s2.actionability_team_says_no", "concern"),
    (2, {("S2Q14", 0): "tight"}, "s2.actionability_team_says_no", None),
    (2, {("S2Q7", 0): "recall: 0.7\nprecision: 0.4"}, "s2.metric_threshold.auc-roc", "concern"),
    (3, {("S3Q5", 0): "3"}, "s3.quality.accuracy.blocks", "blocker"),
    (3, {("S3Q5", 0): "4"}, "s3.quality.accuracy.blocks", None),
    (3, {("S3Q5", 0): "4"}, "s3.quality.accuracy.low", "concern"),
    (3, {("S3Q5", 0): "5"}, "s3.quality.accuracy.low", "concern"),
    (3, {("S3Q6", 0): "6"}, "s3.quality.consistency.low", None),
    (3, {("S3Q13", 0): "0 EUR"}, "s3.labeling.budget", "blocker"),
    (3, {("S3Q14", 0): "0"}, "s3.labeling.timeline", "blocker"),
    (3, {("S3Q12", 0): "none"}, "s3.labeling.method_none", "concern"),
    (
        3,
        {
            ("S3Q4", 0): [
                "billing: contract end date, monthly bill amount and recent price changes",
                "support tickets: support tickets in the last 90 days",
                "network usage: monthly data usage over the last 6 months",
            ]
        },
        "s3.feature_uncovered.outage-minutes-on-the-customer-s-line",
        "concern",
    ),
]


MECHANISM_FOR_KPI_0 = {("S2Q9", 0): "Higher recall puts more leavers on the weekly list, which lowers monthly churn."}


def test_a_kpi_no_pathway_reaches_blocks_unless_its_metrics_were_chosen():
    # The mechanism names only the churn rate; KPI 1 (the save rate) is still the end of a pathway because the
    # user chose its metric (S2Q15); without that choice nothing links it to the model.
    assert "s2.kpi1.causal_pathway" not in keys(gate_for(2, overrides=MECHANISM_FOR_KPI_0))[0]
    unlinked = gate_for(2, overrides=MECHANISM_FOR_KPI_0, drop=(("S2Q15", 1),))
    assert "s2.kpi1.causal_pathway" in keys(unlinked)[0] and not unlinked.passed


@pytest.mark.parametrize(("stage", "overrides", "key", "kind"), RULES)
def test_gate_rule(stage, overrides, key, kind):
    result = gate_for(stage, overrides=overrides)
    blockers, concerns = keys(result)
    assert (key in blockers) is (kind == "blocker")
    assert (key in concerns) is (kind == "concern")
    if kind is not None:
        assert not result.passed
        assert next(c for c in result.checks if c.key == key).passed is False


def test_blockers_cannot_be_acknowledged():
    result = gate_for(3, overrides={("S3Q5", 0): "2"}, ack={"s3.quality.accuracy.blocks"})
    assert not result.passed
    assert [b.key for b in result.blockers] == ["s3.quality.accuracy.blocks"]


def test_persona_without_research_evidence_is_a_concern_that_can_be_acknowledged():
    result = gate_for(4, drop=(("S4Q7", 1),))
    assert [c.key for c in result.concerns] == ["s4.persona1.research_evidence"]
    assert not result.passed
    assert gate_for(4, drop=(("S4Q7", 1),), ack={"s4.persona1.research_evidence"}).passed


def test_stage_1_needs_at_least_one_feature():
    answers = AnswerSet.from_values({("S1Q8", 0): {"value": []}})
    result = REGISTRY[1].gate(answers, builders.build_stage_1(answers), set())
    assert "s1.features.at_least_one" in {b.key for b in result.blockers}


# --- SMART, completeness, shape ---------------------------------------------------------------------------------


def test_smart_checks_are_reported_per_kpi():
    result = gate_for(2)
    assert [(s.kpi_item, s.passed) for s in result.smart_checks] == [(0, True), (1, True)]
    vague = gate_for(2, overrides={("S2Q1", 1): "Save rate", ("S2Q3", 1): "31 %"})
    smart = vague.smart_checks[1]
    assert (smart.specific, smart.achievable, smart.measurable, smart.time_bound, smart.passed) == (
        False,
        False,
        True,
        True,
        False,
    )
    assert smart.relevant is True  # the mechanism still names the "save rate"
    assert len(smart.notes) == 2


def test_completeness_is_the_share_of_required_answers_and_rules_satisfied():
    empty = REGISTRY[1].gate(AnswerSet(), builders.build_stage_1(AnswerSet()), set())
    assert (empty.completeness, len(empty.missing), empty.passed) == (0.0, 14, False)
    partial = gate_for(2, drop=(("S2Q8", 0), ("S2Q9", 0)))
    assert 0 < partial.completeness < 1


def test_gate_accepts_a_stored_deliverable_and_dumps_to_json():
    values = churn_answer_values((1,))
    answers = AnswerSet.from_values(values)
    stored = builders.build_stage_1(answers).model_dump(mode="json")
    result = REGISTRY[1].gate(answers, stored, {UNAVAILABLE_OUTAGES})
    data = result.model_dump(mode="json")
    assert data["passed"] is True
    assert data["concerns"][0] == {
        "key": UNAVAILABLE_OUTAGES,
        "message": result.concerns[0].message,
        "acknowledged": True,
    }
