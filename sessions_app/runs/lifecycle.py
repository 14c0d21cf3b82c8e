"""How an active run ends when it does not succeed, in one place: failed (by the worker, the reaper or an expiry) or
cancelled (by the user). Every such end goes through :func:`runs_end`, which also releases the answer the run was
checking, so an answer is never left ``pending`` behind a run that is over.

The reaper (:func:`runs_reap`) runs in every worker process (``sessions_app/runs/worker.py``): it fails running
runs whose heartbeat stopped (their worker died) and queued runs no worker took. The request path never scans for
them; it only settles the one run it already holds when that run is visibly stale (:func:`run_expire_if_stale`),
so a run is not shown as active forever even when no worker runs at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions_app.models import ACTIVE_RUN_STATUSES, Answer, AnswerStatus, RunStatus, StageRun

logger = structlog.get_logger(__name__)

WORKER_STOPPED = "The worker stopped while this was running. Your answer is saved; press Retry."
NO_WORKER = "No background worker picked this up. Your answer is saved; check the worker is running, then Retry."
# The task whose rows (django-tasks-db's DBTaskResult) carry a run's id as their only argument.
RUN_TASK_PATH = "sessions_app.runs.executor.execute_run"


class WorkerLost(Exception):
    """Recorded on the task row of a run whose worker died (django-tasks-db leaves such rows ``RUNNING``)."""


def stuck_after() -> dt.timedelta:
    """A running run with no heartbeat for this long has lost its worker."""
    return dt.timedelta(seconds=settings.RUN_STUCK_AFTER_SECONDS)


def queue_timeout() -> dt.timedelta:
    """A queued run no worker took for this long fails: no worker is running."""
    return dt.timedelta(seconds=settings.RUN_QUEUE_TIMEOUT_SECONDS)


def runs_end(
    *,
    runs: QuerySet[StageRun],
    status: RunStatus,
    error: str = "",
    step: str | None = None,
    now: dt.datetime | None = None,
) -> list[uuid.UUID]:
    """End the still-active runs among ``runs`` as ``failed`` or ``cancelled``; their ids.

    Each run's answer that is still ``pending`` becomes ``check_failed`` (saved, offered a Retry), unless another
    run is checking it. Writes are guarded by status: a run that finished meanwhile is left as it is.
    """
    if status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        raise ValueError(f"runs_end ends runs as failed or cancelled, not {status!r}.")
    fields: dict[str, object] = {"status": status, "finished_at": now or timezone.now()}
    if error:
        fields["error"] = error
    if step is not None:
        fields["step"] = step
    with transaction.atomic():
        # Locked (PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock already), so the runs read here
        # are exactly the runs ended here.
        ending = dict(
            runs.filter(status__in=ACTIVE_RUN_STATUSES).select_for_update(of=("self",)).values_list("pk", "answer_id")
        )
        if not ending:
            return []
        StageRun.objects.filter(pk__in=list(ending)).update(**fields)
        answer_ids = {answer_id for answer_id in ending.values() if answer_id is not None}
        if answer_ids:
            Answer.objects.filter(pk__in=answer_ids, status=AnswerStatus.PENDING).exclude(
                runs__status__in=ACTIVE_RUN_STATUSES
            ).update(status=AnswerStatus.CHECK_FAILED)
    return list(ending)


def runs_reap(*, now: dt.datetime | None = None) -> int:
    """Fail the runs whose worker is gone, and the ones no worker took; how many. The worker's reaper calls it.

    - running, heartbeat older than :func:`stuck_after`: its worker died (``kill -9``, out of memory, host lost);
    - queued, but its task was taken by a worker more than :func:`stuck_after` ago that never started the run
      (the worker died or lost the database between the two);
    - queued for longer than :func:`queue_timeout`: no worker is running.
    A run failed here and its task row end in the same transaction. Then the task rows a worker left ``RUNNING``
    for a run that is over (it finished while the worker could not record the task's end) are marked failed, so
    django-tasks-db does not show them running.
    """
    now = now or timezone.now()
    active = StageRun.objects.filter(status__in=ACTIVE_RUN_STATUSES)
    # A run and its task row end in one transaction: nobody sees the run failed and its task still running.
    with transaction.atomic():
        lost = runs_end(
            runs=active.filter(status=RunStatus.RUNNING, heartbeat_at__lt=now - stuck_after()),
            status=RunStatus.FAILED,
            error=WORKER_STOPPED,
            now=now,
        )
        _task_rows_settle(run_ids=lost, now=now)
    dropped = _dropped_after_taking(active, now=now)
    if dropped:
        with transaction.atomic():
            dropped = runs_end(
                runs=active.filter(pk__in=dropped), status=RunStatus.FAILED, error=WORKER_STOPPED, now=now
            )
            _task_rows_settle(run_ids=dropped, now=now)
    unclaimed = runs_end(
        runs=active.filter(status=RunStatus.QUEUED, created_at__lt=now - queue_timeout()),
        status=RunStatus.FAILED,
        error=NO_WORKER,
        now=now,
    )
    settled_tasks = _abandoned_task_rows_settle(now=now)
    if lost or dropped or unclaimed or settled_tasks:
        logger.warning(
            "runs_reaped", lost=len(lost), dropped=len(dropped), unclaimed=len(unclaimed), task_rows=settled_tasks
        )
    return len(lost) + len(dropped) + len(unclaimed)


def run_expire_if_stale(*, run: StageRun, now: dt.datetime | None = None) -> StageRun:
    """Settle this one run if it is visibly stale (as the reaper would); the run, refreshed when it changed.

    No query unless the run is active and past its limit: cheap enough for every page or poll that shows a run.
    """
    now = now or timezone.now()
    if run.status == RunStatus.RUNNING and run.heartbeat_at is not None and run.heartbeat_at < now - stuck_after():
        stale = StageRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, heartbeat_at__lt=now - stuck_after())
        error = WORKER_STOPPED
    elif run.status == RunStatus.QUEUED and run.created_at < now - queue_timeout():
        stale = StageRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED)
        error = NO_WORKER
    else:
        return run
    with transaction.atomic():
        expired = runs_end(runs=stale, status=RunStatus.FAILED, error=error, now=now)
        _task_rows_settle(run_ids=expired, now=now)
    if expired:
        logger.warning("run_expired", run_id=str(run.pk), error=error)
    run.refresh_from_db()
    return run


def _run_task_rows(run_ids: list[uuid.UUID]) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(task_path=RUN_TASK_PATH, args_kwargs__args__0__in=[str(pk) for pk in run_ids])


def _dropped_after_taking(active: QuerySet[StageRun], *, now: dt.datetime) -> list[uuid.UUID]:
    """Queued runs whose task a worker took long ago without starting the run."""
    cutoff = now - stuck_after()
    waiting = list(active.filter(status=RunStatus.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)[:500])
    if not waiting:
        return []
    rows = _run_task_rows(waiting).values_list("args_kwargs__args__0", "status", "started_at")
    still_ready = {run_id for run_id, status, _ in rows if status == TaskResultStatus.READY}
    taken = {
        run_id
        for run_id, status, started_at in rows
        if status != TaskResultStatus.READY and started_at is not None and started_at < cutoff
    }
    return [pk for pk in waiting if str(pk) in taken - still_ready]


def _abandoned_task_rows_settle(*, now: dt.datetime) -> int:
    """The task rows still ``RUNNING``, taken more than a stuck limit ago, whose run is over: their worker died or
    lost the database before it recorded the task's end."""
    taken = dict(
        DBTaskResult.objects.filter(
            task_path=RUN_TASK_PATH, status=TaskResultStatus.RUNNING, started_at__lt=now - stuck_after()
        ).values_list("pk", "args_kwargs__args__0")[:500]
    )
    if not taken:
        return 0
    active = StageRun.objects.filter(pk__in=_uuids(taken.values()), status__in=ACTIVE_RUN_STATUSES)
    still_running = {str(pk) for pk in active.values_list("pk", flat=True)}
    over = [row_id for row_id, run_id in taken.items() if str(run_id) not in still_running]
    return _task_rows_fail(DBTaskResult.objects.filter(pk__in=over), now=now)


def _uuids(values: Iterable[object]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue  # not a run id: the row's run cannot be active, so it is settled
    return found


def _task_rows_fail(rows: QuerySet[DBTaskResult], *, now: dt.datetime) -> int:
    return rows.filter(status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {WORKER_STOPPED}",
    )


def _task_rows_settle(*, run_ids: list[uuid.UUID], now: dt.datetime) -> int:
    """Mark the task rows still ``RUNNING`` of these (failed) runs as failed: their worker is gone. django-tasks-db
    never takes a ``RUNNING`` row again, so nothing re-executes them; and were one executed, ``run_claim`` refuses
    a run that is no longer queued."""
    return _task_rows_fail(_run_task_rows(run_ids), now=now) if run_ids else 0
