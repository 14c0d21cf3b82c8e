"""The stage executor: the task that carries out one background run, and the run's life in the worker (claim,
progress as a heartbeat, finish), each write guarded by the run's status so a run cancelled meanwhile is never
overwritten.

Each feature registers the handler for its run kinds (``StageExecutor.register``, from its ``jobs`` module, which
the app config imports at start-up), so this module imports no feature. It never raises to the worker: every
failure ends as a ``failed`` run with a plain message, and the user's answers are untouched (they were saved
before the run was queued).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import structlog
from django.tasks import task
from django.utils import timezone

from llm.errors import LLMUnavailable
from sessions_app.errors import RunRefused
from sessions_app.models import ACTIVE_RUN_STATUSES, Answer, AnswerStatus, RunStatus, StageRun

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RunUsage:
    """What a run's model calls cost, added up."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal

    def plus(self, other: RunUsage) -> RunUsage:
        """Both calls' tokens and cost, under this usage's provider and model (the other's when this has none)."""
        return RunUsage(
            provider=self.provider or other.provider,
            model=self.model or other.model,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost_usd=self.cost_usd + Decimal(other.cost_usd),
        )


def run_claim(*, run_id: str) -> StageRun | None:
    """Move a queued run to running; ``None`` when it was cancelled or already taken."""
    now = timezone.now()
    claimed = StageRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return StageRun.objects.select_related("session", "answer").get(pk=run_id) if claimed else None


def run_progress(*, run: StageRun, step: str) -> bool:
    """Record the step being done; ``False`` when the run was cancelled (or failed) meanwhile."""
    updated = StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        step=step, heartbeat_at=timezone.now()
    )
    run.step = step
    return bool(updated)


def run_is_running(*, run: StageRun) -> bool:
    return StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).exists()


def run_succeed(*, run: StageRun, result: dict[str, Any], usage: RunUsage | None) -> bool:
    """Finish a run. Only a run still ``running`` can succeed: a cancelled run's results are discarded."""
    fields: dict[str, Any] = {
        "status": RunStatus.SUCCEEDED,
        "finished_at": timezone.now(),
        "result": result,
        "step": "Done",
    }
    if usage is not None:
        fields.update(
            provider=usage.provider,
            model=usage.model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
        )
    return bool(StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**fields))


def run_fail(*, run: StageRun, error: str) -> None:
    StageRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=error
    )
    logger.warning("run_failed", run_id=str(run.pk), error=error)


# A handler does the run's work: its result and usage, or ``None`` when the run was cancelled meanwhile.
Handler = Callable[[StageRun], tuple[dict[str, Any], RunUsage | None] | None]


@dataclass(frozen=True)
class RunKindSpec:
    handler: Handler
    kept: str  # what the user is told is safe when the model is unavailable ("Your answer is saved")


class StageExecutor:
    """Dispatches a run to the handler registered for its kind."""

    kinds: ClassVar[dict[str, RunKindSpec]] = {}

    @classmethod
    def register(cls, kind: str, *, kept: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            cls.kinds[kind] = RunKindSpec(handler=handler, kept=kept)
            return handler

        return add

    def execute(self, run_id: str) -> None:
        run = run_claim(run_id=run_id)
        if run is None:
            logger.info("run_skipped", run_id=run_id, reason="cancelled or already taken")
            return
        log = logger.bind(run_id=run_id, kind=run.kind, session_id=str(run.session_id))
        spec = self.kinds.get(run.kind)
        try:
            if spec is None:
                raise LookupError(f"No handler is registered for runs of kind {run.kind!r}.")
            outcome = spec.handler(run)
        except LLMUnavailable as exc:
            self._mark_answer_unchecked(run)
            kept = spec.kept if spec else "Nothing you entered was lost"
            run_fail(run=run, error=f"{exc} {kept}; press Retry in a moment.")
            return
        except RunRefused as exc:
            run_fail(run=run, error=str(exc))
            return
        except Exception as exc:  # the worker must survive anything a run does
            log.exception("run_crashed", error_type=type(exc).__name__)
            self._mark_answer_unchecked(run)
            run_fail(run=run, error="Something went wrong on our side; nothing you entered was lost. Press Retry.")
            return
        if outcome is None:
            log.info("run_discarded", reason="cancelled")
            return
        result, usage = outcome
        if run_succeed(run=run, result=result, usage=usage):
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


@task
def execute_run(run_id: str) -> None:
    """The background task (Django's task framework; django-tasks-db runs it in ``manage.py db_worker``)."""
    StageExecutor().execute(run_id)
