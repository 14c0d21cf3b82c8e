"""Reads of a session's interview. They never write, and take a session already resolved for the acting user by
the access guard (``sessions_app.access``), so they only ever see that user's rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from pydantic import BaseModel

from sessions_app.errors import InterviewConflict
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.builders import feasibility_from_answers
from sessions_app.interview.deliverables import EthicalRiskReport
from sessions_app.interview.governance import report_with_decision
from sessions_app.interview.question_bank import Group, Question, QuestionNotFound, get_bank, question, stage
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.rules import FINAL_STATUSES, MAX_REPEAT_ITEMS
from sessions_app.models import (
    ACTIVE_RUN_STATUSES,
    Answer,
    Checkpoint,
    ConcernAcknowledgement,
    ScopingSession,
    StageRun,
    StageState,
    StageStatus,
)
from sessions_app.sessions.selectors import uuid_or_404


# --- stage states ---------------------------------------------------------------------------------------------
def initial_stage_status(number: int, current_stage: int) -> str:
    """Where a stage stands before its gate ever ran: open up to the current stage, locked after it."""
    return StageStatus.OPEN if number <= max(1, current_stage) else StageStatus.LOCKED


def stage_states(session: ScopingSession) -> dict[int, StageState]:
    """Stage number → its state. Rows are created with the session; a session made without them (bulk inserts)
    reads as unsaved defaults, never written here."""
    states = {state.stage: state for state in StageState.objects.filter(session=session)}
    for n in REGISTRY.numbers:
        if n not in states:
            states[n] = StageState(session=session, stage=n, status=initial_stage_status(n, session.current_stage))
    return states


def next_open_stage(session: ScopingSession) -> int:
    """The first stage that is not completed (stale and open stages need work), or the last stage."""
    done = set(StageState.objects.filter(session=session, status=StageStatus.COMPLETED).values_list("stage", flat=True))
    return next((n for n in REGISTRY.numbers if n not in done), REGISTRY.numbers[-1])


def require_reachable(session: ScopingSession, stage_number: int) -> None:
    if stage_number > session.current_stage:
        raise InterviewConflict(
            f"Stage {stage_number} opens once stage {session.current_stage} is complete.",
            code="stage_out_of_order",
            current_stage=session.current_stage,
        )


def stage_number_or_404(stage_number: int) -> int:
    if stage_number not in REGISTRY:
        raise Http404("No such stage.")
    return stage_number


# --- questions and answers ------------------------------------------------------------------------------------
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


def answer_rows(session: ScopingSession, stage_number: int | None = None) -> list[Answer]:
    """Every answer row (oldest first); the latest per (question, item) is the current answer."""
    rows = Answer.objects.filter(session=session)
    if stage_number is not None:
        rows = rows.filter(stage=stage_number)
    return list(rows.order_by("created_at", "id"))


def latest_answers(session: ScopingSession, stage_number: int | None = None) -> dict[tuple[str, int], Answer]:
    latest: dict[tuple[str, int], Answer] = {}
    for row in answer_rows(session, stage_number):
        latest[(row.question_id, row.item)] = row
    return latest


def current_answer(session: ScopingSession, question_id: str, item: int) -> Answer | None:
    """The latest row of one answer (its current value), or ``None`` before the first."""
    rows = Answer.objects.filter(session=session, question_id=question_id, item=item)
    return rows.order_by("-created_at", "-id").first()


def active_check(answer: Answer) -> StageRun | None:
    """The background check still running for ``answer``, if any."""
    return StageRun.objects.filter(answer=answer, status__in=ACTIVE_RUN_STATUSES).first()


def current_answer_set(session: ScopingSession) -> AnswerSet:
    """Every current answer of the session: later stages' builders read earlier stages' answers."""
    return AnswerSet.from_rows(answer_rows(session))


def stage_deliverable(answers: AnswerSet, stage_number: int) -> BaseModel:
    """The stage's deliverable built from the answers; stage 5's carries the governance decision, taken here as its
    own step with stage 3's data feasibility (the charter takes it again with the consistency findings)."""
    deliverable = REGISTRY[stage_number].build(answers)
    if isinstance(deliverable, EthicalRiskReport):
        deliverable = report_with_decision(deliverable, overall_feasibility=feasibility_from_answers(answers))
    return deliverable


