"""``manage.py verify_activity_log [session_id …]``: check every session's hash chain; exit 1 at a broken link."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions_app.activity.selectors import chain_breaks
from sessions_app.models import ActivityEntry


class Command(BaseCommand):
    help = "Verify the activity log's hash chains and report the first broken link of each session."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session_ids", nargs="*", help="Only these sessions (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            session_ids = [uuid.UUID(value) for value in options["session_ids"]] or None
        except ValueError as exc:
            raise CommandError(f"Not a session id: {exc}.") from exc
        breaks = list(chain_breaks(session_ids=session_ids))
        for link in breaks:
            self.stderr.write(f"Session {link.session_id}: entry {link.seq} is broken: {link.reason}.")
        if breaks:
            raise CommandError(f"The activity log is broken in {len(breaks)} session(s).")
        entries = ActivityEntry.objects.all()
        if session_ids:
            entries = entries.filter(session_id__in=session_ids)
        self.stdout.write(f"The activity log verifies: {entries.count()} entries, every link intact.")
