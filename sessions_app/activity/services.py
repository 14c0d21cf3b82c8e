"""The activity log's one write: append an entry, chained to the previous one by its hash.

Called by the service that makes the change, inside its transaction, so the change and its record commit (or roll
back) together. The session's row is locked while the entry is appended, so two members' changes get consecutive
numbers and each entry hashes its true predecessor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import ActingUser
from sessions_app.models import ActivityEntry, ScopingSession

GENESIS = "0" * 64


def entry_digest(
    *,
    session_id: str,
    seq: int,
    actor_id: str | None,
    actor_email: str,
    kind: str,
    summary: str,
    detail: dict[str, Any],
    created_at: str,
    prev_hash: str,
) -> str:
    """The SHA-256 of an entry's content and its predecessor's hash (canonical JSON: sorted keys, no spaces)."""
    payload = {
        "session": session_id,
        "seq": seq,
        "actor": actor_id,
        "actor_email": actor_email,
        "kind": kind,
        "summary": summary,
        "detail": detail,
        "created_at": created_at,
        "prev": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def digest_of(entry: ActivityEntry) -> str:
    """What ``entry.hash`` must be, recomputed from the stored fields."""
    return entry_digest(
        session_id=str(entry.session_id),
        seq=entry.seq,
        actor_id=entry.actor_ref or None,
        actor_email=entry.actor_email,
        kind=entry.kind,
        summary=entry.summary,
        detail=entry.detail,
        created_at=entry.created_at.isoformat(),
        prev_hash=entry.prev_hash,
    )


def activity_record(
    *,
    session: ScopingSession,
    actor: ActingUser | None,
    kind: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    first: bool = False,
    locked: bool = False,
) -> ActivityEntry:
    """Append one entry to the session's log. ``detail`` holds plain JSON values (text, numbers, lists).
    ``first``: the session was created in this transaction, so nobody else can write to its log yet (no lock, no
    look-up: entry 1). ``locked``: the caller holds the session row's lock already (``select_for_update``)."""
    actor_id = getattr(actor, "pk", None)
    # JSON round trip first: the stored detail (jsonb reorders keys, tuples become lists) is what gets hashed.
    clean = json.loads(json.dumps(detail or {}, default=str))
    with transaction.atomic(savepoint=False):
        last = None
        if not first:
            if not locked:
                ScopingSession.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True).first()
            last = ActivityEntry.objects.filter(session_id=session.pk).order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] + 1 if last else 1
        prev_hash = last["hash"] if last else GENESIS
        entry = ActivityEntry(
            session_id=session.pk,
            seq=seq,
            actor_id=actor_id,
            actor_ref=str(actor_id) if actor_id else "",
            actor_email=getattr(actor, "email", "") if actor_id else "",
            kind=kind,
            summary=summary[:300],
            detail=clean,
            created_at=timezone.now(),
            prev_hash=prev_hash,
        )
        entry.hash = digest_of(entry)
        entry.save(force_insert=True)
    return entry
