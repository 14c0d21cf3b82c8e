"""Set up a session whose five stages are complete, from the churn answers (with optional overrides)."""

from __future__ import annotations

from typing import Any

from sessions_app.interview import services
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.question_bank import question
from sessions_app.models import Answer, AnswerStatus, ScopingSession
from tests.sessions_app.churn_answers import CHURN_ANSWERS_BY_STAGE


def store_answers(session: ScopingSession, stage: int, overrides: dict[tuple[str, int], Any] | None = None) -> None:
    """Accepted answers as the interview would have left them (the quality check itself is tested elsewhere)."""
    answers = {**CHURN_ANSWERS_BY_STAGE[stage], **{k: v for k, v in (overrides or {}).items() if k[0][1] == str(stage)}}
    for (question_id, item), raw in answers.items():
        value = validate_answer(question(question_id), raw).to_json()
        Answer.objects.create(
            session=session,
            stage=stage,
            question_id=question_id,
            item=item,
            value=value,
            status=AnswerStatus.ACCEPTED,
            quality_score=8 if question(question_id).is_quality_scored else None,
        )


def complete_stage(session: ScopingSession, stage: int, reason: str = "Accepted by the team for this test.") -> None:
    _, gate = services.stage_evaluate(session=session, stage_number=stage)
    for concern in gate.concerns:
        services.concern_acknowledge(session=session, stage_number=stage, key=concern.key, reason=reason)
    services.stage_complete(session=session, stage_number=stage)


def complete_interview(session: ScopingSession, overrides: dict[tuple[str, int], Any] | None = None) -> None:
    for stage in range(1, 6):
        store_answers(session, stage, overrides)
        complete_stage(session, stage)
    session.refresh_from_db()
