"""``manage.py llm_health``: one tiny real call per provider; exit 0 when at least one is usable."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from llm.health import check_providers


class Command(BaseCommand):
    help = "Check each configured LLM provider with a tiny real call and print one line per provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=None, help="Seconds per check (LLM_HEALTH_TIMEOUT).")

    def handle(self, *args: Any, timeout: float | None = None, **options: Any) -> None:
        results = check_providers(timeout=timeout)
        for result in results:
            style = self.style.SUCCESS if result.usable else self.style.ERROR
            self.stdout.write(style(result.line()))
        if not any(result.usable for result in results):
            raise CommandError("No LLM provider is usable.", returncode=1)
