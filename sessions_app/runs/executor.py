"""The stage executor: the task that carries out one background run, and the run's life in the worker (claim,
progress, a heartbeat while the handler works, finish), each write guarded by the run's status so a run cancelled
meanwhile is never overwritten.

Each feature registers the handler for its run kinds (``StageExecutor.register``, from its ``jobs`` module, which
the app config imports at start-up), so this module imports no feature. Whatever a run does, it ends as a
``failed`` run with a plain message (the user's answers were saved before the run was queued; an answer being
checked becomes ``check_failed``). Only a database error while recording the failure reaches the worker, which
waits for the database (``runs/worker.py``); the reaper then fails the run, whose heartbeat has stopped.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, ClassVar

import structlog
from django.conf import settings
from django.db import DatabaseError, connections
from django.tasks import task
from django.utils import timezone

from llm.errors import LLMUnavailable
from sessions_app.errors import RunRefused
from sessions_app.models import RunStatus, StageRun
from sessions_app.runs.lifecycle import runs_end
from sessions_app.runs.selectors import run_estimate_after_success

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


def run_partial_text(*, run: StageRun, text: str) -> bool:
    """Record what the model has written so far; ``False`` when the run was cancelled (or failed) meanwhile."""
    updated = StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        partial_text=text, heartbeat_at=timezone.now()
    )
    run.partial_text = text
    return bool(updated)


class PartialTextWriter:
    """An ``on_text`` callback for :func:`llm.gateway.complete`: writes ``extract(text_so_far)`` to the run at most
    every ``interval`` seconds (and whenever it is asked to stop), and answers ``False`` once the run is no longer
    running, which stops the provider call."""

    def __init__(self, run: StageRun, extract: Callable[[str], str | None], *, interval: float) -> None:
        self.run, self.extract, self.interval = run, extract, interval
        self.last_write = float("-inf")
        self.written = ""

    def __call__(self, text_so_far: str) -> bool:
        now = time.monotonic()
        if now - self.last_write < self.interval:
            return True
        self.last_write = now
        shown = self.extract(text_so_far)
        if shown is None or shown == self.written:
            return run_is_running(run=self.run)
        self.written = shown
        return run_partial_text(run=self.run, text=shown)


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
    succeeded = bool(StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**fields))
    if succeeded:
        run_estimate_after_success(run.kind)
    return succeeded


def run_fail(*, run: StageRun, error: str) -> None:
    """Fail a run still active (its answer, if pending, becomes ``check_failed``)."""
    runs_end(runs=StageRun.objects.filter(pk=run.pk), status=RunStatus.FAILED, error=error)
    logger.warning("run_failed", run_id=str(run.pk), error=error)


class RunHeartbeat:
    """Refreshes a running run's ``heartbeat_at`` every ``every`` seconds from a daemon thread while its handler
    works, so one long model call does not look like a dead worker to the reaper.

    The thread has its own database connection (Django's are per thread), closed when it stops. Each beat is one
    single-row UPDATE guarded by status (a run cancelled or failed meanwhile is not touched, and the beating stops);
    a database error (SQLite busy past its timeout, PostgreSQL restarting) is logged and the next beat tries again.
    """

    def __init__(self, run_id: uuid.UUID, *, every: float) -> None:
        self.run_id = run_id
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"run-heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> RunHeartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        # A beat in progress ends within the database's own timeouts; the thread is a daemon in any case.
        self._thread.join(timeout=self.every + 10)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    alive = StageRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception as exc:  # the handler goes on; so does the heartbeat, on a fresh connection
                    logger.warning("run_heartbeat_failed", run_id=str(self.run_id), error=str(exc))
                    close_thread_connections()
                    continue
                if not alive:
                    return  # cancelled or failed meanwhile: nothing left to keep alive
        finally:
            close_thread_connections()


def close_thread_connections() -> None:
    """Close this thread's database connections (and only this thread's), ignoring a connection already broken."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError as exc:
            logger.debug("connection_close_failed", alias=connection.alias, error=str(exc))


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
            with RunHeartbeat(run.pk, every=settings.RUN_HEARTBEAT_SECONDS):
                outcome = spec.handler(run)
        except LLMUnavailable as exc:
            kept = spec.kept if spec else "Nothing you entered was lost"
            run_fail(run=run, error=f"{exc} {kept}; press Retry in a moment.")
            return
        except RunRefused as exc:
            run_fail(run=run, error=str(exc))
            return
        except Exception as exc:  # the worker must survive anything a run does
            log.exception("run_crashed", error_type=type(exc).__name__)
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


@task
def execute_run(run_id: str) -> None:
    """The background task (Django's task framework; django-tasks-db runs it in ``manage.py db_worker``)."""
    StageExecutor().execute(run_id)
