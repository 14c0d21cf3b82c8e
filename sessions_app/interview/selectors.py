"""Reads of interview state for pages and the API. Callers pass a session already scoped to its owner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sessions_app.interview.state import ensure_stage_states
from sessions_app.models import Answer, AnswerStatus, Checkpoint, ConcernAcknowledgement, ScopingSession, StageRun
from sessions_app.question_bank import Question, get_bank, stage


def latest_answers(session: ScopingSession, stage_number: int | None = None) -> dict[tuple[str, int], Answer]:
    rows = Answer.objects.filter(session=session)
    if stage_number is not None:
        rows = rows.filter(stage=stage_number)
    latest: dict[tuple[str, int], Answer] = {}
    for row in rows.order_by("created_at", "id"):
        latest[(row.question_id, row.item)] = row
    return latest


def answer_json(row: Answer) -> dict[str, Any]:
    return {
        "answer_id": row.pk,
        "item": row.item,
        "value": row.value,
        "status": row.status,
        "attempt": row.attempt,
        "quality_score": row.quality_score,
        "feedback": row.quality or None,
        "submitted_at": row.created_at,
    }


def _is_done(row: Answer | None) -> bool:
    return row is not None and row.status in (AnswerStatus.ACCEPTED, AnswerStatus.ESCALATED)


def stage_overview(session: ScopingSession) -> list[dict[str, Any]]:
    states = ensure_stage_states(session)
    latest = latest_answers(session)
    plain = {qid: row.value for (qid, item), row in latest.items() if item == 0}
    overview = []
    for definition in get_bank().stages:
        n = definition.number
        required = [q for q in definition.questions if q.required and q.applies(plain)]
        done = sum(1 for q in required if _is_done(latest.get((q.id, 0))))
        overview.append(
            {
                "stage": n,
                "title": definition.title,
                "deliverable": definition.deliverable_title,
                "status": states[n].status,
                "required_questions": len(required),
                "required_answered": done,
                "completed_at": states[n].completed_at,
            }
        )
    return overview


def _question_json(q: Question, rows: list[Answer]) -> dict[str, Any]:
    return {
        "question_id": q.id,
        "text": q.text,
        "help": q.help,
        "example": q.example,
        "type": q.type.value,
        "required": q.required,
        "feeds": q.feeds,
        "choices": [{"value": c.value, "label": c.label} for c in q.choices],
        "unit": q.unit,
        "unit_choices": list(q.unit_choices),
        "min": q.bounds[0],
        "max": q.bounds[1],
        "answers": [answer_json(row) for row in rows],
    }


def stage_detail(session: ScopingSession, stage_number: int) -> dict[str, Any]:
    definition = stage(stage_number)
    state = ensure_stage_states(session)[stage_number]
    latest = latest_answers(session, stage_number)
    groups = []
    for group in definition.groups:
        questions = [q for q in definition.questions if q.group == group.key]
        groups.append(
            {
                "key": group.key,
                "title": group.title,
                "repeatable": group.repeatable,
                "questions": [
                    _question_json(q, [row for (qid, _item), row in sorted(latest.items()) if qid == q.id])
                    for q in questions
                ],
            }
        )
    return {
        "stage": stage_number,
        "title": definition.title,
        "purpose": definition.purpose,
        "deliverable_name": definition.deliverable_title,
        "status": state.status,
        "gate": state.gate or None,
        "deliverable": state.deliverable,
        "groups": groups,
    }


def checkpoint_list(session: ScopingSession) -> list[Checkpoint]:
    return list(Checkpoint.objects.filter(session=session).order_by("-created_at"))


def checkpoint_get(session: ScopingSession, checkpoint_id: str) -> Checkpoint:
    from django.http import Http404

    from sessions_app.selectors import uuid_or_404

    try:
        return Checkpoint.objects.get(session=session, pk=uuid_or_404(checkpoint_id, "checkpoint"))
    except Checkpoint.DoesNotExist as exc:
        raise Http404("No such checkpoint.") from exc


def run_json(run: StageRun) -> dict[str, Any]:
    from django.utils import timezone

    from sessions_app.runs import run_estimate_seconds

    end = run.finished_at or timezone.now()
    return {
        "run_id": run.pk,
        "session_id": run.session_id,
        "kind": run.kind,
        "stage": run.stage,
        "answer_id": run.answer_id,
        "status": run.status,
        "step": run.step,
        "elapsed_seconds": round((end - run.created_at).total_seconds(), 1),
        "estimate_seconds": run_estimate_seconds(run.kind) if run.is_active else None,
        "provider": run.provider or None,
        "model": run.model or None,
        "input_tokens": run.input_tokens,
        "output_tokens": run.output_tokens,
        "cost_usd": str(run.cost_usd),
        "error": run.error or None,
        "result": run.result,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def answer_runs(session: ScopingSession, answer_ids: Iterable[int]) -> dict[int, StageRun]:
    """The latest run of each of these answers (its check, or the retry of a failed check)."""
    latest: dict[int, StageRun] = {}
    for run in StageRun.objects.filter(session=session, answer_id__in=list(answer_ids)).order_by("created_at"):
        if run.answer_id is not None:
            latest[run.answer_id] = run
    return latest


def acknowledgement_reasons(session: ScopingSession, stage_number: int) -> dict[str, str]:
    """Concern key → the reason it was acknowledged, for one stage (``CROSS_STAGE`` for consistency findings)."""
    rows = ConcernAcknowledgement.objects.filter(session=session, stage=stage_number)
    return dict(rows.values_list("key", "reason"))
