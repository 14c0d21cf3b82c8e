"""Mark sessions nobody touched for a while as abandoned (run it daily, e.g. from cron or a scheduler)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from sessions_app.sessions.services import sessions_mark_abandoned


class Command(BaseCommand):
    help = "Set sessions untouched for SESSION_ABANDON_AFTER_DAYS days to 'abandoned'. Answering reopens them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=settings.SESSION_ABANDON_AFTER_DAYS)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        count = sessions_mark_abandoned(older_than_days=days)
        self.stdout.write(f"{count} session(s) marked abandoned (untouched for {days} days or more).")
