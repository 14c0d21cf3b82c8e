"""The stage executor: carries out one background run (claimed from the queue) and records its outcome.

It never raises to the worker: every failure ends as a ``failed`` run with a plain message, and the user's
answers are untouched (they were saved before the run was queued).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from llm.errors import LLMUnavailable
from sessions_app import charters, runs
from sessions_app.interview import extraction, quality
from sessions_app.models import Answer, AnswerStatus, RunKind, StageRun

logger = structlog.get_logger(__name__)

Handler = Callable[[StageRun], tuple[dict[str, Any], runs.RunUsage | None] | None]


def _usage(result: Any) -> runs.RunUsage:
    return runs.RunUsage(
        provider=result.provider,
        model=result.model,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        cost_usd=result.cost_usd,
    )


def check_answer(run: StageRun) -> tuple[dict[str, Any], runs.RunUsage | None] | None:
    answer = run.answer
    if answer is None:
        raise ValueError("This run has no answer to check.")
    if not runs.run_progress(run=run, step="Checking your answer…"):
        return None
    result = quality.assess_answer(answer)
    if not runs.run_is_running(run=run):  # cancelled while the model was thinking: discard
        return None
    current = quality.record_assessment(answer, result)
    usage = _usage(result)
    if current.is_final and not result.offline and runs.run_progress(run=run, step="Reading the structure…"):
        extracted = extraction.extract(current)
        if extracted is not None:
            usage = runs.RunUsage(
                provider=usage.provider,
                model=usage.model,
                input_tokens=usage.input_tokens + extracted.usage.input_tokens,
                output_tokens=usage.output_tokens + extracted.usage.output_tokens,
                cost_usd=usage.cost_usd + extracted.cost_usd,
            )
    return {"answer_id": current.pk, "status": current.status, **current.quality}, usage


class StageExecutor:
    """Dispatches a run to the handler for its kind."""

    handlers: dict[str, Handler] = {
        RunKind.ANSWER_CHECK: check_answer,
        RunKind.CHARTER: charters.generate,
        RunKind.CONSISTENCY: charters.check,
    }

    def execute(self, run_id: str) -> None:
        run = runs.run_claim(run_id=run_id)
        if run is None:
            logger.info("run_skipped", run_id=run_id, reason="cancelled or already taken")
            return
        log = logger.bind(run_id=run_id, kind=run.kind, session_id=str(run.session_id))
        try:
            outcome = self.handlers[run.kind](run)
        except LLMUnavailable as exc:
            self._mark_answer_unchecked(run)
            saved = "Your answer is saved" if run.kind == RunKind.ANSWER_CHECK else "Earlier versions are intact"
            runs.run_fail(run=run, error=f"{exc} {saved}; press Retry in a moment.")
            return
        except charters.CriticalFindings as exc:
            runs.run_fail(run=run, error=str(exc))
            return
        except Exception as exc:  # the worker must survive anything a run does
            log.exception("run_crashed", error_type=type(exc).__name__)
            self._mark_answer_unchecked(run)
            runs.run_fail(run=run, error="Something went wrong on our side; nothing you entered was lost. Press Retry.")
            return
        if outcome is None:
            log.info("run_discarded", reason="cancelled")
            return
        result, usage = outcome
        if runs.run_succeed(run=run, result=result, usage=usage):
            log.info(
                "run_succeeded",
                provider=usage.provider if usage else "",
                cost_usd=str(usage.cost_usd) if usage else "0",
            )

    @staticmethod
    def _mark_answer_unchecked(run: StageRun) -> None:
        if run.answer_id is not None:
            Answer.objects.filter(pk=run.answer_id, status=AnswerStatus.PENDING).update(
                status=AnswerStatus.CHECK_FAILED
            )
