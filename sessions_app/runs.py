"""Background runs (``StageRun``): start with the one-active-run rule, claim, progress, finish, cancel, retry.

The worker may die at any moment; :func:`runs_recover_stuck` marks runs that stopped making progress as failed so
that nothing waits forever, and a failed run can be retried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Avg, DurationField, ExpressionWrapper, F
from django.utils import timezone

from sessions_app.models import ACTIVE_RUN_STATUSES, Answer, RunStatus, ScopingSession, StageRun

logger = structlog.get_logger(__name__)

# A running run with no heartbeat for this long is taken as lost (its worker died).
RUN_STUCK_AFTER = dt.timedelta(minutes=5)
# A queued run nobody picked up for this long fails with a message that the worker is not running.
RUN_QUEUE_TIMEOUT = dt.timedelta(minutes=10)
ESTIMATE_SAMPLE = 20


class RunInProgress(Exception):
    """The user already has an active run; ``retry_after`` is a fair guess at when it will be done."""

    def __init__(self, active: StageRun | None, retry_after: int) -> None:
        super().__init__("Another check is still running. Wait for it to finish, then try again.")
        self.active = active
        self.retry_after = retry_after


@dataclass(frozen=True)
class RunUsage:
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal


def runs_recover_stuck(*, owner: Any = None, now: dt.datetime | None = None) -> int:
    """Fail runs whose worker died (no heartbeat) or that no worker picked up. Returns how many were failed."""
    now = now or timezone.now()
    active = StageRun.objects.filter(status__in=ACTIVE_RUN_STATUSES)
    if owner is not None:
        active = active.filter(owner=owner)
    lost = active.filter(status=RunStatus.RUNNING, heartbeat_at__lt=now - RUN_STUCK_AFTER).update(
        status=RunStatus.FAILED,
        finished_at=now,
        error="The worker stopped while this was running. Your answer is saved; press Retry.",
    )
    unclaimed = active.filter(status=RunStatus.QUEUED, created_at__lt=now - RUN_QUEUE_TIMEOUT).update(
        status=RunStatus.FAILED,
        finished_at=now,
        error="No background worker picked this up. Your answer is saved; check the worker is running, then Retry.",
    )
    if lost or unclaimed:
        logger.warning("runs_recovered", lost=lost, unclaimed=unclaimed)
    return lost + unclaimed


def run_start(
    *,
    session: ScopingSession,
    kind: str,
    stage: int | None = None,
    answer: Answer | None = None,
    retry_of: StageRun | None = None,
    step: str = "Waiting for a worker…",
) -> StageRun:
    """Create a queued run and enqueue its task when the surrounding transaction commits.

    Raises :class:`RunInProgress` when the user already has an active run (a database constraint decides).
    """
    runs_recover_stuck(owner=session.owner)
    try:
        with transaction.atomic():
            run = StageRun.objects.create(
                session=session,
                owner=session.owner,
                kind=kind,
                stage=stage,
                answer=answer,
                retry_of=retry_of,
                step=step,
            )
    except IntegrityError as exc:
        active = StageRun.objects.filter(owner=session.owner, status__in=ACTIVE_RUN_STATUSES).first()
        raise RunInProgress(active, retry_after=run_estimate_seconds(kind) or 5) from exc
    from sessions_app.tasks import execute_run

    transaction.on_commit(partial(execute_run.enqueue, str(run.id)))
    logger.info("run_queued", run_id=str(run.id), kind=kind, session_id=str(session.id))
    return run


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


def run_cancel(*, run: StageRun) -> StageRun:
    """Stop an active run. The worker notices before writing anything and discards its work."""
    StageRun.objects.filter(pk=run.pk, status__in=ACTIVE_RUN_STATUSES).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now(), step="Cancelled"
    )
    run.refresh_from_db()
    return run


def run_retry(*, run: StageRun) -> StageRun:
    """Start the same work again after a failure or a cancellation."""
    if run.is_active or run.status == RunStatus.SUCCEEDED:
        from sessions_app.errors import InterviewConflict

        raise InterviewConflict("Only a failed or cancelled run can be retried.", code="run_not_retryable")
    return run_start(session=run.session, kind=run.kind, stage=run.stage, answer=run.answer, retry_of=run)


def run_estimate_seconds(kind: str) -> int | None:
    """Average duration of the latest successful runs of this kind, for the progress display."""
    recent = (
        StageRun.objects.filter(kind=kind, status=RunStatus.SUCCEEDED, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:ESTIMATE_SAMPLE]
    )
    average = (
        StageRun.objects.filter(pk__in=list(recent))
        .annotate(took=ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField()))
        .aggregate(avg=Avg("took"))["avg"]
    )
    return max(1, round(average.total_seconds())) if average else None
