"""Reads of a session's team: its members, pending invitations, and the sessions' members for the dashboard."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from sessions_app.interview.question_bank.loader import get_bank
from sessions_app.interview.selectors import current_rows
from sessions_app.models import Invitation, MemberRole, Membership, ScopingSession
from sessions_app.team.services import INVITATION_DAYS

_ROLE_ORDER = {role: index for index, role in enumerate(MemberRole.values)}


def members_list(*, session: ScopingSession) -> list[Membership]:
    """The members, the owner first, then by role and the order they joined."""
    members = list(Membership.objects.filter(session=session).select_related("user"))
    return sorted(members, key=lambda m: (_ROLE_ORDER.get(m.role, 9), m.created_at))


def invitations_pending(*, session: ScopingSession) -> QuerySet[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first."""
    since = timezone.now() - timedelta(days=INVITATION_DAYS)
    return Invitation.objects.filter(
        session=session, accepted_at=None, revoked_at=None, created_at__gte=since
    ).select_related("invited_by")


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(days=INVITATION_DAYS)


@dataclass(frozen=True)
class MemberProgress:
    """A member's part of the interview: the current answers they gave, and — when they carry a team function —
    how many of the questions usually theirs are answered (by anyone)."""

    answered_by_them: int
    function_answered: int
    function_total: int


def member_progress(*, session: ScopingSession, members: list[Membership]) -> dict[uuid.UUID, MemberProgress]:
    current = list(current_rows(session))
    answered = {row.question_id for row in current if not row.is_removal}
    by_author = Counter(row.answered_by_id for row in current if not row.is_removal)
    questions_of: dict[str, set[str]] = {}
    for definition in get_bank().stages:
        functions = {group.key: group.function.value for group in definition.groups}
        for q in definition.questions:
            if q.required:
                questions_of.setdefault(functions[q.group], set()).add(q.id)
    progress = {}
    for member in members:
        mine = questions_of.get(member.function, set())
        progress[member.user_id] = MemberProgress(
            answered_by_them=by_author.get(member.user_id, 0),
            function_answered=len(mine & answered),
            function_total=len(mine),
        )
    return progress
