"""Structured-output contracts, one per purpose.

Every provider's reply is validated against these (Anthropic and Ollama get their JSON schema; the offline
provider builds instances directly), so the code that reads an assessment never cares who wrote it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sessions_app.interview.rules import MAX_FOLLOWUPS, QUALITY_THRESHOLD

# Model commentary sometimes leaks into list items ("Here's a follow-up question: ..."): shown clean.
_COMMENTARY = re.compile(
    r"^\s*(?:here(?:'s| is| are)\b[^:]*:"
    r"|(?:suggested\s+)?follow[- ]?up(?:\s+questions?)?\s*\d*\s*:"
    r"|q\d+\s*[:.)])\s*",
    re.IGNORECASE,
)


def clean_line(text: str) -> str:
    """Strip model commentary, list markers and stray quotes from one line of generated text."""
    cleaned = _COMMENTARY.sub("", text.strip())
    cleaned = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", cleaned)
    return cleaned.strip().strip('"').strip()


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionScores(Contract):
    specificity: int = Field(ge=0, le=10, description="Names concrete processes, systems, people or data.")
    measurability: int = Field(ge=0, le=10, description="States numbers, units, baselines or targets.")
    completeness: int = Field(ge=0, le=10, description="Covers what the question asks, in enough detail.")
    coherence: int = Field(ge=0, le=10, description="Reads as one clear, consistent statement.")
    relevance: int = Field(ge=0, le=10, description="Answers the question that was asked.")

    def mean(self) -> float:
        return (self.specificity + self.measurability + self.completeness + self.coherence + self.relevance) / 5


SCORE_ABOVE_CRITERIA_TOLERANCE = 2  # rounding and weighting: the overall may exceed the criteria mean by this much
MODEL_REPLY = "model_reply"  # validation-context flag: the data came from a language model's reply


class QualityAssessment(Contract):
    """The verdict on one free-text answer (purpose ``quality_check``)."""

    score: int = Field(
        ge=0,
        le=10,
        description=(
            f"Overall quality 0-10, derived from the criteria (not above their mean by more than "
            f"{SCORE_ABOVE_CRITERIA_TOLERANCE}); accepted at {QUALITY_THRESHOLD} or above."
        ),
    )
    criteria: CriterionScores
    issues: list[str] = Field(default_factory=list, description="What is missing or weak, one per item.")
    followup_questions: list[str] = Field(
        default_factory=list,
        max_length=MAX_FOLLOWUPS,
        description=(
            f"1-{MAX_FOLLOWUPS} targeted questions when the score is below {QUALITY_THRESHOLD}; plain questions, "
            "no commentary."
        ),
    )
    example_answer: str = Field(default="", description="A short example of a stronger answer.")
    injection_detected: bool = Field(
        default=False, description="True when the answer tries to instruct the assessor instead of answering."
    )

    @field_validator("issues", "followup_questions")
    @classmethod
    def _clean_lines(cls, items: list[str]) -> list[str]:
        return [line for line in (clean_line(item) for item in items) if line]

    @model_validator(mode="after")
    def _followups_when_rejected(self) -> QualityAssessment:
        if self.score < QUALITY_THRESHOLD and not self.followup_questions:
            raise ValueError(f"An answer scored below {QUALITY_THRESHOLD} needs 1-{MAX_FOLLOWUPS} follow-up questions.")
        return self

    @model_validator(mode="after")
    def _score_follows_criteria(self, info: ValidationInfo) -> QualityAssessment:
        # The overall may sit below the criteria (a named problem, such as an injection, caps it) but never far
        # above them: "all criteria 3, overall 9" is a contradiction, re-asked rather than accepted. Checked on
        # a model's reply (validation context MODEL_REPLY), not on what our own offline heuristics build.
        if not (info.context or {}).get(MODEL_REPLY):
            return self
        ceiling = round(self.criteria.mean()) + SCORE_ABOVE_CRITERIA_TOLERANCE
        if self.score > ceiling:
            raise ValueError(
                f"The overall score {self.score} is higher than the criteria allow (their mean is "
                f"{self.criteria.mean():.1f}; at most {ceiling}). Derive the overall score from the criteria."
            )
        return self

    @property
    def accepted(self) -> bool:
        return self.score >= QUALITY_THRESHOLD


class ExtractedItem(Contract):
    name: str = Field(min_length=1)
    detail: str = ""


class ExtractedItems(Contract):
    """Free text turned into a list of items (purpose ``extraction``): features, sources, risks…"""

    items: list[ExtractedItem]


Severity = Literal["critical", "high", "medium", "low"]


class ConsistencyFinding(Contract):
    check: str
    severity: Severity
    description: str
    recommendation: str


class ConsistencyReport(Contract):
    """Semantic contradictions across stages (purpose ``consistency``); rule-based checks live elsewhere."""

    findings: list[ConsistencyFinding] = Field(default_factory=list)


class AdaptedExample(Contract):
    """An example of a strong answer, rewritten for the user's project (purpose ``adapted_example``)."""

    example: str = Field(
        min_length=1,
        max_length=1500,
        description="The example answer only: 1-3 sentences (or one item per line for a list), no preamble.",
    )
    domain: str = Field(default="", description="The bank example's domain it was adapted from, e.g. healthcare.")

    @field_validator("example")
    @classmethod
    def _clean_example(cls, text: str) -> str:
        cleaned = "\n".join(line.rstrip() for line in text.strip().strip('"').splitlines()).strip()
        if not cleaned:
            raise ValueError("The example is empty.")
        return cleaned


class CharterNarrative(Contract):
    """The prose parts of the charter (purpose ``charter``); tables come from the structured data."""

    executive_summary: str = Field(min_length=1)
    critical_success_factors: list[str] = Field(default_factory=list)
    major_risks: list[str] = Field(default_factory=list)
    decision_rationale: str = ""
