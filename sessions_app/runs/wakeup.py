"""Waking the worker the moment a run is queued, instead of at its next poll (PostgreSQL ``LISTEN/NOTIFY``).

- :func:`notify_queued` (called after a run's task row is written, on commit) sends ``NOTIFY uaip_runs``.
- :class:`QueueListener` is a daemon thread of every worker: it ``LISTEN``s on its own connection and sets an event
  when a notification arrives (reconnecting with backoff when the connection is lost).
- :class:`WakeableClock` replaces the ``time`` module that django-tasks-db's worker loop sleeps with (its only
  idle wait, ``time.sleep(interval)``): the sleep ends early when the event is set. Everything else is the real
  ``time``. The loop itself stays django-tasks-db's, unchanged.

The polling interval stays the fallback: a notification lost (the listener reconnecting, say) costs at most one
interval. SQLite has no notifications: there the worker polls, as before.
"""

from __future__ import annotations

import threading
import time
from types import ModuleType
from typing import Any

import psycopg
import structlog
from django.db import connection, connections

logger = structlog.get_logger(__name__)

CHANNEL = "uaip_runs"


def notifications_supported() -> bool:
    return connection.vendor == "postgresql"


def notify_queued() -> None:
    """Tell listening workers a task is waiting. Never fails the caller: a lost wake-up costs one poll."""
    if not notifications_supported():
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
    except Exception as exc:  # the task row is written; the worker's poll will find it
        logger.warning("run_notify_failed", error_type=type(exc).__name__)


class QueueListener:
    """``LISTEN uaip_runs`` on a dedicated connection; :attr:`woken` is set on every notification."""

    def __init__(self, *, alias: str = "default", retry_max: float = 30.0) -> None:
        self.woken = threading.Event()
        self._alias = alias
        self._retry_max = retry_max
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-queue-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        delay = 1.0
        params = connections[self._alias].get_connection_params()
        while not self._stop.is_set():
            try:
                with psycopg.connect(**params, autocommit=True) as listening:
                    listening.execute(f"LISTEN {CHANNEL}")
                    delay = 1.0
                    while not self._stop.is_set():
                        for _ in listening.notifies(timeout=1.0, stop_after=1):
                            self.woken.set()
            except psycopg.Error as exc:
                logger.warning("run_listener_reconnecting", error_type=type(exc).__name__, retry_in_s=delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self._retry_max)


class WakeableClock:
    """A stand-in for the ``time`` module whose ``sleep`` returns as soon as ``woken`` is set."""

    def __init__(self, real: ModuleType, woken: threading.Event) -> None:
        self._real = real
        self._woken = woken

    def sleep(self, seconds: float) -> None:
        self._woken.wait(seconds)
        self._woken.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install_wakeup(worker_module: ModuleType, woken: threading.Event) -> None:
    """Make ``worker_module``'s idle sleep end when ``woken`` is set (see the module docstring)."""
    worker_module.time = WakeableClock(time, woken)  # type: ignore[attr-defined]
