"""Reads of a session's interview. They never write, and take a session already resolved for the acting user by
the access guard (``sessions_app.access``), so they only ever see that user's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from pydantic import BaseModel

from sessions_app.errors import InterviewConflict
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.builders import feasibility_from_answers
from sessions_app.interview.deliverables import EthicalRiskReport
from sessions_app.interview.governance import report_with_decision
from sessions_app.interview.question_bank import Group, Question, QuestionNotFound, get_bank, question, stage
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.request_reads import kept
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
    progress_percent,
)
from sessions_app.sessions.selectors import uuid_or_404


# --- stage states ---------------------------------------------------------------------------------------------
def initial_stage_status(number: int, current_stage: int) -> str:
    """Where a stage stands before its gate ever ran: open up to the current stage, locked after it."""
    return StageStatus.OPEN if number <= max(1, current_stage) else StageStatus.LOCKED


def stage_states(session: ScopingSession) -> dict[int, StageState]:
    """Stage number → its state. Rows are created with the session; a session made without them (bulk inserts)
    reads as unsaved defaults, never written here. Loaded once per request (``request_reads``)."""
    loaded = kept(session, "stage_states", lambda: list(StageState.objects.filter(session=session)))
    states = {state.stage: state for state in loaded}
    for n in REGISTRY.numbers:
        if n not in states:
            states[n] = StageState(session=session, stage=n, status=initial_stage_status(n, session.current_stage))
    return states


def is_reopened(state: StageState) -> bool:
    """An open stage whose gate passed before: an answer of it changed (or its re-check did not pass)."""
    return state.status == StageStatus.OPEN and state.completed_at is not None


def stages_to_recheck(states: Mapping[int, StageState]) -> list[int]:
    """The stages "Re-check stages" runs, in order: those needing review and those re-opened by an edit."""
    return [n for n in sorted(states) if states[n].status == StageStatus.STALE or is_reopened(states[n])]


@dataclass(frozen=True)
class EditEffect:
    """What saving a changed answer of one stage does to the stage states (nothing is ever locked)."""

    stage: int
    reopens: bool  # the stage's gate had passed: it must pass again
    needs_review: tuple[int, ...]  # later stages whose gate passed: they will need review

    @property
    def changes_anything(self) -> bool:
        return self.reopens or bool(self.needs_review)

    @property
    def message(self) -> str:
        """The notice shown beside the form before an edit is saved ("" when an edit changes no stage)."""
        if not self.changes_anything:
            return ""
        review = ""
        if self.needs_review:
            review = f"{stage_range_text(self.needs_review)} will need review"
        if not self.reopens:
            return f"Saving a change here means {review}."
        reopen = f"Saving a change re-opens stage {self.stage} (its gate must pass again)"
        return f"{reopen}; {review}." if review else f"{reopen}."


def stage_range_text(numbers: Sequence[int]) -> str:
    """``[2, 3, 4, 5]`` → "stages 2–5"; ``[2, 4]`` → "stages 2 and 4"; ``[3]`` → "stage 3"."""
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return f"stage {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"stages {numbers[0]}–{numbers[-1]}"
    return f"stages {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"


def edit_effect(states: Mapping[int, StageState], stage_number: int) -> EditEffect:
    """What a changed answer of ``stage_number`` would re-open: the stage itself when its gate had passed (completed
    or needing review), and every later completed stage becomes *needs review*. An identical re-save changes
    nothing (``answer_submit`` returns before this applies)."""
    own = states[stage_number].status
    later = tuple(n for n in sorted(states) if n > stage_number and states[n].status == StageStatus.COMPLETED)
    return EditEffect(stage=stage_number, reopens=own in (StageStatus.COMPLETED, StageStatus.STALE), needs_review=later)


@dataclass(frozen=True)
class Progress:
    """How far a session is, read the same way by the stage strip, the session page, the dashboard and the API."""

    total: int
    completed: int
    needs_review: int
    reopened: int
    current_stage: int

    @property
    def percent(self) -> int:
        return progress_percent(self.completed, self.needs_review)

    @property
    def to_recheck(self) -> int:
        return self.needs_review + self.reopened


def stage_progress(session: ScopingSession, states: Mapping[int, StageState] | None = None) -> Progress:
    states = stage_states(session) if states is None else states
    statuses = [state.status for state in states.values()]
    return Progress(
        total=len(REGISTRY.numbers),
        completed=statuses.count(StageStatus.COMPLETED),
        needs_review=statuses.count(StageStatus.STALE),
        reopened=sum(1 for state in states.values() if is_reopened(state)),
        current_stage=session.current_stage,
    )


def next_open_stage(session: ScopingSession) -> int:
    """The first stage that is not completed (stale and open stages need work), or the last stage."""
    done = set(StageState.objects.filter(session=session, status=StageStatus.COMPLETED).values_list("stage", flat=True))
    return next((n for n in REGISTRY.numbers if n not in done), REGISTRY.numbers[-1])


def is_reachable(status: str, stage_number: int, current_stage: int) -> bool:
    """Only a stage never reached is closed (``locked`` beyond ``current_stage``): stages are done in order the first
    time, and a stage reached once stays readable and editable whatever happens to earlier stages."""
    return status != StageStatus.LOCKED or stage_number <= current_stage


def require_reachable(session: ScopingSession, stage_number: int) -> None:
    status = stage_states(session)[stage_number].status  # the request's one read of the stage rows
    if not is_reachable(status, stage_number, session.current_stage):
        raise InterviewConflict(
            f"Stage {stage_number} opens once stage {stage_number - 1} is complete.",
            code="stage_out_of_order",
            current_stage=session.current_stage,
        )


def stage_number_or_404(stage_number: int) -> int:
    if stage_number not in REGISTRY:
        raise Http404("No such stage.")
    return stage_number


def group_or_404(stage_number: int, group_key: str) -> Group:
    """The stage's question group named in a URL; an unknown one is a missing page (404), not a bad request."""
    try:
        return stage(stage_number_or_404(stage_number)).group(group_key)
    except LookupError:
        raise Http404(f"Stage {stage_number} has no group {group_key[:40]!r}.") from None


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
    """Every answer row (oldest first), the history included; the current answers are :func:`latest_answers`."""
    rows = Answer.objects.filter(session=session)
    if stage_number is not None:
        rows = rows.filter(stage=stage_number)
    return list(rows.order_by("created_at", "id"))


