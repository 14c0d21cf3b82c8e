"""Where a session's interview stands: stage states, current answers, attempts, reachability, re-opening.

Small functions the orchestrator sequences and the selectors read; none of them calls a model.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions_app.errors import InterviewConflict
from sessions_app.interview.answers import AnswerSet
from sessions_app.models import (
    STAGE_COUNT,
    Answer,
    AnswerStatus,
    ScopingSession,
    SessionStatus,
    StageState,
    StageStatus,
)
from sessions_app.question_bank import Question, QuestionNotFound, question, stage

MAX_REPEAT_ITEMS = 10  # at most this many KPIs / personas in a repeatable group


def question_for(stage_number: int, question_id: str, item: int) -> Question:
    """The question, if it belongs to this stage and the item number fits its group; else field errors."""
    try:
        q = question(question_id)
    except (QuestionNotFound, KeyError, ValueError) as exc:
        raise ValidationError({"question_id": [f"There is no question {question_id!r}."]}) from exc
    if q.stage != stage_number:
        raise ValidationError({"question_id": [f"Question {q.id} belongs to stage {q.stage}, not {stage_number}."]})
    if item and not stage(stage_number).group(q.group).repeatable:
        raise ValidationError({"item": [f"Question {q.id} is asked once; leave item out or send 0."]})
    if not 0 <= item < MAX_REPEAT_ITEMS:
        raise ValidationError({"item": [f"Item must be between 0 and {MAX_REPEAT_ITEMS - 1}."]})
    return q


def next_attempt(session: ScopingSession, question_id: str, item: int) -> int:
    """Attempts count since the question's last final (accepted or escalated) answer."""
    attempt = 1
    history = Answer.objects.filter(session=session, question_id=question_id, item=item)
    for status in history.order_by("-created_at", "-id").values_list("status", flat=True):
        if status in (AnswerStatus.ACCEPTED, AnswerStatus.ESCALATED):
            break
        attempt += 1
    return attempt


def require_reachable(session: ScopingSession, stage_number: int) -> None:
    if stage_number > session.current_stage:
        raise InterviewConflict(
            f"Stage {stage_number} opens once stage {session.current_stage} is complete.",
            code="stage_out_of_order",
            current_stage=session.current_stage,
        )


def reopen_from(session: ScopingSession, stage_number: int) -> None:
    """Editing a completed stage re-opens its gate and marks later completed stages stale; a completed or
    abandoned session is in progress again. Saves ``session``."""
    state = ensure_stage_states(session)[stage_number]
    if state.status in (StageStatus.COMPLETED, StageStatus.STALE):
        state.status = StageStatus.OPEN
        state.save(update_fields=["status", "updated_at"])
        mark_later_stale(session, stage_number)
        session.current_stage = stage_number
    if session.status in (SessionStatus.COMPLETED, SessionStatus.ABANDONED):
        session.status = SessionStatus.IN_PROGRESS
        session.completed_at = None
    session.save(update_fields=["current_stage", "status", "completed_at", "updated_at"])


def mark_later_stale(session: ScopingSession, stage_number: int) -> None:
    StageState.objects.filter(session=session, stage__gt=stage_number, status=StageStatus.COMPLETED).update(
        status=StageStatus.STALE, updated_at=timezone.now()
    )


def ensure_stage_states(session: ScopingSession) -> dict[int, StageState]:
    states = {state.stage: state for state in StageState.objects.filter(session=session)}
    missing = [
        StageState(session=session, stage=n, status=StageStatus.OPEN if n == 1 else StageStatus.LOCKED)
        for n in range(1, STAGE_COUNT + 1)
        if n not in states
    ]
    if missing:
        StageState.objects.bulk_create(missing, ignore_conflicts=True)
        states = {state.stage: state for state in StageState.objects.filter(session=session)}
    for n, state in states.items():
        if n <= session.current_stage and state.status == StageStatus.LOCKED:
            state.status = StageStatus.OPEN
            state.save(update_fields=["status", "updated_at"])
    return states


def next_open_stage(session: ScopingSession) -> int:
    """The first stage that is not completed (stale and open stages need work), or the last stage."""
    done = set(StageState.objects.filter(session=session, status=StageStatus.COMPLETED).values_list("stage", flat=True))
    return next((n for n in range(1, STAGE_COUNT + 1) if n not in done), STAGE_COUNT)


def current_rows(session: ScopingSession, stage_number: int | None = None) -> list[Answer]:
    rows = Answer.objects.filter(session=session)
    if stage_number is not None:
        rows = rows.filter(stage=stage_number)
    return list(rows.order_by("created_at", "id"))


def current_answer_set(session: ScopingSession) -> AnswerSet:
    """Every current answer of the session: later stages' builders read earlier stages' answers."""
    return AnswerSet.from_rows(current_rows(session))


def answers_snapshot(session: ScopingSession, stage_number: int) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for row in current_rows(session, stage_number):
        latest[f"{row.question_id}#{row.item}"] = {"value": row.value, "status": row.status, "score": row.quality_score}
    return latest
