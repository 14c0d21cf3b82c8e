"""Examples adapted to the project: one per session and question, asked of the LLM gateway once and cached.

The bank's examples (at least two domains per question) are always shown; this adds "an example for your
project". With a model available it rewrites the examples for the session's project name and description; the
offline provider returns the bank example whose domain is closest to the project, labelled offline. The call is
made on demand (from the page via htmx, or the API), never while a page renders; its tokens and cost are recorded
in ``llm.LLMCall`` like every call. A failure leaves nothing cached: the bank examples stay, and a later request
asks again.
"""

from __future__ import annotations

from llm.gateway import complete
from llm.prompts import ADAPTED_EXAMPLE_SYSTEM_PROMPT, AdaptedExampleInput, adapted_example_prompt
from llm.schemas import AdaptedExample as AdaptedExampleReply
from llm.types import LLMRequest, Purpose, Tier
from sessions_app.interview.question_bank import Question, QuestionType
from sessions_app.models import AdaptedExample, ScopingSession

MAX_TOKENS = 600
MAX_DOMAIN_CHARS = 40


def project_text(session: ScopingSession) -> str:
    return "\n".join(part for part in (session.project_name.strip(), session.description.strip()) if part)


def adapted_example_request(*, session: ScopingSession, question: Question) -> LLMRequest[AdaptedExampleReply]:
    prompt = adapted_example_prompt(
        AdaptedExampleInput(
            question_id=question.id,
            question=question.text,
            guidance=question.help,
            examples=[(example.domain_label, example.text) for example in question.examples],
            project_name=session.project_name,
            project_description=session.description,
            allowed_values=question.choice_values if question.type is QuestionType.CHOICE else (),
        )
    )
    return LLMRequest(
        purpose=Purpose.ADAPTED_EXAMPLE,
        system=ADAPTED_EXAMPLE_SYSTEM_PROMPT,
        messages=[{"role": "user", "content": prompt}],
        output=AdaptedExampleReply,
        tier=Tier.FAST,
        session=session,
        stage=question.stage,
        max_tokens=MAX_TOKENS,
        context={
            "project": project_text(session),
            "examples": [{"domain": example.domain, "text": example.text} for example in question.examples],
        },
    )


def adapted_example_get(*, session: ScopingSession, question_id: str) -> AdaptedExample | None:
    """The cached example, if one was generated (no model call)."""
    return AdaptedExample.objects.filter(session=session, question_id=question_id).first()


def adapted_examples_for_stage(*, session: ScopingSession, stage_number: int) -> dict[str, AdaptedExample]:
    """The cached examples of one stage's questions, by question id: one query, for the stage page."""
    rows = AdaptedExample.objects.filter(session=session, question_id__startswith=f"S{stage_number}Q")
    return {row.question_id: row for row in rows}


def adapted_example_generate(*, session: ScopingSession, question: Question) -> tuple[AdaptedExample, bool]:
    """The cached example, or a new one from the gateway (``created`` True). Raises ``LLMUnavailable``.

    Two requests racing for the same question both call the gateway, and the first row stored wins: the database
    keeps one per session and question.
    """
    cached = adapted_example_get(session=session, question_id=question.id)
    if cached is not None:
        return cached, False
    result = complete(adapted_example_request(session=session, question=question))
    reply = result.parsed
    assert reply is not None
    return AdaptedExample.objects.get_or_create(
        session=session,
        question_id=question.id,
        defaults={
            "text": reply.example,
            "domain": reply.domain.strip()[:MAX_DOMAIN_CHARS],
            "provider": result.provider,
            "model": result.model,
        },
    )
