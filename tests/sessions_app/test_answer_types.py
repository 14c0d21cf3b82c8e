"""Typed answers: each type's accepted forms normalise predictably; everything else is refused with a plain
message and a stable code. Questions are built here so the rules are tested independently of the bank."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sessions_app.interview.answer_types import (
    MAX_ANSWER_CHARS,
    MAX_LIST_ITEM_CHARS,
    MAX_LIST_ITEMS,
    VALIDATORS,
    NormalisedAnswer,
    duration_seconds,
    validate_answer,
)
from sessions_app.interview.question_bank import Question, QuestionNotFound, QuestionType


def make_question(question_type: str, **fields) -> Question:
    base = {
        "id": "S1Q1",
        "group": "g",
        "type": question_type,
        "required": True,
        "feeds": "field",
        "text": "A question?",
        "help": "Some help.",
        "examples": [{"domain": "telecom", "text": "An example."}],
    }
    return Question.model_validate(base | fields)


TEXT = make_question("text")
LIST = make_question("list")
PLAIN_NUMBER = make_question("number", min=0)
WEEKS = make_question("number", unit="weeks", min=0)
DURATION = make_question("number", unit_choices=["minutes", "hours", "days", "weeks"], min=0)
FREE_UNIT = make_question("number", free_unit=True)
THRESHOLDS = make_question("number", id="S2Q7", per_item_of="S2Q6", min=0)
SCALE = make_question("scale")
PERCENTAGE = make_question("percentage")
TASK_TYPE = make_question(
    "choice",
    choices=[
        {"value": "classification", "label": "Classification"},
        {"value": "anomaly_detection", "label": "Anomaly detection"},
        {"value": "time_series_forecasting", "label": "Time-series forecasting"},
    ],
)
AVAILABILITY = make_question(
    "choice",
    choices=[
        {"value": "yes", "label": "Yes, all of them"},
        {"value": "no", "label": "No, some will not be available"},
    ],
    detail={"prompt": "Name the features that will not be available.", "required_for": ["no"]},
)


def rejects(question, raw, code: str | None = None, contains: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_answer(question, raw)
    error = caught.value
    if code is not None:
        assert error.code == code, error.messages
    if contains is not None:
        assert contains in error.messages[0], error.messages
    return error


def test_every_question_type_has_a_validator():
    assert set(VALIDATORS) == set(QuestionType)


# --- Empty answers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", [TEXT, LIST, PLAIN_NUMBER, WEEKS, THRESHOLDS, SCALE, PERCENTAGE, TASK_TYPE], ids=lambda q: f"{q.type}"
)
@pytest.mark.parametrize("raw", [None, "", "   \n\t", [], {}, {"value": ""}, {"value": None}])
def test_an_empty_answer_is_never_accepted(question, raw):
    rejects(question, raw, code="required", contains="needs an answer")


# --- Text ---------------------------------------------------------------------------------------------------


def test_text_is_trimmed_and_line_endings_normalised():
    assert validate_answer(TEXT, "  Cut churn\r\nfrom 2.1% to 1.7%  ").value == "Cut churn\nfrom 2.1% to 1.7%"
    assert validate_answer(TEXT, {"value": "Cut churn"}) == NormalisedAnswer("Cut churn")


def test_text_up_to_the_limit_is_accepted_and_one_more_character_is_not():
    assert len(validate_answer(TEXT, "x" * MAX_ANSWER_CHARS).value) == MAX_ANSWER_CHARS
    rejects(TEXT, "x" * (MAX_ANSWER_CHARS + 1), code="too_long", contains="limit is 10,000")


@pytest.mark.parametrize("raw", [42, ["a list"], True, "bad\x00byte"])
def test_text_rejects_non_text(raw):
    rejects(TEXT, raw, code="invalid")


# --- List ---------------------------------------------------------------------------------------------------


def test_list_accepts_a_list_of_strings_and_trims_them():
    assert validate_answer(LIST, [" customer tenure ", "monthly bill", ""]).value == ("customer tenure", "monthly bill")


def test_list_accepts_newline_separated_text_and_drops_bullets_and_blank_lines():
    text = "- usage — network warehouse\n\n* tickets — Zendesk\n• outages\n1. contract end\n2) bill amount\n"
    assert validate_answer(LIST, text).value == (
        "usage — network warehouse",
        "tickets — Zendesk",
        "outages",
        "contract end",
        "bill amount",
    )


def test_list_keeps_a_leading_number_that_is_not_a_bullet():
    assert validate_answer(LIST, "1.5x more calls\n-5 degree days").value == ("1.5x more calls", "-5 degree days")


def test_list_rejects_non_text_items_too_many_items_and_overlong_items():
    rejects(LIST, ["ok", 3], code="invalid", contains="Item 2")
    rejects(LIST, [f"item {i}" for i in range(MAX_LIST_ITEMS + 1)], code="too_long", contains="limit is 50")
    rejects(LIST, ["fine", "y" * (MAX_LIST_ITEM_CHARS + 1)], code="too_long", contains="Item 2")
    rejects(LIST, ["", "  ", "- "], code="required")
    rejects(LIST, 12, code="invalid", contains="one item per line")


# --- Number -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [6, 6.0, "6", " 6 ", "6 weeks", "6 week", Decimal("6"), {"value": 6, "unit": "Weeks"}])
def test_number_with_a_fixed_unit_accepts_a_plain_number_or_that_unit(raw):
    assert validate_answer(WEEKS, raw) == NormalisedAnswer(6.0, unit="weeks")


def test_number_with_a_fixed_unit_rejects_another_unit():
    rejects(WEEKS, {"value": 6, "unit": "days"}, code="invalid_unit", contains="in weeks")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"value": 12.5, "unit": "days"}, NormalisedAnswer(12.5, unit="days")),
        ("12.5 days", NormalisedAnswer(12.5, unit="days")),
        ("3 Hours", NormalisedAnswer(3.0, unit="hours")),
        ({"value": "1", "unit": "week"}, NormalisedAnswer(1.0, unit="weeks")),
    ],
)
def test_number_with_unit_choices_normalises_the_unit(raw, expected):
    assert validate_answer(DURATION, raw) == expected


def test_number_with_unit_choices_needs_one_of_them():
    rejects(DURATION, 12.5, code="unit_required", contains="minutes, hours, days, weeks")
    rejects(DURATION, "12.5 fortnights", code="invalid_unit", contains="'fortnights'")
    rejects(DURATION, {"value": 12.5, "unit": 3}, code="invalid")
    rejects(DURATION, {"value": "12.5 days", "unit": "days"}, code="invalid", contains="unit once")


def test_number_with_a_free_unit_keeps_the_users_unit_and_requires_one():
    assert validate_answer(FREE_UNIT, "2.1 %") == NormalisedAnswer(2.1, unit="%")
    assert validate_answer(FREE_UNIT, {"value": 540, "unit": " EUR "}) == NormalisedAnswer(540.0, unit="EUR")
    rejects(FREE_UNIT, 2.1, code="unit_required", contains="what the number measures")
    rejects(FREE_UNIT, {"value": 2, "unit": "u" * 31}, code="too_long")


def test_number_without_a_unit_refuses_one():
    assert validate_answer(PLAIN_NUMBER, "1e3") == NormalisedAnswer(1000.0)
    rejects(PLAIN_NUMBER, "5 days", code="invalid_unit", contains="plain number")


@pytest.mark.parametrize(
    "raw",
    [
        math.nan,
        math.inf,
        -math.inf,
        "nan",
        "inf",
        "Infinity",
        Decimal("NaN"),
        10**400,
        "twelve",
        "12..5",
        True,
        [12],
        {"amount": 12},
    ],
)
def test_number_rejects_nan_infinity_and_non_numbers(raw):
    rejects(PLAIN_NUMBER, raw, code="invalid")


def test_number_explains_thousands_separators_and_bounds():
    rejects(PLAIN_NUMBER, "1,200", code="invalid", contains="1200 rather than 1,200")
    rejects(WEEKS, -1, code="out_of_range", contains="at least 0")


# --- Per-item numbers (one threshold per metric) ------------------------------------------------------------


def test_per_item_number_accepts_a_mapping_or_one_line_per_item():
    expected = {"recall": 0.7, "AUC-ROC": 0.8, "F1": 0.6}
    assert dict(validate_answer(THRESHOLDS, {"recall": 0.7, "AUC-ROC": "0.8", "F1": 0.6}).value) == expected
    lines = "recall: 0.70\n- AUC-ROC = 0.8\nF1 0.6\n\n"
    assert dict(validate_answer(THRESHOLDS, lines).value) == expected
    assert dict(validate_answer(THRESHOLDS, "recall ≥ 0.7").value) == {"recall": 0.7}


def test_per_item_number_rejects_missing_values_duplicates_and_out_of_range():
    rejects(THRESHOLDS, "recall: high", code="invalid", contains="'recall'")
    rejects(THRESHOLDS, "recall", code="invalid", contains="name and a value")
    rejects(THRESHOLDS, "recall: 0.7\nRecall: 0.8", code="invalid", contains="given twice")
    rejects(THRESHOLDS, {"recall": -0.1}, code="out_of_range")
    rejects(THRESHOLDS, 0.7, code="invalid", contains="one value per item")


# --- Scale --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(7, 7), ("7", 7), (" 7/10 ", 7), (7.0, 7), (0, 0), (10, 10)])
def test_scale_accepts_whole_numbers_from_zero_to_ten(raw, expected):
    answer = validate_answer(SCALE, raw)
    assert answer == NormalisedAnswer(expected) and isinstance(answer.value, int)


def test_scale_takes_an_optional_note():
    assert validate_answer(SCALE, {"value": 8, "note": " reconciled monthly "}) == NormalisedAnswer(
        8, note="reconciled monthly"
    )
    assert validate_answer(SCALE, {"value": 8, "note": "  "}) == NormalisedAnswer(8)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (11, "out_of_range"),
        (-1, "out_of_range"),
        (7.5, "invalid"),
        ("seven", "invalid"),
        (True, "invalid"),
        ("7/100", "invalid"),
    ],
)
def test_scale_rejects_out_of_range_fractions_and_non_numbers_and_states_the_range(raw, code):
    rejects(SCALE, raw, code=code, contains="from 0 to 10")


def test_scale_rejects_a_malformed_note_or_unexpected_keys():
    rejects(SCALE, {"value": 7, "note": 5}, code="invalid", contains="note must be text")
    rejects(SCALE, {"value": 7, "note": "n" * 501}, code="too_long")
    rejects(SCALE, {"value": 7, "extra": 1}, code="invalid", contains="Unexpected key(s) extra")


# --- Percentage ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (85, 85.0),
        ("85%", 85.0),
        ("85 %", 85.0),
        ("85", 85.0),
        (85.5, 85.5),
        (0, 0.0),
        ("100%", 100.0),
        ({"value": 70}, 70.0),
    ],
)
def test_percentage_accepts_numbers_and_percent_signs(raw, expected):
    assert validate_answer(PERCENTAGE, raw) == NormalisedAnswer(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (101, "out_of_range"),
        ("-1%", "out_of_range"),
        ("85%%", "invalid"),
        ("eighty", "invalid"),
        (True, "invalid"),
        (math.nan, "invalid"),
    ],
)
def test_percentage_rejects_out_of_range_and_non_numbers(raw, code):
    error = rejects(PERCENTAGE, raw, code=code)
    assert "85" in error.messages[0]  # the message shows an accepted form


# --- Choice -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "anomaly_detection",
        "Anomaly_Detection",
        " ANOMALY DETECTION ",
        "anomaly-detection",
        "Anomaly detection",
        {"value": "anomaly_detection"},
    ],
)
def test_choice_matches_value_or_label_case_insensitively(raw):
    assert validate_answer(TASK_TYPE, raw) == NormalisedAnswer("anomaly_detection")


def test_choice_matches_a_hyphenated_label():
    assert validate_answer(TASK_TYPE, "time series forecasting").value == "time_series_forecasting"


@pytest.mark.parametrize("raw", ["deep learning", 3, ["classification"], "classif"])
def test_choice_rejects_anything_else_and_lists_the_options(raw):
    rejects(TASK_TYPE, raw, code="invalid_choice", contains="classification (Classification)")


def test_choice_detail_is_required_where_the_question_asks_for_it():
    assert validate_answer(AVAILABILITY, "yes") == NormalisedAnswer("yes")
    rejects(AVAILABILITY, "no", code="detail_required", contains="Name the features")
    rejects(AVAILABILITY, {"value": "no", "detail": "  "}, code="detail_required")
    assert validate_answer(AVAILABILITY, {"value": "No", "detail": " outage minutes (month-end only) "}) == (
        NormalisedAnswer("no", detail="outage minutes (month-end only)")
    )


def test_choice_without_a_detail_refuses_one():
    rejects(TASK_TYPE, {"value": "classification", "detail": "because"}, code="invalid", contains="only a choice")


# --- Round trip, lookup by id, durations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (TEXT, "Cut churn"),
        (LIST, "a\nb"),
        (DURATION, "3 days"),
        (FREE_UNIT, "2.1 %"),
        (THRESHOLDS, "recall: 0.7"),
        (SCALE, {"value": 6, "note": "gaps"}),
        (PERCENTAGE, "85%"),
        (AVAILABILITY, {"value": "no", "detail": "outages"}),
    ],
)
def test_the_stored_json_form_validates_back_to_the_same_answer(question, raw):
    answer = validate_answer(question, raw)
    assert validate_answer(question, answer.to_json()) == answer


def test_json_form_contains_only_what_the_answer_has():
    assert validate_answer(LIST, "a\nb").to_json() == {"value": ["a", "b"]}
    assert validate_answer(DURATION, "3 days").to_json() == {"value": 3.0, "unit": "days"}
    assert validate_answer(THRESHOLDS, "recall: 0.7").to_json() == {"value": {"recall": 0.7}}


def test_questions_can_be_given_by_id_from_the_shipped_bank():
    assert validate_answer("S3Q5", 7) == NormalisedAnswer(7)
    assert validate_answer("S1Q11", "NLP").value == "nlp"
    assert validate_answer("S3Q13", "12000 eur") == NormalisedAnswer(12000.0, unit="EUR")
    with pytest.raises(QuestionNotFound):
        validate_answer("S9Q9", "anything")


def test_durations_convert_to_seconds_for_the_actionability_margin():
    window = validate_answer(DURATION, "21 days")
    latency = validate_answer(DURATION, {"value": 8, "unit": "days"})
    assert duration_seconds(window) - duration_seconds(latency) == 13 * 86_400
    with pytest.raises(ValueError, match="not a duration"):
        duration_seconds(NormalisedAnswer(2.0, unit="quarters"))
