"""Derivations from meaning, not from text surgery (issue 11): the hospital project's answers hold every trap the
issue lists, and each test reads the deliverable or charter content that a wrong derivation got wrong."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_app.charter.consistency import rule_findings
from sessions_app.charter.content import build_charter_content, narrative_context
from sessions_app.charter.deliverables import deliverables_from_answers
from sessions_app.formatting import first_sentence, plural, short_name, span_text
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.builders import build_stage_1, metric_direction
from tests.sessions_app.churn_answers import churn_answer_values
from tests.sessions_app.hospital_answers import HOSPITAL_ANSWERS, hospital_answer_values


def hospital(overrides: dict[tuple[str, int], Any] | None = None) -> dict[int, dict]:
    values = hospital_answer_values()
    for key, raw in (overrides or {}).items():
        values[key] = validate_answer(key[0], raw).to_json()
    return deliverables_from_answers(AnswerSet.from_values(values))


def _churn_with(overrides: dict[tuple[str, int], Any]) -> dict:
    values = churn_answer_values()
    for key, raw in overrides.items():
        values[key] = validate_answer(key[0], raw).to_json()
    return values


def test_a_latency_or_error_threshold_is_a_ceiling_and_a_rate_a_floor():
    metrics = {m["name"]: m["direction"] for m in hospital()[2]["model_metrics"]}
    assert metrics == {
        "sensitivity for urgent findings": "at_least",
        "specificity": "at_least",
        "time from image to worklist flag (minutes)": "at_most",
    }
    names = ("MAE", "P90 absolute error", "recall", "log loss", "recall gap between groups (points)", "AUC")
    assert [metric_direction(name) for name in names] == [
        "at_most",
        "at_most",
        "at_least",
        "at_most",
        "at_most",  # a fairness gap is a ceiling
        "at_least",
    ]
    factors = narrative_context("Chest X-ray triage", hospital())["success_factors"]
    assert "time from image to worklist flag (minutes) of at most 1 before the model is used" in factors
    assert "specificity of at least 0.8 before the model is used" in factors


def test_a_pathway_names_the_metric_the_user_chose_for_its_kpi():
    pathways = {p["kpi_item"]: p for p in hospital()[2]["causal_pathways"]}
    assert pathways[0]["metrics"] == ["sensitivity for urgent findings"] and pathways[0]["link"] == "chosen"
    assert pathways[1]["metrics"] == ["specificity"]
    typo = {p["kpi_item"]: p for p in hospital({("S2Q15", 0): ["sensitivity"]})[2]["causal_pathways"]}
    assert typo[0]["metrics"] == [] and typo[0]["unmatched_metrics"] == ["sensitivity"]


def test_features_with_commas_in_brackets_stay_whole():
    pacs = next(s for s in hospital()[3]["data_sources"] if s["name"] == "PACS")
    assert pacs["covers_features"] == [
        "chest X-ray image (DICOM pixels)",
        "projection and patient position (PA, AP, supine)",
    ]


def test_in_scope_is_the_whole_first_sentence_of_the_output():
    scope = hospital()[1]["scope"]["in_scope"]
    assert scope == [first_sentence(HOSPITAL_ANSWERS[("S1Q10", 0)])]
    assert scope[0].endswith("arriving; flagged studies move to the top of the reporting worklist.")


def test_the_summary_states_the_objective_in_one_sentence():
    values = hospital_answer_values()
    content = build_charter_content(
        project_name="Chest X-ray triage",
        deliverables=hospital(),
        answers=values,
        findings=[],
        version=1,
        generated_at="2025-07-01T10:00:00+00:00",
    )
    objective = content["sections"]["executive_summary"]["objective"]
    assert objective == (
        "Chest X-rays with an urgent finding wait in the same first-come reporting worklist as routine studies, so "
        "a pneumothorax can sit unread for hours."
    )
    kpis = narrative_context("Chest X-ray triage", hospital())["kpis"]
    assert [k["name"] for k in kpis] == [
        "Median report time for urgent chest X-rays",
        "Turnaround time of routine chest X-rays",
    ]


def test_labelled_examples_available_against_needed():
    labeling = hospital()[3]["labeling_strategy"]
    assert (labeling["available_count"], labeling["required_count"], labeling["shortfall"]) == (200, 3000, 2800)
    assert labeling["needed"] is True  # 2,800 short although no new labels were planned
    found = [f for f in rule_findings(hospital()) if f.check == "labelled_examples_needed"]
    assert len(found) == 1 and found[0].stages == (3,)
    assert "need 3,000 labelled examples, but 200 labelled examples exist: 2,800 examples short" in found[0].description
    enough = hospital({("S3Q11", 0): "2800"})
    assert [f for f in rule_findings(enough) if f.check == "labelled_examples_needed"] == []


def test_every_rule_finding_names_the_questions_it_rests_on_and_quotes_free_text():
    findings = rule_findings(hospital())
    assert findings and all(f.questions for f in findings)
    batch = next(f for f in findings if f.check == "realtime_vs_batch")
    assert "within 1 minute," in batch.description  # not "1 minutes"
    assert "“demographics for every patient, loaded by a nightly batch at 02:00”" in batch.description
    assert batch.questions == ("S2Q13", "S3Q1", "S3Q2")
    assert not [f for f in findings if f.check == "personas_within_window"]  # hourly use is not a latency


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("One. Two.", "One."),
        ("Costs 3.5 EUR, e.g. per call. Next", "Costs 3.5 EUR, e.g. per call."),
        ("No full stop", "No full stop"),
        ("", ""),
    ],
)
def test_first_sentence(text: str, first: str):
    assert first_sentence(text) == first


def test_short_name_and_plural():
    assert short_name("Median report time: hours from acquisition.") == "Median report time"
    assert short_name("Churn rate.") == "Churn rate"
    assert plural(3000.0, "labelled example") == "3,000 labelled examples"
    assert plural(1, "minute") == "1 minute" and plural(0.5, "day") == "0.5 days"


def test_a_span_of_time_reads_in_the_largest_unit_it_fills():
    assert span_text(21 * 86_400 - 30 * 60) == "about 21 days"  # not "30,210 minutes"
    assert span_text(13 * 86_400) == "13 days" and span_text(-2 * 3_600) == "−2 hours"
    assert span_text(9_000) == "about 2.5 hours" and span_text(45) == "45 seconds" and span_text(0) == "0 seconds"
    assert span_text(None) == "—"


def test_an_availability_note_naming_two_features_gives_each_its_own_reason():
    two = {
        "value": "no",
        "detail": "Outage minutes are only reconciled at month end. Support tickets in the last 90 days lag a week "
        "because Zendesk exports weekly; for now we copy them by hand.",
    }
    features = {f.name: f for f in build_stage_1(AnswerSet.from_values(_churn_with({("S1Q9", 0): two}))).input_features}
    assert features["outage minutes on the customer's line"].availability_note == (
        "Outage minutes are only reconciled at month end."
    )
    assert features["support tickets in the last 90 days"].availability_note == (
        "Support tickets in the last 90 days lag a week because Zendesk exports weekly; for now we copy them by hand."
    )
    assert features["contract end date"].available_in_production is True


@pytest.mark.parametrize(
    ("described", "method"),
    [
        ("24 pilot areas get the ranked list and 24 matched control areas keep the old plan.", "ab_test"),
        ("The difference is measured against a control of districts that keep the age-based plan.", "ab_test"),
        ("We compare the churn rate before and after launch.", "before_after"),
        ("The analyst computes it monthly from the work orders.", None),
    ],
)
def test_the_validation_method_is_read_from_how_the_kpi_is_measured(described, method):
    matrix = hospital({("S2Q5", 0): described, ("S2Q5", 1): "Counted monthly.", ("S2Q8", 0): "Logged weekly."})[2]
    assert matrix["validation_plan"]["method"] == method
