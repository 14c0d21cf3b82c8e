"""The offline provider for every purpose, through the gateway, and its dispatch table."""

from __future__ import annotations

import pytest

from llm.gateway import complete
from llm.offline.extraction import extract_items
from llm.providers.offline import HANDLERS
from llm.schemas import CharterNarrative, ConsistencyReport, ExtractedItems, QualityAssessment
from llm.types import LLMRequest, Purpose

pytestmark = pytest.mark.django_db


def _request(purpose, output=None, context=None, content="Go.", **kwargs):
    return LLMRequest(
        purpose=purpose,
        system="s",
        messages=[{"role": "user", "content": content}],
        output=output,
        context=context or {},
        **kwargs,
    )


def test_every_purpose_has_an_offline_handler():
    assert set(HANDLERS) == set(Purpose)


def test_quality_check_offline_is_labelled(scoping_session):
    result = complete(
        _request(
            Purpose.QUALITY_CHECK,
            QualityAssessment,
            {"answer": "Use AI for predictions", "question": "What is the business problem?"},
            session=scoping_session,
            stage=1,
        )
    )

    assert result.offline is True
    assert result.parsed.score == 1


def test_quality_check_falls_back_to_the_last_user_message():
    result = complete(_request(Purpose.QUALITY_CHECK, QualityAssessment, content="Improve efficiency"))

    assert 2 <= result.parsed.score <= 3


def test_extraction_parses_lines_deterministically():
    text = "- Purchase history (CRM)\n- Engagement score: web analytics\n2. Demographics - customer master\n\n"

    result = complete(_request(Purpose.EXTRACTION, ExtractedItems, {"text": text}))

    assert [(i.name, i.detail) for i in result.parsed.items] == [
        ("Purchase history", "CRM"),
        ("Engagement score", "web analytics"),
        ("Demographics", "customer master"),
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("age, income and tenure", ["age", "income", "tenure"]),
        (
            "claims backlog; adjuster workload; document completeness",
            ["claims backlog", "adjuster workload", "document completeness"],
        ),
        ("Churn\nchurn\nRevenue", ["Churn", "Revenue"]),
        ("", []),
    ],
)
def test_extraction_splits_single_lines_and_dedupes(text, names):
    assert [item.name for item in extract_items(text).items] == names


def test_consistency_offline_reports_no_semantic_findings():
    result = complete(_request(Purpose.CONSISTENCY, ConsistencyReport, {"stages": {}}))

    assert result.parsed.findings == []
    assert result.offline


def test_charter_narrative_is_built_only_from_the_data_given():
    context = {
        "project_name": "Claims triage",
        "business_objective": "Cut average claim processing time from 14 to 7 days",
        "ml_archetype": "classification",
        "overall_feasibility": "medium",
        "governance_decision": "proceed_with_monitoring",
        "decision_reasons": ["Fairness residual risk is medium"],
        "kpis": [{"name": "Processing time", "baseline": "14 days", "target": "7 days", "timeframe": "6 months"}],
        "risks": [{"principle": "Fairness", "risk": "Regional bias", "residual_band": "medium"}],
    }

    result = complete(_request(Purpose.CHARTER, CharterNarrative, context))

    summary = result.parsed.executive_summary
    assert summary.startswith("Claims triage aims to cut average claim processing time from 14 to 7 days.")
    assert "classification problem" in summary
    assert "measured by processing time from 14 days to 7 days within 6 months" in summary
    assert "proceed with monitoring" in summary
    assert result.parsed.major_risks == ["Fairness: Regional bias (residual risk medium)"]
    assert result.parsed.decision_rationale == "Fairness residual risk is medium."


def test_kpi_names_read_as_part_of_the_sentence_and_acronyms_stay():
    kpis = [{"name": "Monthly churn rate"}, {"name": "NPS of app users"}, {"name": "eNPS"}]
    summary = complete(_request(Purpose.CHARTER, CharterNarrative, {"kpis": kpis})).parsed.executive_summary
    assert "Success is measured by monthly churn rate; NPS of app users; eNPS." in summary


def test_charter_narrative_with_no_data_invents_nothing():
    result = complete(_request(Purpose.CHARTER, CharterNarrative, {}))

    assert result.parsed.executive_summary == "This project."
    assert result.parsed.major_risks == []


def test_health_offline_is_ok():
    assert complete(_request(Purpose.HEALTH)).text == "ok"


def test_offline_provider_with_an_incompatible_schema_is_unavailable(llm_settings):
    from llm.errors import LLMUnavailable

    llm_settings.LLM_PROVIDERS = ["offline"]

    with pytest.raises(LLMUnavailable) as caught:
        complete(_request(Purpose.EXTRACTION, QualityAssessment, {"text": "a\nb"}))

    assert caught.value.failures == {"offline": "invalid output"}


def test_json_schema_requests_get_a_dict():
    schema = {
        "type": "object",
        "properties": {"items": {"type": "array"}},
        "required": ["items"],
    }
    request = LLMRequest(
        purpose=Purpose.EXTRACTION,
        system="s",
        messages=[{"role": "user", "content": "x"}],
        json_schema=schema,
        context={"text": "alpha\nbeta"},
    )

    result = complete(request)

    assert result.parsed == {"items": [{"name": "alpha", "detail": ""}, {"name": "beta", "detail": ""}]}
