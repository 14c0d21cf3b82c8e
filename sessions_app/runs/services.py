"""Writes to background runs (``StageRun``) on the user's side: start under the one-active-run rule, cancel,
retry, and recover runs whose worker died. The worker's side (claim, progress, finish) is in ``executor``.

The worker may die at any moment; :func:`runs_recover_stuck` marks runs that stopped making progress as failed so
that nothing waits forever, and a failed run can be retried.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.models import ACTIVE_RUN_STATUSES, Answer, RunStatus, ScopingSession, StageRun
from sessions_app.runs.executor import execute_run
from sessions_app.runs.selectors import run_estimate_seconds

logger = structlog.get_logger(__name__)

# A running run with no heartbeat for this long is taken as lost (its worker died).
RUN_STUCK_AFTER = dt.timedelta(minutes=5)
# A queued run nobody picked up for this long fails with a message that the worker is not running.
RUN_QUEUE_TIMEOUT = dt.timedelta(minutes=10)


def runs_recover_stuck(*, owner: User | None = None, now: dt.datetime | None = None) -> int:
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
        active = (
            StageRun.objects.filter(owner=session.owner, status__in=ACTIVE_RUN_STATUSES)
            .values_list("pk", flat=True)
            .first()
        )
        raise RunInProgress(active, retry_after=run_estimate_seconds(kind) or 5) from exc
    transaction.on_commit(partial(execute_run.enqueue, str(run.id)))
    logger.info("run_queued", run_id=str(run.id), kind=kind, session_id=str(session.id))
    return run


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
        raise InterviewConflict("Only a failed or cancelled run can be retried.", code="run_not_retryable")
    return run_start(session=run.session, kind=run.kind, stage=run.stage, answer=run.answer, retry_of=run)
