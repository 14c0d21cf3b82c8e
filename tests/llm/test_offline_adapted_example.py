"""Offline ``adapted_example``: the bank example whose domain is closest to the project, deterministically."""

from __future__ import annotations

import pytest

from llm.gateway import complete
from llm.models import LLMCall
from llm.offline.examples import adapted_example_from_context, closest_example
from llm.schemas import AdaptedExample
from llm.types import LLMRequest, Purpose

EXAMPLES = [
    {"domain": "telecom", "text": "Churn falls from 2.1% to 1.7% within two quarters."},
    {"domain": "healthcare", "text": "Readmissions fall from 14% to 11% within a year."},
    {"domain": "retail", "text": "On-shelf availability rises from 94% to 97% within 12 weeks."},
]


@pytest.mark.parametrize(
    ("project", "domain"),
    [
        ("Readmission risk for patients discharged from our hospital wards", "healthcare"),
        ("Demand forecasting for 180 grocery stores", "retail"),
        ("Predict which broadband subscribers will cancel", "telecom"),
        ("Something with no recognisable domain at all", "telecom"),  # no hits: the bank's first example
        ("", "telecom"),
    ],
)
def test_the_closest_domain_wins_and_no_match_falls_back_to_the_first_example(project, domain):
    assert closest_example(project, EXAMPLES)["domain"] == domain


def test_more_keyword_hits_beat_fewer():
    project = "A hospital project: patients, wards and clinical staff, with one store room."
    assert closest_example(project, EXAMPLES)["domain"] == "healthcare"


def test_the_handler_returns_the_chosen_example_verbatim_and_is_deterministic():
    context = {"project": "Hospital discharge planning", "examples": EXAMPLES}
    first = adapted_example_from_context(context, "")
    assert first == adapted_example_from_context(context, "")
    assert first == AdaptedExample(example=EXAMPLES[1]["text"], domain="healthcare")


def test_a_context_without_examples_is_a_bad_request():
    with pytest.raises(ValueError):
        adapted_example_from_context({"project": "x", "examples": []}, "")


@pytest.mark.django_db
def test_through_the_gateway_offline_it_is_labelled_offline_and_logged_at_zero_cost(scoping_session):
    request = LLMRequest(
        purpose=Purpose.ADAPTED_EXAMPLE,
        system="Write an example.",
        messages=[{"role": "user", "content": "Question…"}],
        output=AdaptedExample,
        session=scoping_session,
        stage=1,
        context={"project": "Motor insurance claims triage for our hospital partner", "examples": EXAMPLES},
    )
    result = complete(request)
    assert result.offline and result.provider == "offline"
    assert result.parsed == AdaptedExample(example=EXAMPLES[1]["text"], domain="healthcare")
    call = LLMCall.objects.get(completion_id=result.completion_id)
    assert (call.purpose, call.session_id, call.stage, call.cost_usd) == ("adapted_example", scoping_session.pk, 1, 0)