def next_attempt(session: ScopingSession, question_id: str, item: int) -> int:
    """Attempts count since the question's last final (accepted or escalated) answer."""
    attempt = 1
    history = Answer.objects.filter(session=session, question_id=question_id, item=item)
    for status in history.order_by("-created_at", "-id").values_list("status", flat=True):
        if status in FINAL_STATUSES:
            break
        attempt += 1
    return attempt


def stage_answers_snapshot(session: ScopingSession, stage_number: int) -> dict[str, dict[str, Any]]:
    """``"S1Q3#0"`` → the current answer's value, status and score: what a checkpoint keeps."""
    return {
        f"{row.question_id}#{row.item}": {"value": row.value, "status": row.status, "score": row.quality_score}
        for (_qid, _item), row in latest_answers(session, stage_number).items()
    }


def acknowledgement_reasons(session: ScopingSession, stage_number: int) -> dict[str, str]:
    """Concern key → the reason it was acknowledged, for one stage (``CROSS_STAGE`` for consistency findings)."""
    rows = ConcernAcknowledgement.objects.filter(session=session, stage=stage_number)
    return dict(rows.values_list("key", "reason"))


# --- what the stage list and the stage page read --------------------------------------------------------------
@dataclass(frozen=True)
class StageSummary:
    stage: int
    title: str
    deliverable: str
    status: str
    required_questions: int
    required_answered: int
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class QuestionAnswers:
    question: Question
    answers: list[Answer]  # the current row of each item, by item


@dataclass(frozen=True)
class GroupAnswers:
    group: Group
    questions: list[QuestionAnswers]


@dataclass(frozen=True)
class StageDetail:
    number: int
    title: str
    purpose: str
    deliverable_name: str
    state: StageState
    groups: list[GroupAnswers] = field(default_factory=list)

    @property
    def answer_ids(self) -> list[int]:
        return [row.pk for g in self.groups for q in g.questions for row in q.answers]


def stage_overview(session: ScopingSession) -> list[StageSummary]:
    states = stage_states(session)
    latest = latest_answers(session)
    plain = {qid: row.value for (qid, item), row in latest.items() if item == 0}
    overview = []
    for definition in get_bank().stages:
        n = definition.number
        required = [q for q in definition.questions if q.required and q.applies(plain)]
        done = sum(1 for q in required if (row := latest.get((q.id, 0))) is not None and row.status in FINAL_STATUSES)
        overview.append(
            StageSummary(
                stage=n,
                title=definition.title,
                deliverable=definition.deliverable_title,
                status=states[n].status,
                required_questions=len(required),
                required_answered=done,
                completed_at=states[n].completed_at,
            )
        )
    return overview


def stage_detail(session: ScopingSession, stage_number: int) -> StageDetail:
    definition = stage(stage_number)
    latest = latest_answers(session, stage_number)
    groups = [
        GroupAnswers(
            group=group,
            questions=[
                QuestionAnswers(
                    question=q, answers=[row for (qid, _item), row in sorted(latest.items()) if qid == q.id]
                )
                for q in definition.questions
                if q.group == group.key
            ],
        )
        for group in definition.groups
    ]
    return StageDetail(
        number=stage_number,
        title=definition.title,
        purpose=definition.purpose,
        deliverable_name=definition.deliverable_title,
        state=stage_states(session)[stage_number],
        groups=groups,
    )


# --- checkpoints ----------------------------------------------------------------------------------------------
def checkpoint_list(session: ScopingSession) -> list[Checkpoint]:
    return list(Checkpoint.objects.filter(session=session).order_by("-created_at"))


def checkpoint_get(session: ScopingSession, checkpoint_id: str, *, stage_number: int | None = None) -> Checkpoint:
    checkpoints = Checkpoint.objects.filter(session=session, pk=uuid_or_404(checkpoint_id, "checkpoint"))
    if stage_number is not None:
        checkpoints = checkpoints.filter(stage=stage_number)
    checkpoint = checkpoints.first()
    if checkpoint is None:
        raise Http404("No such checkpoint.")
    return checkpoint
