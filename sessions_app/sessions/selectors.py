"""Reads of scoping sessions. Every function takes the acting user and only ever sees that user's rows."""

from __future__ import annotations

import uuid

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import ActingUser
from sessions_app.models import ScopingSession, StageState, StageStatus


def _stage_count(status: str) -> Subquery:
    return Subquery(
        StageState.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )


def _with_progress(sessions: QuerySet[ScopingSession]) -> QuerySet[ScopingSession]:
    """``completed_stage_count`` and ``review_stage_count`` (stages needing review, which count towards the
    progress) per session, as correlated subqueries: evaluated only for the rows returned (a page of 20 costs 40
    index lookups), and dropped by ``count()``, so the paginator counts the bare owner-filtered rows. A ``Count()``
    join would make PostgreSQL aggregate every stage state of the user before the LIMIT."""
    return sessions.annotate(
        completed_stage_count=Coalesce(_stage_count(StageStatus.COMPLETED), 0),
        review_stage_count=Coalesce(_stage_count(StageStatus.STALE), 0),
    )


def _owned_by(user: ActingUser) -> QuerySet[ScopingSession]:
    # By primary key: the anonymous user's is None, which no session has.
    return ScopingSession.objects.filter(owner_id=user.pk)


def session_list(*, user: ActingUser, status: str | None = None) -> QuerySet[ScopingSession]:
    sessions = _with_progress(_owned_by(user)).order_by("-created_at", "-id")
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def uuid_or_404(value: uuid.UUID | str, what: str) -> uuid.UUID:
    """A malformed id is simply not found, like an unknown one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404(f"No such {what}.") from exc


def session_get(*, user: ActingUser, session_id: uuid.UUID | str) -> ScopingSession:
    """The user's session, or ``Http404`` when it does not exist, is malformed or belongs to someone else."""
    key = uuid_or_404(session_id, "session")
    try:
        return _with_progress(_owned_by(user)).get(pk=key)
    except ScopingSession.DoesNotExist as exc:
        raise Http404("No such session.") from exc
