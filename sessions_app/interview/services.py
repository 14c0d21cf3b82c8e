"""Writes of the interview: answers, gates, concerns, checkpoints. Pages and the API call these, and only these.

Each service sequences validate → write → start the background run, with no domain rules of its own: the
question bank says what is asked, ``answer_types`` validates typed answers, the registry builds deliverables and
runs gates, the governance step decides, the executor does the model work in the background.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel

from accounts.models import ActingUser, User
from sessions_app.activity.services import activity_record
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.interview import progress, selectors
from sessions_app.interview.answer_types import validate_answer
from sessions_app.interview.gates import GateResult
from sessions_app.interview.question_bank import Group
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.interview.registry import REGISTRY, to_json
from sessions_app.interview.rules import MAX_REPEAT_ITEMS, MIN_REASON_CHARS
from sessions_app.models import (
    ACTIVE_RUN_STATUSES,
    REMOVED_MARK,
    REMOVED_VALUE,
    ActivityKind,
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
from sessions_app.runs.services import run_start


@dataclass(frozen=True)
class Submitted:
    answer: Answer
    run: StageRun | None  # the background quality check, for free-text answers
    # What the save did to the stage states (the edited stage re-opened, later ones need review); None when the
    # save changed nothing (an identical re-save).
    effect: selectors.EditEffect | None = None


# --- answers --------------------------------------------------------------------------------------------------
def _value_digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _refuse_if_overtaken(current: Answer | None, version: int | None, actor: ActingUser | None) -> None:
    """The optimistic check between members: ``version`` is the answer the writer started from (its id, 0 for
    none). When another member has saved a newer answer since, the save is refused (409 ``answer_changed``) with
    that answer, so nothing is overwritten unseen. A writer's own newer save (another tab) does not count."""
    if version is None:
        return
    seen = current.pk if current is not None else 0
    if current is None or seen == version or current.answered_by_id == getattr(actor, "pk", None):
        return
    by = current.answered_by.get_full_name() if current.answered_by else "another member"
    raise InterviewConflict(
        f"{by} changed this answer while you were editing it, so yours was not saved. Read theirs, then save yours "
        "again if it should replace it.",
        code="answer_changed",
        current={
            "version": current.pk,
            "value": current.value,
            # The same shape as an answer's ``answered_by`` (null when that account is gone).
            "answered_by": {"user_id": str(current.answered_by.pk), "name": by} if current.answered_by else None,
            "created_at": current.created_at.isoformat(),
        },
    )


def answer_submit(
    *,
    session: ScopingSession,
    stage_number: int,
    question_id: str,
    answer: object,
    item: int = 0,
    actor: ActingUser | None = None,
    version: int | None = None,
) -> Submitted:
    """Validate and save the answer at once; free text then gets a background quality check. ``actor`` is who
    answers (the session's owner when not given); ``version`` the answer they started from (see
    :func:`_refuse_if_overtaken`)."""
    q = selectors.question_for(stage_number, question_id, item)
    try:
        normalised = validate_answer(q, answer)
    except ValidationError as exc:
        raise ValidationError({"answer": exc.messages}) from exc
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        selectors.require_reachable(locked, stage_number)
        current = selectors.current_answer(locked, q.id, item)
        _refuse_if_overtaken(current, version, actor)
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
            attempt=selectors.attempt_after(locked, current, q.id, item),
            status=AnswerStatus.PENDING if q.is_quality_scored else AnswerStatus.ACCEPTED,
            answered_by_id=getattr(actor, "pk", None) or locked.owner_id,
        )
        row.answered_by = actor if isinstance(actor, User) else None
        effect = progress.reopen_from(locked, stage_number)
        activity_record(
            session=locked,
            locked=True,
            actor=actor,
            kind=ActivityKind.ANSWER_SAVED,
            summary=f"Answered {q.id}{f' #{item + 1}' if item else ''}: {q.text[:200]}",
            detail={
                "stage": stage_number,
                "question_id": q.id,
                "item": item,
                "answer_id": row.pk,
                "value_sha256": _value_digest(row.value),
            },
        )
        run = None
        if q.is_quality_scored:
            run = run_start(
                session=locked,
                kind=RunKind.ANSWER_CHECK,
                stage=stage_number,
                answer=row,
                step="Saved. Waiting to check your answer…",
                owner=actor,
            )
    _take_fields(session, locked)
    return Submitted(answer=row, run=run, effect=effect)


