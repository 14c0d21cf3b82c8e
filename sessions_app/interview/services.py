"""Writes of the interview: answers, gates, concerns, checkpoints. Pages and the API call these, and only these.

Each service sequences validate → write → start the background run, with no domain rules of its own: the
question bank says what is asked, ``answer_types`` validates typed answers, the registry builds deliverables and
runs gates, the governance step decides, the executor does the model work in the background.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel

from sessions_app.errors import InterviewConflict
from sessions_app.interview import progress, selectors
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.gates import GateResult
from sessions_app.interview.registry import REGISTRY, to_json
from sessions_app.interview.rules import MIN_REASON_CHARS
from sessions_app.models import (
    ACTIVE_RUN_STATUSES,
    Answer,
    AnswerStatus,
    Checkpoint,
    ConcernAcknowledgement,
    RunKind,
    ScopingSession,
    SessionStatus,
    StageRun,
    StageStatus,
)
from sessions_app.runs.services import run_start


@dataclass(frozen=True)
class Submitted:
    answer: Answer
    run: StageRun | None  # the background quality check, for free-text answers


# --- answers --------------------------------------------------------------------------------------------------
def answer_submit(
    *, session: ScopingSession, stage_number: int, question_id: str, answer: object, item: int = 0
) -> Submitted:
    """Validate and save the answer at once; free text then gets a background quality check."""
    q = selectors.question_for(stage_number, question_id, item)
    try:
        normalised = validate_answer(q, answer)
    except ValidationError as exc:
        raise ValidationError({"answer": exc.messages}) from exc
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        selectors.require_reachable(locked, stage_number)
        current = selectors.current_answer(locked, q.id, item)
        if (
            current is not None
            and current.value == normalised.to_json()
            and current.status != AnswerStatus.CHECK_FAILED
        ):
            # An identical re-save (a double click, Enter on an unchanged field, a retried request) changes nothing:
            # no new row, no new attempt, no re-opened stage. Only a failed check is worth running again.
            return Submitted(answer=current, run=selectors.active_check(current))
        row = Answer.objects.create(
            session=locked,
            stage=stage_number,
            question_id=q.id,
            item=item,
            value=normalised.to_json(),
            attempt=selectors.next_attempt(locked, q.id, item),
            status=AnswerStatus.PENDING if q.is_quality_scored else AnswerStatus.ACCEPTED,
        )
        progress.reopen_from(locked, stage_number)
        run = None
        if q.is_quality_scored:
            run = run_start(
                session=locked,
                kind=RunKind.ANSWER_CHECK,
                stage=stage_number,
                answer=row,
                step="Saved. Waiting to check your answer…",
            )
    session.refresh_from_db()
    return Submitted(answer=row, run=run)


# --- gates ----------------------------------------------------------------------------------------------------
def stage_evaluate(*, session: ScopingSession, stage_number: int) -> tuple[BaseModel, GateResult]:
    """Build the stage's deliverable and run its gate on the current answers (no writes)."""
    answers = selectors.current_answer_set(session)
    deliverable = selectors.stage_deliverable(answers, stage_number)
    acknowledged = set(selectors.acknowledgement_reasons(session, stage_number))
    return deliverable, REGISTRY[stage_number].gate(answers, deliverable, acknowledged)


def stage_complete(*, session: ScopingSession, stage_number: int) -> Checkpoint:
    """Run the gate; when it passes, write a checkpoint and move on. Otherwise 409 with what is missing."""
    selectors.require_reachable(session, stage_number)
    if StageRun.objects.filter(session=session, stage=stage_number, status__in=ACTIVE_RUN_STATUSES).exists():
        raise InterviewConflict(
            "An answer of this stage is still being checked; try again when it is done.", code="check_in_progress"
        )
    deliverable, gate = stage_evaluate(session=session, stage_number=stage_number)
    gate_json = to_json(gate)
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        state = progress.state_for(locked, stage_number)
        state.deliverable, state.gate = to_json(deliverable), gate_json
        if not gate.passed:
            state.save(update_fields=["deliverable", "gate", "updated_at"])
        else:
            state.status, state.completed_at = StageStatus.COMPLETED, timezone.now()
            state.save()
            checkpoint = Checkpoint.objects.create(
                session=locked,
                stage=stage_number,
                data={
                    "stage": stage_number,
                    "deliverable": state.deliverable,
                    "gate": gate_json,
                    "answers": selectors.stage_answers_snapshot(locked, stage_number),
                },
            )
            progress.advance(locked)
            session.refresh_from_db()
            return checkpoint
    raise InterviewConflict("The stage's gate did not pass yet.", code="gate_failed", gate=gate_json)


def concern_acknowledge(*, session: ScopingSession, stage_number: int, key: str, reason: str) -> ConcernAcknowledgement:
    reason = reason_checked(reason, what="concern")
    _, gate = stage_evaluate(session=session, stage_number=stage_number)
    concerns = {c.key: c for c in gate.concerns}
    if key not in concerns:
        raise ValidationError({"key": [f"Stage {stage_number} has no open concern {key!r}."]})
    return acknowledgement_save(
        session=session, stage=stage_number, key=key, message=concerns[key].message, reason=reason
    )


def reason_checked(reason: str, *, what: str) -> str:
    """The written reason of an acknowledgement (a gate concern or a consistency finding): at least a sentence."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            {"reason": [f"Say in a sentence why this {what} is acceptable ({MIN_REASON_CHARS}+ characters)."]}
        )
    return reason


def acknowledgement_save(
    *, session: ScopingSession, stage: int, key: str, message: str, reason: str
) -> ConcernAcknowledgement:
    """Record (or update) that the team accepts a concern or finding, with its reason; the charter lists it."""
    ack, _ = ConcernAcknowledgement.objects.update_or_create(
        session=session, stage=stage, key=key, defaults={"reason": reason, "message": message}
    )
    return ack


# --- checkpoints ----------------------------------------------------------------------------------------------
@transaction.atomic
def checkpoint_restore(*, session: ScopingSession, checkpoint: Checkpoint) -> ScopingSession:
    """Bring the stage back to the snapshot: answers re-added as new rows, later stages marked stale."""
    locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
    current = selectors.stage_answers_snapshot(locked, checkpoint.stage)
    for key, saved in checkpoint.data["answers"].items():
        if current.get(key) == saved:
            continue
        question_id, item = key.split("#")
        Answer.objects.create(
            session=locked,
            stage=checkpoint.stage,
            question_id=question_id,
            item=int(item),
            value=saved["value"],
            status=saved["status"],
            quality_score=saved.get("score"),
            quality={"restored_from_checkpoint": str(checkpoint.pk)},
        )
    state = progress.state_for(locked, checkpoint.stage)
    state.status, state.deliverable, state.gate = (
        StageStatus.COMPLETED,
        checkpoint.data["deliverable"],
        checkpoint.data["gate"],
    )
    state.completed_at = timezone.now()
    state.save()
    progress.mark_later_stale(locked, checkpoint.stage)
    if locked.status == SessionStatus.COMPLETED:
        locked.status, locked.completed_at = SessionStatus.IN_PROGRESS, None
    progress.advance(locked)
    session.refresh_from_db()
    return locked
