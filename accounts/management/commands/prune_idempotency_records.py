"""Delete expired Idempotency-Key records (run it daily, beside mark_abandoned_sessions)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from uaip.idempotency import prune_expired


class Command(BaseCommand):
    help = "Delete the stored responses of Idempotency-Keys older than IDEMPOTENCY_TTL_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_expired()
        self.stdout.write(f"Deleted {deleted} expired idempotency record{'s' if deleted != 1 else ''}.")