def _take_fields(session: ScopingSession, fresh: ScopingSession) -> None:
    """The caller's session as the locked copy left it (what ``refresh_from_db`` would read, without the query)."""
    for field in ScopingSession._meta.concrete_fields:
        setattr(session, field.attname, getattr(fresh, field.attname))


MAX_GROUP_ANSWERS = 60  # a "Save group" request: more answers than any stage has questions is refused


@dataclass(frozen=True)
class GroupAnswer:
    question_id: str
    item: int
    answer: object  # a raw answer, as answer_submit takes it
    version: int | None = None  # the answer the writer started from (answer_submit's ``version``)


@dataclass(frozen=True)
class GroupAnswerResult:
    """What happened to one answer of a group save. ``status``: ``saved`` (a typed answer, final), ``checking``
    (free text saved, its check started), ``unchanged`` (identical to the current answer: nothing written),
    ``queued`` (free text *not saved yet*: another check is running; send it again after ``retry_after`` s),
    ``invalid`` (not saved; ``errors`` says why), ``conflict`` (not saved: another member changed it since
    ``version``)."""

    question_id: str
    item: int
    status: str
    answer: Answer | None = None
    run: StageRun | None = None
    errors: tuple[str, ...] = ()
    retry_after: int | None = None


def answers_submit_group(
    *, session: ScopingSession, stage_number: int, answers: list[GroupAnswer], actor: ActingUser | None = None
) -> list[GroupAnswerResult]:
    """Save several answers of a stage at once (a group's "Save group"): each is validated and saved on its own
    through :func:`answer_submit`, so a valid answer is kept even when its neighbour is refused.

    Free text and the one-active-run rule (``run_start``): a user has at most one background run, so only one
    text answer can start its check at a time. Typed answers go first (they start no run); then the first
    changed text answer is saved and checked; any further changed text answer meets ``RunInProgress`` inside its
    own transaction, is rolled back and comes back ``queued`` with ``retry_after``: the page sends it again when
    the check ends (static/js/autosave.js), an API client does the same. Nothing typed is lost: queued and
    invalid answers keep their text on the page (and in the request the client still holds).
    """
    keys = [(entry.question_id, entry.item) for entry in answers]
    if not answers:
        raise ValidationError({"answers": ["Send at least one answer."]})
    if len(answers) > MAX_GROUP_ANSWERS:
        raise ValidationError({"answers": [f"Send at most {MAX_GROUP_ANSWERS} answers at once."]})
    if len(set(keys)) != len(keys):
        raise ValidationError({"answers": ["Send each question (and item) once."]})
    selectors.require_reachable(session, stage_number)
    scored: dict[tuple[str, int], bool] = {}
    for entry in answers:
        try:
            scored[(entry.question_id, entry.item)] = selectors.question_for(
                stage_number, entry.question_id, entry.item
            ).is_quality_scored
        except ValidationError:
            scored[(entry.question_id, entry.item)] = False  # answer_submit reports the error below
    results: dict[tuple[str, int], GroupAnswerResult] = {}
    for entry in sorted(answers, key=lambda e: scored[(e.question_id, e.item)]):  # stable: typed first
        key = (entry.question_id, entry.item)
        started = timezone.now()
        try:
            submitted = answer_submit(
                session=session,
                stage_number=stage_number,
                question_id=entry.question_id,
                answer=entry.answer,
                item=entry.item,
                actor=actor,
                version=entry.version,
            )
        except ValidationError as exc:
            messages_ = (
                [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
            )
            results[key] = GroupAnswerResult(*key, status="invalid", errors=tuple(messages_))
            continue
        except RunInProgress as exc:
            results[key] = GroupAnswerResult(*key, status="queued", retry_after=exc.retry_after)
            continue
        except InterviewConflict as exc:
            results[key] = GroupAnswerResult(*key, status="conflict", errors=(exc.message,))
            continue
        changed = submitted.answer.created_at >= started
        status = "unchanged" if not changed else ("checking" if submitted.run is not None else "saved")
        results[key] = GroupAnswerResult(*key, status=status, answer=submitted.answer, run=submitted.run)
    return [results[key] for key in keys]


def answer_item_remove(
    *, session: ScopingSession, stage_number: int, group_key: str, item: int, actor: ActingUser | None = None
) -> list[Answer]:
    """Remove one item of a repeatable group (a second KPI, a persona). Answers are append-only, so nothing is
    deleted: each current answer of the item gets a *removal row* after it (``Answer.is_removal``), which the
    selectors read as "no answer"; the history stays. Like an edit, it re-opens the stage (``progress.reopen_from``).
    The last remaining item cannot be removed (answer it differently instead)."""
    group = _repeatable_group(stage_number, group_key)
    if not 0 <= item < MAX_REPEAT_ITEMS:
        raise ValidationError({"item": [f"Item must be between 0 and {MAX_REPEAT_ITEMS - 1}."]})
    question_ids = {q.id for q in stage_definition(stage_number).questions_in_group(group.key)}
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        selectors.require_reachable(locked, stage_number)
        current = {
            key: row for key, row in selectors.latest_answers(locked, stage_number).items() if key[0] in question_ids
        }
        items = {i for (_qid, i) in current}
        removed = [row for (_qid, i), row in current.items() if i == item]
        if not removed:
            raise ValidationError({"item": [f"{group.title} has no item #{item + 1} to remove."]})
        if items == {item}:
            raise ValidationError(
                {"item": [f"This is the only item of {group.title}; change its answers instead of removing it."]}
            )
        if StageRun.objects.filter(answer__in=removed, status__in=ACTIVE_RUN_STATUSES).exists():
            raise InterviewConflict(
                "An answer of this item is still being checked; remove it when the check is done.",
                code="check_in_progress",
            )
        rows = [
            Answer.objects.create(
                session=locked,
                stage=stage_number,
                question_id=row.question_id,
                item=item,
                value=REMOVED_VALUE,
                attempt=1,
                status=AnswerStatus.ACCEPTED,
                quality={REMOVED_MARK: True, "removed_answer": row.pk},
                answered_by_id=getattr(actor, "pk", None) or locked.owner_id,
            )
            for row in sorted(removed, key=lambda r: r.question_id)
        ]
        progress.reopen_from(locked, stage_number)
        activity_record(
            session=locked,
            locked=True,
            actor=actor,
            kind=ActivityKind.ITEM_REMOVED,
            summary=f"Removed item #{item + 1} of {group.title}",
            detail={"stage": stage_number, "group": group.key, "item": item, "answer_ids": [r.pk for r in rows]},
        )
    session.refresh_from_db()
    return rows


def _repeatable_group(stage_number: int, group_key: str) -> Group:
    try:
        group = stage_definition(stage_number).group(group_key)
    except LookupError as exc:
        raise ValidationError({"group": [f"Stage {stage_number} has no group {group_key!r}."]}) from exc
    if not group.repeatable:
        raise ValidationError({"group": [f"{group.title} is asked once; it has no items to remove."]})
    return group


# --- gates ----------------------------------------------------------------------------------------------------
def stage_evaluate(*, session: ScopingSession, stage_number: int) -> tuple[BaseModel, GateResult]:
    """Build the stage's deliverable and run its gate on the current answers (no writes)."""
    answers = selectors.current_answer_set(session)
    deliverable = selectors.stage_deliverable(answers, stage_number)
    acknowledged = set(selectors.acknowledgement_reasons(session, stage_number))
    return deliverable, REGISTRY[stage_number].gate(answers, deliverable, acknowledged)


def stage_complete(*, session: ScopingSession, stage_number: int, actor: ActingUser | None = None) -> Checkpoint:
    """Run the gate; when it passes, write a checkpoint and move on. Otherwise 409 with what is missing."""
    selectors.require_reachable(session, stage_number)
    if StageRun.objects.filter(session=session, stage=stage_number, status__in=ACTIVE_RUN_STATUSES).exists():
        raise InterviewConflict(
            "An answer of this stage is still being checked; try again when it is done.", code="check_in_progress"
        )
    deliverable, gate = stage_evaluate(session=session, stage_number=stage_number)
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        checkpoint = _gate_recorded(locked, stage_number, deliverable, gate)
        if checkpoint is not None:
            progress.advance(locked, passed=stage_number)
            _gate_logged(locked, actor, stage_number, checkpoint)
            session.refresh_from_db()
            return checkpoint
    raise InterviewConflict("The stage's gate did not pass yet.", code="gate_failed", gate=to_json(gate))


def _gate_logged(locked: ScopingSession, actor: ActingUser | None, stage_number: int, checkpoint: Checkpoint) -> None:
    activity_record(
        session=locked,
        locked=True,
        actor=actor,
        kind=ActivityKind.GATE_PASSED,
        summary=f"Completed stage {stage_number}: {stage_definition(stage_number).title}",
        detail={"stage": stage_number, "checkpoint_id": str(checkpoint.pk)},
    )


def _gate_recorded(
    locked: ScopingSession, stage_number: int, deliverable: BaseModel, gate: GateResult
) -> Checkpoint | None:
    """Store the gate's result on the stage; when it passed, the stage is complete and gets a checkpoint."""
    state = progress.state_for(locked, stage_number)
    state.deliverable, state.gate = to_json(deliverable), to_json(gate)
    if not gate.passed:
        state.save(update_fields=["deliverable", "gate", "updated_at"])
        return None
    state.status, state.completed_at = StageStatus.COMPLETED, timezone.now()
    state.save()
    return Checkpoint.objects.create(
        session=locked,
        stage=stage_number,
        data={
            "stage": stage_number,
            "deliverable": state.deliverable,
            "gate": state.gate,
            "answers": selectors.stage_answers_snapshot(locked, stage_number),
        },
    )


@dataclass(frozen=True)
class StageRecheck:
    """One stage's part of a re-check: ``passed`` (a new checkpoint), ``not_passed`` (the gate says what is
    missing), ``check_in_progress`` (an answer of it is still being checked) or ``not_checked`` (an earlier stage
    stopped the re-check)."""

    stage: int
    outcome: str
    checkpoint: Checkpoint | None = None
    gate: dict[str, Any] | None = None


@dataclass(frozen=True)
class Recheck:
    results: list[StageRecheck]
    current_stage: int

    @property
    def passed(self) -> bool:
        return all(r.outcome == RECHECK_PASSED for r in self.results)

    @property
    def stopped_at(self) -> StageRecheck | None:
        return next((r for r in self.results if r.outcome in (RECHECK_NOT_PASSED, RECHECK_BUSY)), None)


RECHECK_PASSED, RECHECK_NOT_PASSED, RECHECK_BUSY, RECHECK_SKIPPED = (
    "passed",
    "not_passed",
    "check_in_progress",
    "not_checked",
)


def stages_recheck(*, session: ScopingSession, actor: ActingUser | None = None) -> Recheck:
    """The "Re-check stages" action: run, in order, the gate of every stage that needs review or was re-opened by
    an edit. Each that passes is complete again with a new checkpoint; the first that does not pass stops the re-check
    (it stays open with its gate's result stored, so its page shows what is missing) and the later ones keep
    needing review. A stage with an answer still being checked stops it too. Nothing to re-check: no results."""
    with transaction.atomic():
        locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
        states = selectors.stage_states(locked)
        todo = selectors.stages_to_recheck(states)
        busy = set(
            StageRun.objects.filter(session=locked, stage__in=todo, status__in=ACTIVE_RUN_STATUSES).values_list(
                "stage", flat=True
            )
        )
        answers = selectors.current_answer_set(locked)
        results: list[StageRecheck] = []
        stopped = False
        for number in todo:
            if stopped:
                results.append(StageRecheck(stage=number, outcome=RECHECK_SKIPPED))
                continue
            if number in busy:
                results.append(StageRecheck(stage=number, outcome=RECHECK_BUSY))
                stopped = True
                continue
            deliverable = selectors.stage_deliverable(answers, number)
            acknowledged = set(selectors.acknowledgement_reasons(locked, number))
            gate = REGISTRY[number].gate(answers, deliverable, acknowledged)
            checkpoint = _gate_recorded(locked, number, deliverable, gate)
            if checkpoint is not None:
                results.append(StageRecheck(stage=number, outcome=RECHECK_PASSED, checkpoint=checkpoint))
                progress.advance(locked, passed=number)
                _gate_logged(locked, actor, number, checkpoint)
                continue
            if states[number].status == StageStatus.STALE:
                # Reviewed and found wanting: it needs work now, like a stage whose answer changed.
                StageState.objects.filter(session=locked, stage=number).update(
                    status=StageStatus.OPEN, updated_at=timezone.now()
                )
            results.append(StageRecheck(stage=number, outcome=RECHECK_NOT_PASSED, gate=to_json(gate)))
            stopped = True
        progress.advance(locked)
    session.refresh_from_db()
    return Recheck(results=results, current_stage=session.current_stage)


def concern_acknowledge(
    *, session: ScopingSession, stage_number: int, key: str, reason: str, actor: ActingUser | None = None
) -> ConcernAcknowledgement:
    reason = reason_checked(reason, what="concern")
    _, gate = stage_evaluate(session=session, stage_number=stage_number)
    concerns = {c.key: c for c in gate.concerns}
    if key not in concerns:
        raise ValidationError({"key": [f"Stage {stage_number} has no open concern {key!r}."]})
    return acknowledgement_save(
        session=session, stage=stage_number, key=key, message=concerns[key].message, reason=reason, actor=actor
    )


def reason_checked(reason: str, *, what: str) -> str:
    """The written reason of an acknowledgement (a gate concern or a consistency finding): at least a sentence."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            {"reason": [f"Say in a sentence why this {what} is acceptable ({MIN_REASON_CHARS}+ characters)."]}
        )
    return reason


@transaction.atomic
def acknowledgement_save(
    *, session: ScopingSession, stage: int, key: str, message: str, reason: str, actor: ActingUser | None = None
) -> ConcernAcknowledgement:
    """Record (or update) that the team accepts a concern or finding, with its reason; the charter lists it."""
    ack, _ = ConcernAcknowledgement.objects.update_or_create(
        session=session,
        stage=stage,
        key=key,
        defaults={
            "reason": reason,
            "message": message,
            "created_by_id": getattr(actor, "pk", None) or session.owner_id,
        },
    )
    where = f"stage {stage}" if stage else "the consistency check"
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.ACKNOWLEDGED,
        summary=f"Acknowledged a concern of {where}: {message[:160]}",
        detail={"stage": stage, "key": key, "reason": reason},
    )
    return ack


# --- checkpoints ----------------------------------------------------------------------------------------------
@transaction.atomic
def checkpoint_restore(
    *, session: ScopingSession, checkpoint: Checkpoint, actor: ActingUser | None = None
) -> ScopingSession:
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
            answered_by_id=getattr(actor, "pk", None) or locked.owner_id,
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
    progress.advance(locked, passed=checkpoint.stage)
    activity_record(
        session=locked,
        locked=True,
        actor=actor,
        kind=ActivityKind.RESTORED,
        summary=f"Restored stage {checkpoint.stage} to its checkpoint of {checkpoint.created_at:%d %b %Y, %H:%M}",
        detail={"stage": checkpoint.stage, "checkpoint_id": str(checkpoint.pk)},
    )
    session.refresh_from_db()
    return locked
