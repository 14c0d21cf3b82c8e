"""The reflection step: ask the LLM gateway to assess one free-text answer, then record the verdict. It runs in
the background as an ``answer_check`` run (``check_answer``, registered with the executor at start-up).

The answer is sent as delimited data, never as instructions; the assessor is told to flag (not follow) any
instructions it finds inside. The verdict decides the answer's status: accepted at ``QUALITY_THRESHOLD`` or
above, a follow-up round below it, and after ``MAX_ATTEMPTS`` the best attempt is carried forward as escalated.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from llm.gateway import complete
from llm.prompts import QUALITY_SYSTEM_PROMPT, QualityCheckInput, quality_check_prompt
from llm.schemas import QualityAssessment
from llm.types import LLMRequest, LLMResult, Purpose, Tier
from sessions_app.interview import extraction
from sessions_app.interview.answer_types import answer_text
from sessions_app.interview.question_bank import Question, question
from sessions_app.interview.rules import MAX_ATTEMPTS, QUALITY_THRESHOLD
from sessions_app.models import Answer, AnswerStatus, RunKind, StageRun
from sessions_app.runs.executor import RunUsage, StageExecutor, run_is_running, run_progress

# The prompt is built in one place, llm.prompts (kept importable here under its old name).
ASSESSOR_SYSTEM_PROMPT = QUALITY_SYSTEM_PROMPT


def assessment_request(answer: Answer, q: Question, *, history: list[str]) -> LLMRequest[QualityAssessment]:
    text = answer_text(answer)
    session = answer.session
    prompt = quality_check_prompt(
        QualityCheckInput(
            question_id=q.id,
            question=q.text,
            guidance=q.help,
            answer=text,
            earlier_attempts=history,
            project_name=session.project_name,
            project_description=session.description,
        )
    )
    return LLMRequest(
        purpose=Purpose.QUALITY_CHECK,
        system=QUALITY_SYSTEM_PROMPT,
        messages=[{"role": "user", "content": prompt}],
        output=QualityAssessment,
        tier=Tier.FAST,
        session=session,
        stage=answer.stage,
        context={"answer": text, "question": q.text, "example": q.example},
    )


def cycle_attempts(answer: Answer) -> list[Answer]:
    """Earlier attempts at the same question since its last final answer, oldest first."""
    rows = list(
        Answer.objects.filter(
            session_id=answer.session_id,
            question_id=answer.question_id,
            item=answer.item,
            created_at__lte=answer.created_at,
        )
        .exclude(pk=answer.pk)
        .order_by("-created_at", "-id")
    )
    attempts: list[Answer] = []
    for row in rows:
        if row.is_final:
            break
        attempts.append(row)
    return list(reversed(attempts))


def assess_answer(answer: Answer) -> LLMResult[QualityAssessment]:
    """Call the gateway (no database writes here: the caller records the verdict if the run still stands)."""
    q = question(answer.question_id)
    history = [answer_text(row) for row in cycle_attempts(answer)]
    return complete(assessment_request(answer, q, history=history))


def feedback_json(result: LLMResult[QualityAssessment]) -> dict[str, Any]:
    assessment = result.parsed
    assert assessment is not None
    return {
        **assessment.model_dump(mode="json"),
        "accepted": assessment.accepted,
        "threshold": QUALITY_THRESHOLD,
        "provider": result.provider,
        "model": result.model,
        "offline": result.offline,
    }


@transaction.atomic
def record_assessment(answer: Answer, result: LLMResult[QualityAssessment]) -> Answer:
    """Store the verdict on the answer row and decide its status. Returns the row that is now current."""
    assessment = result.parsed
    assert assessment is not None
    answer.quality_score = assessment.score
    answer.quality = feedback_json(result)
    if assessment.accepted and not assessment.injection_detected:
        answer.status = AnswerStatus.ACCEPTED
        answer.save(update_fields=["quality_score", "quality", "status"])
        return answer
    answer.status = AnswerStatus.NEEDS_FOLLOWUP
    answer.save(update_fields=["quality_score", "quality", "status"])
    if answer.attempt < MAX_ATTEMPTS:
        return answer
    return _escalate(answer)


def _escalate(last: Answer) -> Answer:
    """After the last attempt, the best-scored attempt of the cycle becomes the current answer, marked escalated."""
    attempts = [*cycle_attempts(last), last]
    best = max(attempts, key=lambda row: (row.quality_score or 0, row.created_at))
    if best.pk == last.pk:
        last.status = AnswerStatus.ESCALATED
        last.save(update_fields=["status"])
        return last
    return Answer.objects.create(
        session_id=last.session_id,
        stage=last.stage,
        question_id=last.question_id,
        item=last.item,
        value=best.value,
        attempt=last.attempt,
        status=AnswerStatus.ESCALATED,
        quality_score=best.quality_score,
        quality={**best.quality, "carried_forward_from_attempt": best.attempt},
        structured=best.structured,
        carried_from=best,
        answered_by_id=best.answered_by_id,
    )


# --- the background run ---------------------------------------------------------------------------------------
def usage_of(result: LLMResult[Any]) -> RunUsage:
    return RunUsage(
        provider=result.provider,
        model=result.model,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        cost_usd=result.cost_usd,
    )


@StageExecutor.register(RunKind.ANSWER_CHECK, kept="Your answer is saved")
def check_answer(run: StageRun) -> tuple[dict[str, Any], RunUsage | None] | None:
    answer = run.answer
    if answer is None:
        raise ValueError("This run has no answer to check.")
    if not run_progress(run=run, step="Checking your answer…"):
        return None
    result: LLMResult[QualityAssessment] = assess_answer(answer)
    if not run_is_running(run=run):  # cancelled while the model was thinking: discard
        return None
    current = record_assessment(answer, result)
    usage = usage_of(result)
    if current.is_final and not result.offline and run_progress(run=run, step="Reading the structure…"):
        extracted = extraction.extract(current)
        if extracted is not None:
            usage = usage.plus(usage_of(extracted))
    return {"answer_id": current.pk, "status": current.status, **current.quality}, usage
