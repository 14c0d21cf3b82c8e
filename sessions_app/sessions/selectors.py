"""Reads of scoping sessions. Every function takes the acting user and only ever sees the sessions that user is
a member of; each session comes with the user's ``role`` in it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import ActingUser
from sessions_app.models import Membership, ScopingSession, StageState, StageStatus

_STAGES = StageState._meta.db_table
_SESSIONS = ScopingSession._meta.db_table
_MEMBERS = Membership._meta.db_table
# The correlated subquery written out: the ORM's Subquery(...Count...) costs about 1 ms per request to compile
# (more than the rest of a session read), this costs next to nothing. Standard SQL, PostgreSQL and SQLite alike.
_STAGE_COUNT_SQL = (
    f'SELECT COUNT(*) FROM "{_STAGES}" WHERE "{_STAGES}"."session_id" = "{_SESSIONS}"."id" '
    f'AND "{_STAGES}"."status" = %s'
)


def _with_progress(sessions: QuerySet[ScopingSession]) -> QuerySet[ScopingSession]:
    """``completed_stage_count`` and ``review_stage_count`` (stages needing review, which count towards the
    progress) per session, as correlated subqueries: evaluated only for the rows returned (a page of 20 costs 40
    index lookups), and dropped by ``count()``, so the paginator counts the bare owner-filtered rows. A ``Count()``
    join would make PostgreSQL aggregate every stage state of the user before the LIMIT."""
    return sessions.annotate(
        completed_stage_count=RawSQL(_STAGE_COUNT_SQL, [StageStatus.COMPLETED]),
        review_stage_count=RawSQL(_STAGE_COUNT_SQL, [StageStatus.STALE]),
    )


_ROLE_SQL = (
    f'SELECT "{_MEMBERS}"."role" FROM "{_MEMBERS}" WHERE "{_MEMBERS}"."session_id" = "{_SESSIONS}"."id" '
    f'AND "{_MEMBERS}"."user_id" = %s'
)


def _member_of(user: ActingUser) -> QuerySet[ScopingSession]:
    # By primary key: the anonymous user's is None, which no membership has.
    if user.pk is None:
        return ScopingSession.objects.none()
    user_key = Membership._meta.get_field("user").target_field.get_db_prep_value(user.pk, connection)
    members = ScopingSession.objects.filter(memberships__user_id=user.pk)
    return members.annotate(role=RawSQL(_ROLE_SQL, [user_key]))  # type: ignore[no-redef]  # fills the plain attribute


def session_list(*, user: ActingUser, status: str | None = None) -> QuerySet[ScopingSession]:
    """The sessions the user owns or is a member of, newest first, each with ``role``."""
    sessions = _with_progress(_member_of(user)).order_by("-created_at", "-id")
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def uuid_or_404(value: uuid.UUID | str, what: str) -> uuid.UUID:
    """A malformed id is simply not found, like an unknown one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404(f"No such {what}.") from exc


# session_get runs on every session-scoped request and is most of a session read's cost: written out and read
# through a plain cursor it costs about a third of the ORM's filter-annotate-get (issue 16), for the same row and
# the same progress columns as _with_progress. The model's own converters turn the row into field values (on
# SQLite a UUID comes back as text, a datetime as a string).
_FIELDS = ScopingSession._meta.concrete_fields
_SESSION_GET_SQL = (
    "SELECT "
    + ", ".join(f'"{_SESSIONS}"."{field.column}"' for field in _FIELDS)
    + f', ({_STAGE_COUNT_SQL}), ({_STAGE_COUNT_SQL}), "{_MEMBERS}"."role" '
    f'FROM "{_SESSIONS}" INNER JOIN "{_MEMBERS}" ON "{_MEMBERS}"."session_id" = "{_SESSIONS}"."id" '
    f'WHERE "{_SESSIONS}"."id" = %s AND "{_MEMBERS}"."user_id" = %s'
)
_converters: dict[str, list[tuple[int, Any, Any]]] = {}


def _row_converters() -> list[tuple[int, Any, Any]]:
    """(column index, converter, expression) for the fields whose database value needs converting, per vendor."""
    if connection.vendor not in _converters:
        found = []
        for index, field in enumerate(_FIELDS):
            column = field.get_col(_SESSIONS)
            for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
                found.append((index, convert, column))
        _converters[connection.vendor] = found
    return _converters[connection.vendor]


def session_get(*, user: ActingUser, session_id: uuid.UUID | str) -> ScopingSession:
    """The session with the user's ``role`` in it, or ``Http404`` when it does not exist, is malformed or the user
    is not a member. What the role allows is the access guard's business (``sessions_app.access``)."""
    key = uuid_or_404(session_id, "session")
    if user.pk is None:  # the anonymous user owns nothing
        raise Http404("No such session.")
    meta = ScopingSession._meta
    params = [
        StageStatus.COMPLETED.value,
        StageStatus.STALE.value,
        meta.pk.get_db_prep_value(key, connection),
        Membership._meta.get_field("user").target_field.get_db_prep_value(user.pk, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SESSION_GET_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such session.")
    values = list(row[: len(_FIELDS)])
    for index, convert, column in _row_converters():
        values[index] = convert(values[index], column, connection)
    session = ScopingSession.from_db(connection.alias, [field.attname for field in _FIELDS], values)
    completed, needing_review, role = row[len(_FIELDS) :]
    # The annotations _with_progress adds; the model reads them when present (ScopingSession.stages_completed).
    setattr(session, "completed_stage_count", completed)  # noqa: B010
    setattr(session, "review_stage_count", needing_review)  # noqa: B010
    session.role = role
    return session
