"""Structure from free text, through the gateway's structured output, for the answers the builders read it from.

Only when a language model answered the quality check: offline, the builders parse the text deterministically
(keywords, "name — source" lines), so there is nothing to add. A failed extraction is never an error for the
user: the deterministic parsing stays in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import structlog
from pydantic import BaseModel, Field

from llm.errors import LLMUnavailable
from llm.gateway import complete
from llm.prompts import EXTRACTION_SYSTEM_PROMPT, extraction_prompt
from llm.types import LLMRequest, LLMResult, Purpose, Tier
from sessions_app.interview.answer_types import answer_text
from sessions_app.models import Answer

logger = structlog.get_logger(__name__)


class TargetOutput(BaseModel):
    name: str = Field(description="A short name for what the model predicts, e.g. 'churn within 60 days'.")
    type: Literal["binary", "categorical", "continuous"]


class Pathway(BaseModel):
    kpi: str = Field(description="The business KPI this pathway ends in, named as the user named it.")
    metrics: list[str] = Field(default_factory=list, description="The model metrics whose gains move the KPI.")
    mechanism: str = Field(description="How the metric gain moves the KPI, in one sentence.")


class Pathways(BaseModel):
    pathways: list[Pathway]


SYSTEM = EXTRACTION_SYSTEM_PROMPT  # built in llm.prompts, with every other prompt

# Question → (what to extract, how to store it on the answer).
EXTRACTIONS: dict[str, tuple[type[BaseModel], Callable[[Any], dict[str, Any]]]] = {
    "S1Q10": (TargetOutput, lambda parsed: parsed.model_dump()),
    "S2Q9": (Pathways, lambda parsed: {"pathways": [p.model_dump() for p in parsed.pathways]}),
}


def extract(answer: Answer) -> LLMResult[Any] | None:
    """Fill ``answer.structured`` for the questions in ``EXTRACTIONS``. Returns the call's result, if any."""
    spec = EXTRACTIONS.get(answer.question_id)
    if spec is None:
        return None
    output, store = spec
    request: LLMRequest[Any] = LLMRequest(
        purpose=Purpose.EXTRACTION,
        system=SYSTEM,
        tier=Tier.FAST,
        output=output,
        messages=[{"role": "user", "content": extraction_prompt(answer_text(answer))}],
        session=answer.session,
        stage=answer.stage,
        context={"text": answer_text(answer)},
    )
    try:
        result = complete(request)
    except LLMUnavailable as exc:
        logger.info("extraction_skipped", question_id=answer.question_id, reason=str(exc))
        return None
    if result.offline or result.parsed is None:
        return None
    answer.structured = store(result.parsed)
    answer.save(update_fields=["structured"])
    return result
