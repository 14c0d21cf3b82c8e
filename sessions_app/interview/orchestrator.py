"""The interview orchestrator: sequences saving answers, background checks, gates and checkpoints.

It holds no domain rules itself: the question bank says what is asked, ``answer_types`` validates typed answers,
the registry builds deliverables and runs gates, the executor does the LLM work in the background. Pages and the
API both call these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sessions_app import runs
from sessions_app.answer_types import validate_answer
from sessions_app.errors import InterviewConflict
from sessions_app.interview import state as progress
from sessions_app.interview.registry import REGISTRY, to_json
from sessions_app.models import (
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


@dataclass(frozen=True)
class Submitted:
    answer: Answer
    run: StageRun | None  # the background quality check, for free-text answers


class InterviewOrchestrator:
    def __init__(self, session: ScopingSession) -> None:
        self.session = session

    # --- answers ------------------------------------------------------------------------------------------
    def submit_answer(self, *, stage_number: int, question_id: str, answer: object, item: int = 0) -> Submitted:
        """Validate and save the answer at once; free text then gets a background quality check."""
        q = progress.question_for(stage_number, question_id, item)
        try:
            normalised = validate_answer(q, answer)
        except ValidationError as exc:
            raise ValidationError({"answer": exc.messages}) from exc
        with transaction.atomic():
            session = ScopingSession.objects.select_for_update().get(pk=self.session.pk)
            progress.require_reachable(session, stage_number)
            row = Answer.objects.create(
                session=session,
                stage=stage_number,
                question_id=q.id,
                item=item,
                value=normalised.to_json(),
                attempt=progress.next_attempt(session, q.id, item),
                status=AnswerStatus.PENDING if q.is_quality_scored else AnswerStatus.ACCEPTED,
            )
            progress.reopen_from(session, stage_number)
            run = None
            if q.is_quality_scored:
                run = runs.run_start(
                    session=session,
                    kind=RunKind.ANSWER_CHECK,
                    stage=stage_number,
                    answer=row,
                    step="Saved. Waiting to check your answer…",
                )
        self.session.refresh_from_db()
        return Submitted(answer=row, run=run)

    # --- gates --------------------------------------------------------------------------------------------
    def evaluate_stage(self, *, stage_number: int) -> tuple[Any, Any]:
        """Build the stage's deliverable and run its gate on the current answers (no writes)."""
        answers = progress.current_answer_set(self.session)
        deliverable = REGISTRY.build(stage_number, answers)
        acks = ConcernAcknowledgement.objects.filter(session=self.session, stage=stage_number)
        acknowledged = set(acks.values_list("key", flat=True))
        return deliverable, REGISTRY.gate(stage_number, answers, deliverable, acknowledged)

    def complete_stage(self, *, stage_number: int) -> Checkpoint:
        """Run the gate; when it passes, write a checkpoint and move on. Otherwise 409 with what is missing."""
        progress.require_reachable(self.session, stage_number)
        if StageRun.objects.filter(
            session=self.session, stage=stage_number, status__in=runs.ACTIVE_RUN_STATUSES
        ).exists():
            raise InterviewConflict(
                "An answer of this stage is still being checked; try again when it is done.", code="check_in_progress"
            )
        deliverable, gate = self.evaluate_stage(stage_number=stage_number)
        gate_json = to_json(gate)
        with transaction.atomic():
            session = ScopingSession.objects.select_for_update().get(pk=self.session.pk)
            state = progress.ensure_stage_states(session)[stage_number]
            state.deliverable, state.gate = to_json(deliverable), gate_json
            if not gate_json.get("passed"):
                state.save(update_fields=["deliverable", "gate", "updated_at"])
            else:
                state.status, state.completed_at = StageStatus.COMPLETED, timezone.now()
                state.save()
                checkpoint = Checkpoint.objects.create(
                    session=session,
                    stage=stage_number,
                    data={
                        "stage": stage_number,
                        "deliverable": state.deliverable,
                        "gate": gate_json,
                        "answers": progress.answers_snapshot(session, stage_number),
                    },
                )
                session.current_stage = progress.next_open_stage(session)
                session.save(update_fields=["current_stage", "updated_at"])
                self.session.refresh_from_db()
                return checkpoint
        raise InterviewConflict("The stage's gate did not pass yet.", code="gate_failed", gate=gate_json)

    def acknowledge_concern(self, *, stage_number: int, key: str, reason: str) -> ConcernAcknowledgement:
        reason = (reason or "").strip()
        if len(reason) < 10:
            raise ValidationError({"reason": ["Say in a sentence why this concern is acceptable (10+ characters)."]})
        _, gate = self.evaluate_stage(stage_number=stage_number)
        concerns = {c["key"]: c for c in to_json(gate).get("concerns", [])}
        if key not in concerns:
            raise ValidationError({"key": [f"Stage {stage_number} has no open concern {key!r}."]})
        ack, _ = ConcernAcknowledgement.objects.update_or_create(
            session=self.session,
            stage=stage_number,
            key=key,
            defaults={"reason": reason, "message": concerns[key]["message"]},
        )
        return ack

    # --- checkpoints --------------------------------------------------------------------------------------
    @transaction.atomic
    def restore_checkpoint(self, *, checkpoint: Checkpoint) -> ScopingSession:
        """Bring the stage back to the snapshot: answers re-added as new rows, later stages marked stale."""
        session = ScopingSession.objects.select_for_update().get(pk=self.session.pk)
        current = progress.answers_snapshot(session, checkpoint.stage)
        for key, saved in checkpoint.data["answers"].items():
            if current.get(key) == saved:
                continue
            question_id, item = key.split("#")
            Answer.objects.create(
                session=session,
                stage=checkpoint.stage,
                question_id=question_id,
                item=int(item),
                value=saved["value"],
                status=saved["status"],
                quality_score=saved.get("score"),
                quality={"restored_from_checkpoint": str(checkpoint.pk)},
            )
        states = progress.ensure_stage_states(session)
        state = states[checkpoint.stage]
        state.status, state.deliverable, state.gate = (
            StageStatus.COMPLETED,
            checkpoint.data["deliverable"],
            checkpoint.data["gate"],
        )
        state.completed_at = timezone.now()
        state.save()
        progress.mark_later_stale(session, checkpoint.stage)
        session.current_stage = progress.next_open_stage(session)
        if session.status == SessionStatus.COMPLETED:
            session.status, session.completed_at = SessionStatus.IN_PROGRESS, None
        session.save()
        self.session.refresh_from_db()
        return session
