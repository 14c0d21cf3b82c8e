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
from sessions_app.interview.answers import AnswerSet
from sessions_app.interview.registry import REGISTRY, to_json
from sessions_app.models import (
    STAGE_COUNT,
    Answer,
    AnswerStatus,
    Checkpoint,
    ConcernAcknowledgement,
    RunKind,
    ScopingSession,
    SessionStatus,
    StageRun,
    StageState,
    StageStatus,
)
from sessions_app.question_bank import Question, QuestionNotFound, question, stage

MAX_REPEAT_ITEMS = 10  # at most this many KPIs / personas in a repeatable group


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
        q = self._question(stage_number, question_id, item)
        try:
            normalised = validate_answer(q, answer)
        except ValidationError as exc:
            raise ValidationError({"answer": exc.messages}) from exc
        with transaction.atomic():
            session = ScopingSession.objects.select_for_update().get(pk=self.session.pk)
            self._require_reachable(session, stage_number)
            row = Answer.objects.create(
                session=session,
                stage=stage_number,
                question_id=q.id,
                item=item,
                value=normalised.to_json(),
                attempt=self._next_attempt(q.id, item),
                status=AnswerStatus.PENDING if q.is_quality_scored else AnswerStatus.ACCEPTED,
            )
            self._reopen_from(session, stage_number)
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

    def _question(self, stage_number: int, question_id: str, item: int) -> Question:
        try:
            q = question(question_id)
        except (QuestionNotFound, KeyError, ValueError) as exc:
            raise ValidationError({"question_id": [f"There is no question {question_id!r}."]}) from exc
        if q.stage != stage_number:
            raise ValidationError({"question_id": [f"Question {q.id} belongs to stage {q.stage}, not {stage_number}."]})
        group = stage(stage_number).group(q.group)
        if item and not group.repeatable:
            raise ValidationError({"item": [f"Question {q.id} is asked once; leave item out or send 0."]})
        if not 0 <= item < MAX_REPEAT_ITEMS:
            raise ValidationError({"item": [f"Item must be between 0 and {MAX_REPEAT_ITEMS - 1}."]})
        return q

    def _next_attempt(self, question_id: str, item: int) -> int:
        """Attempts count since the question's last final (accepted or escalated) answer."""
        attempt = 1
        history = Answer.objects.filter(session=self.session, question_id=question_id, item=item)
        for status in history.order_by("-created_at", "-id").values_list("status", flat=True):
            if status in (AnswerStatus.ACCEPTED, AnswerStatus.ESCALATED):
                break
            attempt += 1
        return attempt

    @staticmethod
    def _require_reachable(session: ScopingSession, stage_number: int) -> None:
        if stage_number > session.current_stage:
            raise InterviewConflict(
                f"Stage {stage_number} opens once stage {session.current_stage} is complete.",
                code="stage_out_of_order",
                current_stage=session.current_stage,
            )

    def _reopen_from(self, session: ScopingSession, stage_number: int) -> None:
        """Editing a completed stage re-opens its gate and marks later completed stages stale."""
        states = ensure_stage_states(session)
        state = states[stage_number]
        if state.status in (StageStatus.COMPLETED, StageStatus.STALE):
            state.status = StageStatus.OPEN
            state.save(update_fields=["status", "updated_at"])
            StageState.objects.filter(session=session, stage__gt=stage_number, status=StageStatus.COMPLETED).update(
                status=StageStatus.STALE, updated_at=timezone.now()
            )
            session.current_stage = stage_number
        if session.status in (SessionStatus.COMPLETED, SessionStatus.ABANDONED):  # answering reopens it
            session.status = SessionStatus.IN_PROGRESS
            session.completed_at = None
        session.save(update_fields=["current_stage", "status", "completed_at", "updated_at"])

    # --- gates --------------------------------------------------------------------------------------------
    def evaluate_stage(self, *, stage_number: int) -> tuple[Any, Any]:
        """Build the stage's deliverable and run its gate on the current answers (no writes)."""
        answers = current_answer_set(self.session)
        deliverable = REGISTRY.build(stage_number, answers)
        acks = ConcernAcknowledgement.objects.filter(session=self.session, stage=stage_number)
        acknowledged = set(acks.values_list("key", flat=True))
        return deliverable, REGISTRY.gate(stage_number, answers, deliverable, acknowledged)

    def complete_stage(self, *, stage_number: int) -> Checkpoint:
        """Run the gate; when it passes, write a checkpoint and move on. Otherwise 409 with what is missing."""
        self._require_reachable(self.session, stage_number)
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
            state = ensure_stage_states(session)[stage_number]
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
                        "answers": answers_snapshot(session, stage_number),
                    },
                )
                session.current_stage = next_open_stage(session)
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
        current = answers_snapshot(session, checkpoint.stage)
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
        states = ensure_stage_states(session)
        state = states[checkpoint.stage]
        state.status, state.deliverable, state.gate = (
            StageStatus.COMPLETED,
            checkpoint.data["deliverable"],
            checkpoint.data["gate"],
        )
        state.completed_at = timezone.now()
        state.save()
        StageState.objects.filter(session=session, stage__gt=checkpoint.stage, status=StageStatus.COMPLETED).update(
            status=StageStatus.STALE
        )
        session.current_stage = next_open_stage(session)
        if session.status == SessionStatus.COMPLETED:
            session.status, session.completed_at = SessionStatus.IN_PROGRESS, None
        session.save()
        self.session.refresh_from_db()
        return session


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
