"""django-tasks-db's ``db_worker``, preceded by the LLM provider check.

``llm`` comes before ``django_tasks_db`` in ``INSTALLED_APPS`` so this command wins. Every option of the
original works unchanged; ``--skip-llm-check`` skips the check. The worker logs each provider's state and
refuses to start only when no provider is usable (offline disabled too), after a few tries.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from typing import Any

import structlog
from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from llm.health import ProviderHealth, check_providers

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
        super().handle(*args, **options)

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
