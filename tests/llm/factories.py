"""Small builders for LLM tests."""

from __future__ import annotations

from typing import Any

from llm.prompts import quality_check_request
from llm.schemas import QualityAssessment
from llm.types import LLMRequest

GOOD_ASSESSMENT: dict[str, Any] = {
    "score": 8,
    "criteria": {"specificity": 8, "measurability": 9, "completeness": 7, "coherence": 9, "relevance": 8},
    "issues": [],
    "followup_questions": [],
    "example_answer": "",
    "injection_detected": False,
}


def assessment(**overrides: Any) -> dict[str, Any]:
    return {**GOOD_ASSESSMENT, **overrides}


def quality_request(
    answer: str = "Cut claim processing from 14 to 7 days", *, session: Any = None, stage: int | None = 1
) -> LLMRequest[QualityAssessment]:
    return quality_check_request(
        question="What does success look like, and how is it measured?",
        answer=answer,
        session=session,
        stage=stage,
    )
