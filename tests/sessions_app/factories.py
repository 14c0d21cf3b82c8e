"""Small helpers to make scoping sessions in tests."""

from __future__ import annotations

from sessions_app.models import ScopingSession
from sessions_app.sessions.services import session_create


def make_session(owner, project_name: str = "Churn prediction", description: str = "", **fields) -> ScopingSession:
    session = session_create(owner=owner, project_name=project_name, description=description)
    if fields:
        ScopingSession.objects.filter(pk=session.pk).update(**fields)
        session.refresh_from_db()
    return session
