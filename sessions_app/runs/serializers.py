"""How a run is shown: the API body of ``GET /runs/{id}`` and the progress partials read the same fields."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sessions_app.models import StageRun
from sessions_app.runs.selectors import run_estimate_seconds


def run_json(run: StageRun) -> dict[str, Any]:
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
