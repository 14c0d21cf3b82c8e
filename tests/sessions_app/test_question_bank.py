"""The question bank: the shipped stage files load, match DOMAIN.md, and a malformed bank is reported precisely."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pydantic import ValidationError as PydanticValidationError

from sessions_app.interview import question_bank as qb
from sessions_app.interview.answer_types import NormalisedAnswer, validate_answer
from sessions_app.interview.checks import QUESTION_BANK_ERROR_ID, check_question_bank
from sessions_app.interview.question_bank import (
    BANK_DIR,
    QuestionBankError,
    QuestionNotFound,
    QuestionType,
    StageNotFound,
    get_bank,
    load_bank,
)
from sessions_app.interview.registry import REGISTRY

# Counts per group as DOMAIN.md gives them. One deliberate difference: DOMAIN.md's labelling item
# "budget (N, currency) and timeline (N weeks)" is two typed numbers, so labelling has 5 questions, not 4.
EXPECTED_GROUP_COUNTS = {
    1: {"core_objective": 3, "ai_suitability": 4, "problem_definition": 4, "scope": 3},
    2: {"kpis": 6, "model_metrics": 3, "causal_path": 3, "actionability": 3},
    3: {"sources": 4, "quality": 6, "labeling": 7, "fair_infrastructure": 5},
    4: {"personas": 7, "journey": 6, "explainability": 5, "feedback": 5},
    5: {
        "self_assessment": 3,
        "regulatory": 6,  # the six EU AI Act questions DOMAIN.md lists
        "fairness": 6,  # each principle: risk, severity, likelihood, mitigation, effectiveness, mitigation status
        "privacy": 6,
        "transparency": 6,
        "safety": 6,
        "human_agency": 6,
        "acceptance": 6,
    },
}
EXPECTED_STAGE_TOTALS = {1: 14, 2: 15, 3: 22, 4: 23, 5: 45}  # issue 11: S2Q15, S3Q21, S3Q22
PRINCIPLES = ("fairness", "privacy", "transparency", "safety", "human_agency")
LEVELS = ["low", "medium", "high", "critical"]
MITIGATION_STATUSES = ["planned", "implemented", "verified"]
# DOMAIN.md "Regulatory classification": each field with exactly these choice values (scripts and tests rely on them).
REGULATORY_CHOICES = {
    "prohibited_practice": [
        "none",
        "subliminal_manipulation",
        "exploiting_vulnerabilities",
        "social_scoring",
        "crime_prediction_profiling",
        "facial_scraping",
        "emotion_recognition_work_education",
        "biometric_categorisation_sensitive",
        "realtime_remote_biometric_id",
    ],
    "annex_i_product": ["yes", "no"],
    "annex_iii_area": [
        "none",
        "biometrics",
        "critical_infrastructure",
        "education",
        "employment",
        "essential_services",
        "law_enforcement",
        "migration_border",
        "justice_democracy",
    ],
    "art6_3_exemption": [
        "none",
        "narrow_procedural_task",
        "improves_human_activity",
        "detects_decision_patterns",
        "preparatory_task",
    ],
    "profiling": ["yes", "no"],
    "transparency": [
        "none",
        "interacts_with_people",
        "synthetic_content",
        "emotion_or_biometric_categorisation",
        "deepfake",
    ],
}
REGULATORY_FIELDS = tuple(REGULATORY_CHOICES)


@pytest.fixture
def bank():
    return load_bank()


# --- The shipped bank ---------------------------------------------------------------------------------------


def test_shipped_bank_loads_and_passes_the_system_check(bank):
    assert [stage.number for stage in bank.stages] == [1, 2, 3, 4, 5]
    assert check_question_bank() == []


def test_question_counts_per_group_and_stage_match_domain(bank):
    for number, expected in EXPECTED_GROUP_COUNTS.items():
        stage = bank.stage(number)
        actual = {group.key: len(stage.questions_in_group(group.key)) for group in stage.groups}
        assert actual == expected, f"stage {number}"
        assert len(stage.questions) == EXPECTED_STAGE_TOTALS[number] == stage.question_count
    assert len(bank.questions) == sum(EXPECTED_STAGE_TOTALS.values()) == 119


def _number(question_id: str) -> int:
    return int(question_id.partition("Q")[2])


def test_ids_are_unique_well_formed_and_use_every_number_per_stage(bank):
    ids = [question.id for question in bank.questions]
    assert len(ids) == len(set(ids))
    for stage in bank.stages:
        ids = [q.id for q in stage.questions]
        assert all(re.fullmatch(rf"S{stage.number}Q[1-9]\d*", qid) for qid in ids), f"stage {stage.number}"
        # Ids are the keys of stored answers: any order in the file, but every number 1 … N, without gaps.
        assert sorted(map(_number, ids)) == list(range(1, len(stage.questions) + 1)), f"stage {stage.number}"
        # Each group's questions stand together, in the declared order of the groups.
        in_file = [key for key, _ in itertools.groupby(q.group for q in stage.questions)]
        assert in_file == [group.key for group in stage.groups], f"stage {stage.number}"
    # Stage 5's later questions stand in their groups, so its file order is not the numeric order.
    stage5 = [q.id for q in bank.stage(5).questions]
    assert stage5 != sorted(stage5, key=_number)


def test_stage_5_ids_keep_their_meaning_and_new_questions_take_the_next_numbers(bank):
    """A stored answer to S5Qn must still mean what it meant: the 34 earlier ids feed the same fields, and the
    questions added later are S5Q35 … S5Q45."""
    fields = ("risk", "severity", "likelihood", "mitigation", "mitigation_effectiveness")
    expected = {"S5Q1": "self_assessment.prior_review", "S5Q2": "self_assessment.known_risks"}
    expected["S5Q3"] = "self_assessment.affected_groups"
    for index, principle in enumerate(PRINCIPLES):
        for offset, field in enumerate(fields):
            expected[f"S5Q{4 + 5 * index + offset}"] = f"principles.{principle}.{field}"
        expected[f"S5Q{35 + index}"] = f"principles.{principle}.mitigation_status"
    expected |= {
        "S5Q29": "acceptance.residual_risk_acceptable",
        "S5Q30": "acceptance.rationale",
        "S5Q31": "monitoring.plan",
        "S5Q32": "monitoring.metrics",
        "S5Q33": "monitoring.audit_frequency",
        "S5Q34": "monitoring.escalation_triggers",
    }
    for number, field in enumerate(REGULATORY_FIELDS, start=40):
        expected[f"S5Q{number}"] = f"regulatory.eu_ai_act.{field}"
    assert {q.id: q.feeds for q in bank.stage(5).questions} == expected


def test_every_question_has_help_and_an_example_of_a_strong_answer(bank):
    for question in bank.questions:
        assert len(question.help) >= 20, question.id
        assert len(question.example) >= 10, question.id
        assert question.example != question.help, question.id
        assert question.text.strip(), question.id


def _example_answer(question):
    """The answer part of an example: lists and per-item numbers are whole; typed answers come before ' — '."""
    if question.type in (QuestionType.TEXT, QuestionType.LIST) or question.per_item_of:
        return question.example
    answer, _, explanation = question.example.partition(" — ")
    if question.detail is not None:
        return {"value": answer, "detail": explanation}
    return answer


def test_every_example_is_a_valid_answer_to_its_own_question(bank):
    for question in bank.questions:
        answer = validate_answer(question, _example_answer(question))
        assert isinstance(answer, NormalisedAnswer), question.id


def test_stage_titles_and_deliverables_match_the_stage_registry(bank):
    for spec in REGISTRY:
        stage = bank.stage(spec.number)
        assert stage.deliverable == spec.deliverable.__name__
    assert [stage.deliverable for stage in bank.stages] == [
        "ProblemStatement",
        "MetricAlignmentMatrix",
        "DataQualityScorecard",
        "UserContext",
        "EthicalRiskReport",
    ]


def test_ml_task_type_lists_exactly_the_eight_domain_archetypes(bank):
    task_type = bank.question("S1Q11")
    assert task_type.type is QuestionType.CHOICE and task_type.feeds == "ml_archetype"
    assert list(task_type.choice_values) == [
        "classification",
        "regression",
        "clustering",
        "recommendation",
        "anomaly_detection",
        "nlp",
        "computer_vision",
        "time_series_forecasting",
    ]


def test_feature_availability_names_the_unavailable_features(bank):
    availability = bank.question("S1Q9")
    assert availability.detail is not None
    assert set(availability.detail.required_for) == {"no", "unsure"}


def test_each_principle_has_risk_severity_likelihood_mitigation_effectiveness_and_status(bank):
    expected = [
        ("risk", QuestionType.TEXT),
        ("severity", QuestionType.CHOICE),
        ("likelihood", QuestionType.CHOICE),
        ("mitigation", QuestionType.TEXT),
        ("mitigation_effectiveness", QuestionType.PERCENTAGE),
        ("mitigation_status", QuestionType.CHOICE),
    ]
    stage = bank.stage(5)
    for principle in PRINCIPLES:
        questions = stage.questions_in_group(principle)
        assert [(q.feeds, q.type) for q in questions] == [
            (f"principles.{principle}.{field}", kind) for field, kind in expected
        ]
        assert all(q.required and q.condition is None for q in questions), principle
        for question in questions:
            if question.feeds.endswith((".severity", ".likelihood")):
                assert list(question.choice_values) == LEVELS
            elif question.feeds.endswith(".mitigation_status"):
                assert list(question.choice_values) == MITIGATION_STATUSES  # caps 25 / 50 / 80 % in rules.py


def test_regulatory_group_asks_the_six_eu_ai_act_questions_with_the_domain_values(bank):
    questions = bank.stage(5).questions_in_group("regulatory")
    assert [q.feeds for q in questions] == [f"regulatory.eu_ai_act.{field}" for field in REGULATORY_FIELDS]
    for question in questions:
        field = question.feeds.rpartition(".")[2]
        assert question.type is QuestionType.CHOICE and question.required, question.id
        assert list(question.choice_values) == REGULATORY_CHOICES[field], question.id


def test_art_6_3_exemption_is_asked_only_when_an_annex_iii_area_is_named(bank):
    exemption = bank.question("S5Q43")
    assert exemption.feeds == "regulatory.eu_ai_act.art6_3_exemption"
    assert exemption.condition is not None and exemption.condition.question == "S5Q42"
    for area in REGULATORY_CHOICES["annex_iii_area"]:
        asked = {q.id for q in bank.required_questions(5, {"S5Q42": {"value": area}})}
        assert ("S5Q43" in asked) is (area != "none"), area
    assert "S5Q43" not in {q.id for q in bank.required_questions(5, {})}  # not asked before S5Q42 is answered
    assert "S5Q43" in {q.id for q in bank.required_questions(5)}  # unknown answers: may become required


def test_six_quality_dimensions_are_separate_zero_to_ten_scales(bank):
    quality = bank.stage(3).questions_in_group("quality")
    assert [q.feeds for q in quality] == [
        f"quality_scores.{d}"
        for d in ("accuracy", "consistency", "completeness", "timeliness", "validity", "integrity")
    ]
    assert all(q.type is QuestionType.SCALE and q.bounds == (0, 10) for q in quality)


def test_fair_labelling_and_persona_choices_follow_domain(bank):
    def values(question_id):
        return list(bank.question(question_id).choice_values)

    for question_id in ("S3Q16", "S3Q17", "S3Q18", "S3Q19"):
        assert values(question_id) == ["full", "partial", "none"]
    assert values("S3Q12") == ["in_house", "vendor", "crowd", "weak_supervision", "none"]
    assert values("S1Q5") == ["yes", "partly", "no"]
    assert values("S4Q4") == ["novice", "intermediate", "expert"]
    assert values("S4Q5") == ["hourly", "daily", "weekly", "monthly"]
    assert values("S4Q6") == ["decides", "advises", "executes"]
    assert bank.question("S3Q13").unit_choices[:3] == ("EUR", "USD", "GBP")
    assert bank.question("S3Q14").unit == "weeks"
    assert bank.question("S2Q4").unit_choices == ("weeks", "months", "quarters")


def test_labelling_budget_timeline_and_qa_apply_only_when_labels_are_needed(bank):
    conditional = {"S3Q13", "S3Q14", "S3Q15"}
    no_labels = {q.id for q in bank.required_questions(3, {"S3Q11": NormalisedAnswer(0.0, unit="examples")})}
    labels = {q.id for q in bank.required_questions(3, {"S3Q11": {"value": 5000.0, "unit": "examples"}})}
    assert not conditional & no_labels
    assert conditional <= labels
    assert conditional <= {q.id for q in bank.required_questions(3)}  # unknown answers: may become required


def test_derived_items_are_declared_and_confirmed_by_a_question(bank):
    stage2, stage3 = bank.stage(2), bank.stage(3)
    margin = stage2.derived_field("actionability_window.margin")
    assert margin is not None and margin.from_ == ("S2Q12", "S2Q13")
    assert bank.question("S2Q14").confirms == "actionability_window.margin"
    coverage = stage3.derived_field("data_sources[].covers_features")
    assert coverage is not None and "S1Q8" in coverage.from_
    assert bank.question("S3Q4").confirms == "data_sources[].covers_features"


def test_metric_suggestions_follow_the_stage_one_task_type(bank):
    metrics = bank.question("S2Q6")
    assert "RMSE" in metrics.suggestions_for("regression")
    assert "AUC-ROC" in metrics.suggestions_for("Classification")
    assert bank.question("S2Q7").per_item_of == "S2Q6"


def test_repeatable_groups_are_kpis_and_personas(bank):
    repeatable = {(stage.number, group.key) for stage in bank.stages for group in stage.groups if group.repeatable}
    assert repeatable == {(2, "kpis"), (4, "personas")}


def test_only_free_text_is_quality_scored(bank):
    scored = {q.type for q in bank.questions if q.is_quality_scored}
    assert scored == {QuestionType.TEXT}


def test_persona_research_evidence_is_optional_everything_else_in_stage_one_required(bank):
    assert bank.question("S4Q7").required is False
    assert all(q.required for q in bank.questions_for_stage(1))


def test_lookups_and_the_cached_bank():
    assert get_bank() is get_bank()
    assert qb.question("S2Q7").per_item_of == "S2Q6"
    assert qb.stage(4).deliverable == "UserContext"
    assert len(qb.questions_for_stage(5)) == 45
    assert {q.id for q in qb.required_questions(4)} == {q.id for q in qb.questions_for_stage(4)} - {"S4Q7"}
    with pytest.raises(QuestionNotFound, match="S9Q1"):
        qb.question("S9Q1")
    with pytest.raises(StageNotFound, match="1 to 5"):
        qb.stage(6)


def test_bank_objects_are_immutable(bank):
    with pytest.raises(PydanticValidationError):
        bank.question("S1Q1").text = "changed"
    with pytest.raises(TypeError):
        bank.question("S2Q6").suggestions.by_value["regression"] = ("accuracy",)


# --- A malformed bank ---------------------------------------------------------------------------------------


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    for path in BANK_DIR.glob("stage*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should appear exactly once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems_of(directory: Path) -> list[qb.BankProblem]:
    with pytest.raises(QuestionBankError) as caught:
        load_bank(directory)
    return list(caught.value.problems)


MALFORMED = [
    pytest.param(
        "stage1.yaml",
        "  - id: S1Q5\n",
        "  - id: S1Q4\n",
        ("stage1.yaml", "S1Q4", "id"),
        "is used by 2 questions",
        "own id",
        id="duplicate-id",
    ),
    pytest.param(
        "stage1.yaml",
        "  - id: S1Q14\n",
        "  - id: S2Q14\n",
        ("stage1.yaml", "S2Q14", "id"),
        "belongs to stage 2",
        "renumber it S1Q",
        id="id-of-other-stage",
    ),
    # Ids may stand in any order in the file, but must use every number 1 … N: S1Q3 → S1Q30 leaves a gap at 3. The
    # problem belongs to the question whose number is out of range.
    pytest.param(
        "stage1.yaml",
        "  - id: S1Q3\n",
        "  - id: S1Q30\n",
        ("stage1.yaml", "S1Q30", "id"),
        "missing: S1Q3",
        "without gaps",
        id="id-gap",
    ),
    pytest.param(
        "stage2.yaml",
        "    type: choice\n    required: true\n    feeds: actionability_window.sufficient",
        "    type: choise\n    required: true\n    feeds: actionability_window.sufficient",
        ("stage2.yaml", "S2Q14", "type"),
        "'choise' is not a known question type",
        "text, number, scale, percentage, choice, list",
        id="unknown-type",
    ),
    pytest.param(
        "stage1.yaml",
        "    type: text\n    required: true\n    feeds: business_objective.problem",
        "    type: choice\n    required: true\n    feeds: business_objective.problem",
        ("stage1.yaml", "S1Q1", "choices"),
        "needs at least two choices",
        "add a 'choices' list",
        id="choice-without-choices",
    ),
    pytest.param(
        "stage4.yaml",
        "    help: Choose the rhythm at which the user will actually look at or act on the output.\n",
        "",
        ("stage4.yaml", "S4Q5", "help"),
        "is missing",
        "add 'help'",
        id="missing-help",
    ),
    pytest.param(
        "stage4.yaml",
        "    help: Choose the rhythm at which the user will actually look at or act on the output.\n",
        "    help: ''\n",
        ("stage4.yaml", "S4Q5", "help"),
        "is empty",
        "write a value for 'help'",
        id="empty-help",
    ),
    pytest.param(
        "stage3.yaml",
        "    group: quality\n    type: scale\n    required: true\n    feeds: quality_scores.integrity",
        "    group: qualty\n    type: scale\n    required: true\n    feeds: quality_scores.integrity",
        ("stage3.yaml", "S3Q10", "group"),
        "'qualty' is not declared",
        "use one of: sources, quality",
        id="unknown-group",
    ),
    pytest.param(
        "stage1.yaml",
        "    - key: core_objective\n      title: Core objective\n      count: 3",
        "    - key: core_objective\n      title: Core objective\n      count: 4",
        ("stage1.yaml", None, "stage.groups.core_objective.count"),
        "declares 4 question(s) but the file has 3 (S1Q1, S1Q2, S1Q3)",
        "correct the count",
        id="group-count-not-as-declared",
    ),
    pytest.param(
        "stage5.yaml",
        "  question_count: 45",
        "  question_count: 44",
        ("stage5.yaml", None, "stage.question_count"),
        "group counts add up to 45",
        "sum of the group counts",
        id="stage-count-not-as-declared",
    ),
    pytest.param(
        "stage2.yaml",
        "  - id: S2Q5\n    group: kpis\n    type: text\n    required: true",
        "  - id: S2Q5\n    group: kpis\n    type: text\n    requried: true",
        ("stage2.yaml", "S2Q5", "requried"),
        "is not a known field",
        "known fields: id, group, type",
        id="misspelt-field",
    ),
    pytest.param(
        "stage5.yaml",
        # S5Q41 and S5Q44 have a quoted "yes" too: anchor on S5Q29's choices, whose second value is unique
        '      - value: "yes"\n        label: "Yes"\n      - value: with_conditions',
        '      - value: yes\n        label: "Yes"\n      - value: with_conditions',
        ("stage5.yaml", "S5Q29", "choices.0.value"),
        "boolean True",
        'quotes, e.g. "yes"',
        id="unquoted-yes",
    ),
    pytest.param(
        "stage5.yaml",
        "feeds: principles.fairness.risk",
        "feeds: principle.fairness.risk",
        ("stage5.yaml", "S5Q4", "feeds"),
        "is not a field of EthicalRiskReport",
        "start the path with one of: self_assessment, regulatory, principles",
        id="feeds-unknown-field",
    ),
    pytest.param(
        "stage3.yaml",
        "    condition:\n      question: S3Q11\n      greater_than: 0\n    feeds: labeling_strategy.cost",
        "    condition:\n      question: S3Q20\n      greater_than: 0\n    feeds: labeling_strategy.cost",
        ("stage3.yaml", "S3Q13", "condition.question"),
        "S3Q20, which is not an earlier question",
        "asked before this one",
        id="condition-on-later-question",
    ),
    pytest.param(
        "stage1.yaml",
        "    type: text\n    required: true\n    feeds: business_objective.why_now",
        "    type: text\n    required: true\n    feeds: business_objective.why_now\n    unit: days",
        ("stage1.yaml", "S1Q2", "unit"),
        "only number questions take 'unit'",
        "remove 'unit'",
        id="unit-on-text-question",
    ),
    pytest.param(
        "stage2.yaml",
        "    per_item_of: S2Q6",
        "    per_item_of: S2Q8",
        ("stage2.yaml", "S2Q7", "per_item_of"),
        "S2Q8, which is not an earlier question",
        "earlier list question",
        id="per-item-of-later-question",
    ),
    pytest.param(
        "stage2.yaml",
        "confirms: actionability_window.margin",
        "confirms: actionability_window.slack",
        ("stage2.yaml", "S2Q14", "confirms"),
        "not declared under stage.derived",
        "declare the derived field",
        id="confirms-undeclared-derived-field",
    ),
    pytest.param(
        "stage2.yaml",
        "      from: S1Q11",
        "      from: S1Q10",
        ("stage2.yaml", "S2Q6", "suggestions.from"),
        "needs a choice question, but S1Q10 is 'text'",
        "key suggestions by a choice question",
        id="suggestions-keyed-by-text",
    ),
    pytest.param(
        "stage5.yaml",
        "      in: [biometrics, critical_infrastructure,",
        "      in: [biometric, critical_infrastructure,",
        ("stage5.yaml", "S5Q43", "condition.in"),
        "not among S5Q42's choices",
        "use values from: none, biometrics",
        id="condition-on-an-unknown-annex-iii-area",
    ),
    pytest.param(
        "stage5.yaml",
        "    group: fairness\n    type: choice\n    required: true\n    feeds: principles.fairness.mitigation_status",
        "    group: acceptance\n    type: choice\n    required: true\n    feeds: principles.fairness.mitigation_status",
        ("stage5.yaml", None, "stage.groups.acceptance"),
        "has its questions split up (S5Q35, S5Q29",
        "keep each group's questions together",
        id="new-question-outside-its-group",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "location", "message", "fix"), MALFORMED)
def test_malformed_bank_names_file_question_and_field(bank_dir, file, old, new, location, message, fix):
    edit(bank_dir, file, old, new)
    problems = problems_of(bank_dir)
    matching = [p for p in problems if (p.file, p.question_id, p.field) == location]
    assert matching, f"no problem at {location}; got: {[str(p) for p in problems]}"
    assert message in matching[0].message
    assert fix in matching[0].fix


def test_a_gap_in_the_id_numbers_is_reported_once_with_the_missing_id(bank_dir):
    edit(bank_dir, "stage1.yaml", "  - id: S1Q3\n", "  - id: S1Q30\n")
    (problem,) = problems_of(bank_dir)
    assert (problem.file, problem.question_id, problem.field) == ("stage1.yaml", "S1Q30", "id")
    assert "do not use every number 1 … 14 (missing: S1Q3)" in problem.message
    assert "S1Q1 … S1Q14 without gaps" in problem.fix and "next free number" in problem.fix


def test_ids_out_of_file_order_load_when_every_number_is_used(bank_dir):
    # Swap the ids of two questions of one group: the numbers 1 … N are all still used.
    edit(bank_dir, "stage1.yaml", "  - id: S1Q2\n", "  - id: S1QX\n")
    edit(bank_dir, "stage1.yaml", "  - id: S1Q3\n", "  - id: S1Q2\n")
    edit(bank_dir, "stage1.yaml", "  - id: S1QX\n", "  - id: S1Q3\n")
    stage = load_bank(bank_dir).stage(1)
    assert [q.id for q in stage.questions][:3] == ["S1Q1", "S1Q3", "S1Q2"]


def test_invalid_yaml_reports_the_line(bank_dir):
    edit(bank_dir, "stage2.yaml", "  number: 2\n", "  number: [2\n")
    (problem,) = problems_of(bank_dir)
    assert problem.file == "stage2.yaml"
    assert "not valid YAML" in problem.message and "line" in problem.message


def test_missing_and_unexpected_files_are_reported(bank_dir):
    (bank_dir / "stage4.yaml").unlink()
    (bank_dir / "stage6.yaml").write_text("stage: {}\n", encoding="utf-8")
    problems = {p.file: p for p in problems_of(bank_dir)}
    assert set(problems) == {"stage4.yaml", "stage6.yaml"}
    assert "missing" in problems["stage4.yaml"].message
    assert "rename it" in problems["stage6.yaml"].fix


def test_every_problem_is_reported_at_once_with_a_readable_summary(bank_dir):
    edit(bank_dir, "stage2.yaml", "    per_item_of: S2Q6", "    per_item_of: S2Q8")
    edit(bank_dir, "stage5.yaml", "  question_count: 45", "  question_count: 44")
    with pytest.raises(QuestionBankError) as caught:
        load_bank(bank_dir)
    summary = str(caught.value)
    assert "2 problem(s)" in summary
    assert "stage2.yaml, question S2Q7, field 'per_item_of': refers to S2Q8" in summary
    assert "stage5.yaml, field 'stage.question_count': is 44, but the group counts add up to 45. Fix:" in summary


def test_a_duplicated_id_is_one_problem(bank_dir):
    edit(bank_dir, "stage1.yaml", "  - id: S1Q5\n", "  - id: S1Q4\n")
    (problem,) = problems_of(bank_dir)
    assert (problem.file, problem.question_id, problem.field) == ("stage1.yaml", "S1Q4", "id")
    assert "is used by 2 questions" in problem.message


def test_system_check_reports_each_problem_as_an_error(bank_dir):
    edit(
        bank_dir,
        "stage4.yaml",
        "    help: Choose the rhythm at which the user will actually look at or act on the output.\n",
        "",
    )
    (error,) = check_question_bank(directory=bank_dir)
    assert isinstance(error, checks.Error)
    assert error.id == QUESTION_BANK_ERROR_ID
    assert error.obj == "stage4.yaml, question S4Q5, field 'help'"
    assert error.msg == "is missing." and error.hint.startswith("Fix: add 'help'")


@pytest.mark.django_db  # the full `check` also runs the model checks, which query the database
def test_registered_check_stops_manage_py_check_on_a_malformed_bank(bank_dir, monkeypatch):
    edit(bank_dir, "stage2.yaml", "    per_item_of: S2Q6", "    per_item_of: S2Q8")
    monkeypatch.setattr("sessions_app.interview.question_bank.loader.BANK_DIR", bank_dir)
    errors = checks.run_checks(tags=["question_bank"])
    assert [e.id for e in errors] == [QUESTION_BANK_ERROR_ID]
    with pytest.raises(SystemCheckError, match="S2Q7"):
        call_command("check")
