"""django-tasks-db's ``db_worker``, preceded by the LLM provider check, running our ``RunWorker``.

``llm`` comes before ``django_tasks_db`` in ``INSTALLED_APPS`` so this command wins. Every option of the
original works unchanged; ``--skip-llm-check`` skips the check. The worker logs each provider's state and
refuses to start only when no provider is usable (offline disabled too), after a few tries.

The worker itself is ``sessions_app.runs.worker.RunWorker``: django-tasks-db's loop, plus the reaper that fails
the runs of dead workers and a wait (with backoff) through database outages instead of exiting.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

import structlog
from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from llm.health import ProviderHealth, check_providers
from sessions_app.runs.worker import RunWorker

logger = structlog.get_logger("llm")


class Command(db_worker.Command):
    help = f"{db_worker.Command.help}, after checking that an LLM provider is usable"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--skip-llm-check", action="store_true", help="Start without checking the LLM providers.")

    def handle(self, *args: Any, **options: Any) -> None:
        skip_llm_check = options.pop("skip_llm_check", False)
        # With --reload the parent process only watches files; the child that runs tasks does the check.
        reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not skip_llm_check and not reloader_parent:
            self.check_llm_providers()
        self.run_worker(**options)

    def run_worker(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        """The start-up of django-tasks-db's ``handle`` (same options, same checks), with ``RunWorker``."""
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("worker_reload_disabled", reason="--reload and --batch cannot be specified together")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if settings.RUN_STUCK_AFTER_SECONDS < 3 * settings.RUN_HEARTBEAT_SECONDS:
            raise CommandError(
                f"RUN_STUCK_AFTER_SECONDS ({settings.RUN_STUCK_AFTER_SECONDS:g}) must be at least three heartbeats "
                f"(RUN_HEARTBEAT_SECONDS = {settings.RUN_HEARTBEAT_SECONDS:g}), or live runs would be failed as lost."
            )
        worker = RunWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process, which runs the tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def check_llm_providers(self) -> list[ProviderHealth]:
        attempts = max(1, settings.LLM_WORKER_CHECK_ATTEMPTS)
        for attempt in range(1, attempts + 1):
            results = check_providers()
            for result in results:
                logger.info(
                    "llm_provider_health",
                    provider=result.provider,
                    status=result.status,
                    detail=result.detail or None,
                    latency_ms=result.latency_ms,
                    check=attempt,
                )
            if any(result.usable for result in results):
                return results
            if attempt < attempts:
                time.sleep(settings.LLM_WORKER_CHECK_DELAY)
        summary = "; ".join(result.line() for result in results) or "no provider listed in LLM_PROVIDERS"
        raise CommandError(
            f"No LLM provider is usable after {attempts} checks ({summary}). Fix the provider configuration "
            "(ANTHROPIC_API_KEY, OLLAMA_HOST) or enable the offline provider (LLM_OFFLINE_ENABLED=1)."
        )