def current_rows(session: ScopingSession) -> QuerySet[Answer]:
    """The latest row of each (question, item) of the session, in one query that returns only those rows:
    ``DISTINCT ON`` on PostgreSQL, a ``ROW_NUMBER()`` window elsewhere (SQLite), instead of every revision."""
    rows = Answer.objects.filter(session=session).select_related("answered_by")
    if connection.features.can_distinct_on_fields:
        return rows.order_by("question_id", "item", "-created_at", "-id").distinct("question_id", "item")
    newest_first = Window(
        RowNumber(), partition_by=[F("question_id"), F("item")], order_by=[F("created_at").desc(), F("id").desc()]
    )
    return rows.annotate(revision=newest_first).filter(revision=1).order_by("question_id", "item")


def latest_answers(session: ScopingSession, stage_number: int | None = None) -> dict[tuple[str, int], Answer]:
    """``(question_id, item)`` → the current row. All stages are loaded once per request and shared by every
    read of the request (the stage strip, the stage's questions, conditions, hints, the decision preview)."""
    latest = kept(session, "latest_answers", lambda: _current_by_key(current_rows(session)))
    if stage_number is None:
        return dict(latest)
    return {key: row for key, row in latest.items() if row.stage == stage_number}


def _current_by_key(rows: Iterable[Answer]) -> dict[tuple[str, int], Answer]:
    """The current rows by key; a removed item of a repeatable group (its latest row a removal row) is absent."""
    return {(row.question_id, row.item): row for row in rows if not row.is_removal}


def current_answer(session: ScopingSession, question_id: str, item: int) -> Answer | None:
    """The latest row of one answer (its current value), or ``None`` before the first."""
    rows = Answer.objects.filter(session=session, question_id=question_id, item=item).select_related("answered_by")
    return rows.order_by("-created_at", "-id").first()


def active_check(answer: Answer) -> StageRun | None:
    """The background check still running for ``answer``, if any."""
    return StageRun.objects.filter(answer=answer, status__in=ACTIVE_RUN_STATUSES).first()


def current_answer_set(session: ScopingSession) -> AnswerSet:
    """Every current answer of the session: later stages' builders read earlier stages' answers."""
    return kept(session, "answer_set", lambda: AnswerSet.from_rows(latest_answers(session).values()))


def stage_deliverable(answers: AnswerSet, stage_number: int) -> BaseModel:
    """The stage's deliverable built from the answers; stage 5's carries the governance decision, taken here as its
    own step with stage 3's data feasibility (the charter takes it again with the consistency findings)."""
    deliverable = REGISTRY[stage_number].build(answers)
    if isinstance(deliverable, EthicalRiskReport):
        deliverable = report_with_decision(deliverable, overall_feasibility=feasibility_from_answers(answers))
    return deliverable


def attempt_after(session: ScopingSession, current: Answer | None, question_id: str, item: int) -> int:
    """:func:`next_attempt` for a caller that has just read the ``current`` row: with no answer yet, or a final
    one, the count restarts with no query; only a follow-up reads the history."""
    if current is None or current.status in FINAL_STATUSES:
        return 1
    return next_attempt(session, question_id, item)


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
    reopened: bool = False  # open again after its gate passed: an answer of it changed


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
    edit_effect: EditEffect | None = None  # what saving a changed answer here would re-open

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
                reopened=is_reopened(states[n]),
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
    states = stage_states(session)
    return StageDetail(
        number=stage_number,
        title=definition.title,
        purpose=definition.purpose,
        deliverable_name=definition.deliverable_title,
        state=states[stage_number],
        groups=groups,
        edit_effect=edit_effect(states, stage_number),
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
