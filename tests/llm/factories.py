"""Small builders for LLM tests."""

from __future__ import annotations

from typing import Any

from llm.prompts import QualityCheckInput, quality_check_prompt
from llm.schemas import QualityAssessment
from llm.types import LLMRequest, Purpose
from sessions_app.interview.quality import ASSESSOR_SYSTEM_PROMPT

QUESTION = "What does success look like, and how is it measured?"

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
    """A quality check built by the same prompt builder the interview uses, without an answer row."""
    content = quality_check_prompt(QualityCheckInput(question_id="", question=QUESTION, guidance="", answer=answer))
    return LLMRequest(
        purpose=Purpose.QUALITY_CHECK,
        system=ASSESSOR_SYSTEM_PROMPT,
        messages=[{"role": "user", "content": content}],
        output=QualityAssessment,
        session=session,
        stage=stage,
        context={"question": QUESTION, "answer": answer, "example": ""},
    )
