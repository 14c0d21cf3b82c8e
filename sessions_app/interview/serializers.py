"""The interview's API bodies, from the selectors' objects."""

from __future__ import annotations

from typing import Any

from sessions_app.interview.question_bank import Question
from sessions_app.interview.selectors import StageDetail, StageSummary
from sessions_app.models import Answer, Checkpoint, ConcernAcknowledgement


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


def stage_summary_json(summary: StageSummary) -> dict[str, Any]:
    return {
        "stage": summary.stage,
        "title": summary.title,
        "deliverable": summary.deliverable,
        "status": summary.status,
        "required_questions": summary.required_questions,
        "required_answered": summary.required_answered,
        "completed_at": summary.completed_at,
    }


def question_json(q: Question, rows: list[Answer]) -> dict[str, Any]:
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


def stage_detail_json(detail: StageDetail) -> dict[str, Any]:
    return {
        "stage": detail.number,
        "title": detail.title,
        "purpose": detail.purpose,
        "deliverable_name": detail.deliverable_name,
        "status": detail.state.status,
        "gate": detail.state.gate or None,
        "deliverable": detail.state.deliverable,
        "groups": [
            {
                "key": g.group.key,
                "title": g.group.title,
                "repeatable": g.group.repeatable,
                "questions": [question_json(q.question, q.answers) for q in g.questions],
            }
            for g in detail.groups
        ],
    }


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "checkpoint_id": checkpoint.pk,
        "stage": checkpoint.stage,
        "created_at": checkpoint.created_at,
        "deliverable": checkpoint.data.get("deliverable"),
        "gate": checkpoint.data.get("gate"),
    }


def acknowledgement_json(ack: ConcernAcknowledgement) -> dict[str, Any]:
    return {
        "stage": ack.stage,
        "key": ack.key,
        "message": ack.message,
        "reason": ack.reason,
        "acknowledged_at": ack.created_at,
    }
