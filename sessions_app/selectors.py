"""Reads of scoping sessions. Every function takes the acting user and only ever sees that user's rows."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from sessions_app.models import ScopingSession, StageRun


def session_list(*, user, status: str | None = None) -> QuerySet[ScopingSession]:
    sessions = ScopingSession.objects.filter(owner=user).order_by("-created_at", "-id")
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def session_get(*, user, session_id: uuid.UUID | str) -> ScopingSession:
    """The user's session, or ``Http404`` when it does not exist, is malformed or belongs to someone else."""
    try:
        key = session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    except ValueError as exc:
        raise Http404("No such session.") from exc
    try:
        return ScopingSession.objects.get(owner=user, pk=key)
    except ScopingSession.DoesNotExist as exc:
        raise Http404("No such session.") from exc


def run_get(*, user, run_id: uuid.UUID | str) -> StageRun:
    """The user's run, or ``Http404`` (unknown, malformed or someone else's)."""
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError as exc:
        raise Http404("No such run.") from exc
    try:
        return StageRun.objects.select_related("session").get(owner=user, pk=key)
    except StageRun.DoesNotExist as exc:
        raise Http404("No such run.") from exc
