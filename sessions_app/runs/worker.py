"""The worker process around django-tasks-db's loop (``manage.py db_worker``): a reaper for the runs of dead workers,
and a worker that waits out a database outage instead of exiting.

- :class:`RunReaper` is a daemon thread of every worker: when the worker starts and every ``RUN_REAP_SECONDS``
  it fails the runs whose worker is gone (``lifecycle.runs_reap``), which frees their users' one-run slot. Several
  workers reaping at once is harmless: every write is guarded by the run's status.
- :class:`RunWorker` runs django-tasks-db's ``Worker.run`` unchanged; when it raises a database error (connection
  terminated, server restarting or refusing connections), the worker closes its connections, waits with a capped
  doubling backoff, logging a warning each time, until the database answers, and goes on. It still stops only on a
  signal (SIGTERM/SIGINT as before: a task in hand is finished first).
"""

from __future__ import annotations

import threading
import time

import structlog
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands import db_worker as db_worker_module
from django_tasks_db.management.commands.db_worker import Worker

from sessions_app.runs import wakeup
from sessions_app.runs.executor import close_thread_connections
from sessions_app.runs.lifecycle import runs_reap

logger = structlog.get_logger(__name__)


class RunReaper:
    """Calls ``runs_reap`` now and every ``every`` seconds from a daemon thread, until :meth:`stop`."""

    def __init__(self, *, every: float) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-reaper", daemon=True)
        self._database_was_down = False
        self._hold_until = 0.0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.every + 10)

    def reap_once(self) -> int:
        """One sweep; a database error is logged (the next sweep tries again on a fresh connection).

        After the database was unreachable, live runs could not write their heartbeats either: the reaper holds
        off for one stuck limit once it is back, so that only runs whose worker really is gone are failed.
        """
        try:
            close_old_connections()  # as between requests: CONN_MAX_AGE and health checks apply here too
            if self._database_was_down:
                connections[DEFAULT_DB_ALIAS].ensure_connection()
                self._database_was_down = False
                self._hold_until = time.monotonic() + settings.RUN_STUCK_AFTER_SECONDS
                logger.info("run_reaper_holding", seconds=settings.RUN_STUCK_AFTER_SECONDS, reason="database back")
            if time.monotonic() < self._hold_until:
                return 0
            return runs_reap()
        except Exception as exc:
            logger.warning("run_reaper_failed", error=str(exc).strip(), error_type=type(exc).__name__)
            self._database_was_down = True
            close_thread_connections()
            return 0

    def _loop(self) -> None:
        try:
            while True:
                self.reap_once()
                if self._stop.wait(self.every):
                    return
        finally:
            close_thread_connections()


class RunWorker(Worker):
    """django-tasks-db's worker, with the run reaper beside it and a wait for the database when it is down."""

    def run(self) -> None:
        reaper = RunReaper(every=settings.RUN_REAP_SECONDS)
        reaper.start()
        listener = None
        if wakeup.notifications_supported():
            # Picked up the moment a run is queued, not at the next poll (sessions_app/runs/wakeup.py).
            listener = wakeup.QueueListener(retry_max=settings.WORKER_DB_RETRY_MAX_SECONDS)
            listener.start()
            wakeup.install_wakeup(db_worker_module, listener.woken)
        try:
            self._run_through_outages()
        finally:
            reaper.stop()
            if listener is not None:
                listener.stop()

    def _run_through_outages(self) -> None:
        first, cap = settings.WORKER_DB_RETRY_SECONDS, settings.WORKER_DB_RETRY_MAX_SECONDS
        delay = first
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:  # asked to stop while the database failed: stop
                    raise
                if time.monotonic() - started > cap:
                    delay = first  # it had been working for a while: a new outage, start the backoff again
                logger.warning(
                    "worker_database_error",
                    error=str(exc).strip(),
                    error_type=type(exc).__name__,
                    worker=self.worker_id,
                )
                delay = self._wait_for_database(first=delay, cap=cap)

    def _wait_for_database(self, *, first: float, cap: float) -> float:
        """Sleep and retry until a connection opens; the delay to start from at the next outage."""
        delay = first
        while True:
            close_thread_connections()
            logger.warning("worker_waiting_for_database", retry_in_s=delay, worker=self.worker_id)
            time.sleep(delay)  # SIGTERM here stops the worker at once, as during its idle sleep
            try:
                for connection in connections.all():
                    connection.ensure_connection()
            except (OperationalError, InterfaceError) as exc:
                logger.warning("worker_database_unavailable", error=str(exc).strip(), worker=self.worker_id)
                delay = min(delay * 2, cap)
                continue
            logger.info("worker_database_back", worker=self.worker_id)
            return min(delay * 2, cap)
