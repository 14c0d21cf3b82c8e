"""Writes to scoping sessions, shared by the pages and the API."""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ActingUser, User
from sessions_app.activity.services import activity_record
from sessions_app.interview.progress import stage_states_create
from sessions_app.models import (
    DESCRIPTION_MAX,
    PROJECT_NAME_MAX,
    ActivityKind,
    MemberRole,
    ScopingSession,
    SessionStatus,
)

logger = structlog.get_logger(__name__)


def _clean_project_name(project_name: str) -> str:
    name = (project_name or "").strip()
    if not name:
        raise ValidationError({"project_name": ["Give the project a name."]})
    if len(name) > PROJECT_NAME_MAX:
        raise ValidationError({"project_name": [f"Keep the name to {PROJECT_NAME_MAX} characters or fewer."]})
    return name


def _clean_description(description: str) -> str:
    text = (description or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError({"description": [f"Keep the description to {DESCRIPTION_MAX} characters or fewer."]})
    return text


@transaction.atomic
def session_create(*, owner: User, project_name: str, description: str = "") -> ScopingSession:
    session = ScopingSession.objects.create(
        owner=owner, project_name=_clean_project_name(project_name), description=_clean_description(description)
    )
    stage_states_create(session=session)
    session.role = MemberRole.OWNER
    activity_record(
        session=session,
        actor=owner,
        kind=ActivityKind.SESSION_CREATED,
        summary=f"Created “{session.project_name}”",
        first=True,
    )
    # What the selectors annotate (a new session has no stage done), so reading its progress costs no query.
    session.completed_stage_count = 0  # type: ignore[attr-defined]
    session.review_stage_count = 0  # type: ignore[attr-defined]
    logger.info("session_created", session_id=str(session.id))
    return session


@transaction.atomic
def session_update(
    *,
    session: ScopingSession,
    project_name: str | None = None,
    description: str | None = None,
    actor: ActingUser | None = None,
) -> ScopingSession:
    fields = ["updated_at"]
    before = session.project_name
    if project_name is not None:
        session.project_name = _clean_project_name(project_name)
        fields.append("project_name")
    if description is not None:
        session.description = _clean_description(description)
        fields.append("description")
    session.save(update_fields=fields)
    summary = (
        f"Renamed “{before}” to “{session.project_name}”"
        if session.project_name != before
        else "Changed the description"
        if "description" in fields
        else "Saved the session"
    )
    activity_record(
        session=session, actor=actor, kind=ActivityKind.SESSION_UPDATED, summary=summary, detail={"fields": fields[1:]}
    )
    return session


def session_delete(*, session: ScopingSession) -> None:
    session_id = str(session.id)
    session.delete()
    logger.info("session_deleted", session_id=session_id)


def sessions_mark_abandoned(*, older_than_days: int) -> int:
    """In-progress sessions untouched for ``older_than_days`` become ``abandoned``; they can be reopened."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = ScopingSession.objects.filter(status=SessionStatus.IN_PROGRESS, updated_at__lt=cutoff)
    count = stale.update(status=SessionStatus.ABANDONED)
    logger.info("sessions_abandoned", count=count, older_than_days=older_than_days)
    return count
