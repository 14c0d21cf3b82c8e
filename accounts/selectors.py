"""Reads about an account: the data export."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.models import User
from sessions_app.models import ScopingSession

EXPORT_FORMAT_VERSION = 1
# What of a session the export holds, by related name: every row of each, all versions (answers are append-only,
# charters are versioned), with their timestamps. A new model that belongs to a session is added here.
SESSION_PARTS = (
    "stage_states",
    "answers",
    "acknowledgements",
    "checkpoints",
    "consistency_reviews",
    "charters",
    "runs",
)
# Never exported: the password hash is a secret even from its owner, the rest is internal bookkeeping.
USER_FIELDS = ("id", "email", "name", "created_at", "updated_at", "last_login")


def _rows(queryset: QuerySet[Any], *, omit: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every concrete field of every row (a foreign key as its id), in the model's order."""
    model: type[Model] = queryset.model
    names = [field.attname for field in model._meta.concrete_fields if field.name not in omit]
    return list(queryset.values(*names))


def account_export(*, user: User) -> dict[str, Any]:
    """Everything UAIP holds about ``user`` as JSON-ready data (dates and UUIDs still as Python objects: encode with
    ``DjangoJSONEncoder``): the account and each of their scoping sessions with its answers (every version), stage
    states, acknowledgements, checkpoints, consistency reviews, charters (every version, with content) and
    background runs. Only ``user``'s own sessions: the query is scoped by owner."""
    sessions = ScopingSession.objects.filter(owner=user).order_by("created_at")
    exported = []
    for session in sessions:
        entry: dict[str, Any] = _rows(ScopingSession.objects.filter(pk=session.pk), omit=("owner",))[0]
        for part in SESSION_PARTS:
            related: QuerySet[Any] = getattr(session, part).all()
            entry[part] = _rows(related, omit=("session",))
        exported.append(entry)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": {name: getattr(user, name) for name in USER_FIELDS},
        "sessions": exported,
    }
