"""Reads of the activity log: a session's entries (newest first, filtered), and the check of every chain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from sessions_app.activity.services import GENESIS, digest_of
from sessions_app.models import ActivityEntry, ScopingSession


def activity_list(
    *, session: ScopingSession, actor_id: uuid.UUID | None = None, kind: str | None = None
) -> QuerySet[ActivityEntry]:
    entries = ActivityEntry.objects.filter(session=session).select_related("actor").order_by("-seq")
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if kind:
        entries = entries.filter(kind=kind)
    return entries


@dataclass(frozen=True)
class BrokenLink:
    session_id: str
    seq: int
    reason: str


def chain_breaks(*, session_ids: list[uuid.UUID] | None = None) -> Iterator[BrokenLink]:
    """The first broken link of each session's chain, oldest first: an entry whose hash does not match its
    content, whose ``prev_hash`` is not its predecessor's hash, or a gap in the numbering (a deleted entry)."""
    entries = ActivityEntry.objects.order_by("session_id", "seq")
    if session_ids:
        entries = entries.filter(session_id__in=session_ids)
    current: str | None = None
    prev_hash, expected_seq, broken = GENESIS, 1, False
    for entry in entries.iterator(chunk_size=2000):
        sid = str(entry.session_id)
        if sid != current:
            current, prev_hash, expected_seq, broken = sid, GENESIS, 1, False
        if broken:
            continue
        reason = None
        if entry.seq != expected_seq:
            reason = f"entry {expected_seq} is missing (the next one is {entry.seq})"
        elif entry.prev_hash != prev_hash:
            reason = "it does not point to the previous entry's hash"
        elif entry.hash != digest_of(entry):
            reason = "its content does not match its hash"
        if reason:
            broken = True
            yield BrokenLink(session_id=sid, seq=entry.seq, reason=reason)
        prev_hash, expected_seq = entry.hash, entry.seq + 1
