"""Writes to background runs (``StageRun``) on the user's side: start under the one-active-run rule, cancel,
retry. The worker's side (claim, progress, heartbeat, finish) is in ``executor``; how a run ends when it does not
succeed (and what happens to its answer) is in ``lifecycle``.

The worker may die at any moment. Finding the runs it left behind is the worker's reaper's job (``worker.py``),
not the request path's: here only the user's own conflicting run is looked at, and only when it blocks a new one.
"""

from __future__ import annotations

from functools import partial

import structlog
from django.db import IntegrityError, transaction

from accounts.models import ActingUser
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.models import ACTIVE_RUN_STATUSES, Answer, RunKind, RunStatus, ScopingSession, StageRun
from sessions_app.runs.executor import execute_run
from sessions_app.runs.lifecycle import run_expire_if_stale, runs_end
from sessions_app.runs.selectors import run_estimate_seconds
from sessions_app.runs.wakeup import notify_queued

logger = structlog.get_logger(__name__)

# Runs that work on the whole session: one at a time per session, whoever starts them.
SESSION_WIDE_KINDS = (RunKind.CHARTER, RunKind.CONSISTENCY)


def run_start(
    *,
    session: ScopingSession,
    kind: str,
    stage: int | None = None,
    answer: Answer | None = None,
    retry_of: StageRun | None = None,
    step: str = "Waiting for a worker…",
    owner: ActingUser | None = None,
) -> StageRun:
    """Create a queued run for ``owner`` (the member who acts; the session's owner when not given) and enqueue its
    task when the surrounding transaction commits.

    Raises :class:`RunInProgress` when that user already has an active run (a database constraint decides), and
    for a charter or consistency run while another member's is active on the session (two generations at once
    would race for the next version). Call it inside ``transaction.atomic()``: when the constraint refuses the
    INSERT, the block is rolled back.
    """
    owner_id = getattr(owner, "pk", None) or session.owner_id
    if kind in SESSION_WIDE_KINDS:
        other = StageRun.objects.filter(
            session=session, kind__in=SESSION_WIDE_KINDS, status__in=ACTIVE_RUN_STATUSES
        ).first()
        if other is not None and run_expire_if_stale(run=other).is_active:
            raise RunInProgress(other.pk, retry_after=run_estimate_seconds(kind) or 5)
    # The user's one slot, looked at first (one query, where a savepoint around the INSERT costs two): a run
    # that holds it is either still working (refused) or visibly abandoned by its worker, which is settled here,
    # the one stale-run check left on the request path. The constraint still decides a race between two requests.
    blocking = StageRun.objects.filter(owner_id=owner_id, status__in=ACTIVE_RUN_STATUSES).first()
    if blocking is not None and run_expire_if_stale(run=blocking).is_active:
        raise RunInProgress(blocking.pk, retry_after=run_estimate_seconds(kind) or 5)
    try:
        run = StageRun.objects.create(
            session=session,
            owner_id=owner_id,
            kind=kind,
            stage=stage,
            answer=answer,
            retry_of=retry_of,
            step=step,
        )
    except IntegrityError as exc:
        # Another request of this user took the slot since the look above. The transaction may be unusable now
        # (PostgreSQL), so no query: the caller's transaction is rolled back with this error.
        raise RunInProgress(None, retry_after=5) from exc
    transaction.on_commit(partial(_enqueue_and_wake, str(run.id)))
    logger.info("run_queued", run_id=str(run.id), kind=kind, session_id=str(session.id))
    return run


def _enqueue_and_wake(run_id: str) -> None:
    """Write the task row, then wake a listening worker (PostgreSQL), so the run starts within milliseconds."""
    execute_run.enqueue(run_id)
    notify_queued()


def run_cancel(*, run: StageRun) -> StageRun:
    """Stop an active run. The worker notices before writing anything and discards its work; the answer being
    checked is saved and offered a Retry (``check_failed``)."""
    runs_end(runs=StageRun.objects.filter(pk=run.pk), status=RunStatus.CANCELLED, step="Cancelled")
    run.refresh_from_db()
    return run


def run_retry(*, run: StageRun, actor: ActingUser | None = None) -> StageRun:
    """Start the same work again after a failure or a cancellation."""
    if run.is_active or run.status == RunStatus.SUCCEEDED:
        raise InterviewConflict("Only a failed or cancelled run can be retried.", code="run_not_retryable")
    with transaction.atomic():  # a refused INSERT (a race for the slot) rolls back this block only
        return run_start(
            session=run.session, kind=run.kind, stage=run.stage, answer=run.answer, retry_of=run, owner=actor
        )
