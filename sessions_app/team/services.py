"""Writes to a session's team: add a member or invite an address, change a role or function, transfer the
ownership, remove a member or leave, revoke and accept invitations. Every change is in the activity log.

The owner manages the team (the access guard checks ``Capability.MANAGE`` before these run); leaving is every
member's own right. ``ScopingSession.owner`` always names the owner member (runs and usage are counted by it).
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, normalize_email
from sessions_app.activity.services import activity_record
from sessions_app.errors import InterviewConflict
from sessions_app.models import (
    ActivityKind,
    Invitation,
    MemberRole,
    Membership,
    ScopingSession,
    TeamFunction,
)

logger = structlog.get_logger(__name__)

INVITATION_DAYS = 7
_SALT = "uaip.sessions.invitation"


@dataclass(frozen=True)
class MemberAdded:
    """What adding an address did: an existing account joined (``membership``) or was invited (``invitation``)."""

    membership: Membership | None = None
    invitation: Invitation | None = None


def _role(role: str) -> str:
    if role not in MemberRole.values:
        raise ValidationError({"role": [f"Use one of: {', '.join(MemberRole.values)}."]})
    return role


def _function(function: str | None) -> str:
    function = (function or "").strip()
    if function and function not in TeamFunction.values:
        raise ValidationError({"function": [f"Use one of: {', '.join(TeamFunction.values)}, or leave it empty."]})
    return function


def _name(user: User) -> str:
    return user.get_full_name()


def owners_join(sessions: Iterable[ScopingSession]) -> list[ScopingSession]:
    """The owner memberships of sessions made with ``bulk_create`` (which skips ``ScopingSession.save``)."""
    sessions = list(sessions)
    Membership.objects.bulk_create(
        [Membership(session=s, user_id=s.owner_id, role=MemberRole.OWNER) for s in sessions], ignore_conflicts=True
    )
    return sessions


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.id), salt=_SALT)


def invitation_path(invitation: Invitation) -> str:
    return reverse("team:invitation", kwargs={"token": invitation_token(invitation)})


@transaction.atomic
def member_add(
    *, session: ScopingSession, actor: User, email: str, role: str, function: str | None = None, base_url: str = ""
) -> MemberAdded:
    """Add the account with ``email`` at once, or invite the address (a signed link by e-mail, valid
    :data:`INVITATION_DAYS` days). Inviting the owner role is refused: ownership is transferred, not shared."""
    address = normalize_email(email or "")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"email": ["Give a valid e-mail address."]}) from exc
    role, function = _role(role), _function(function)
    if role == MemberRole.OWNER:
        raise ValidationError({"role": ["A session has one owner: add the member, then transfer the ownership."]})
    user = User.objects.filter(email__iexact=address, is_active=True).first()
    if user is not None:
        if Membership.objects.filter(session=session, user=user).exists():
            raise InterviewConflict(f"{address} is already a member of this session.", code="already_member")
        membership = Membership.objects.create(session=session, user=user, role=role, function=function, added_by=actor)
        activity_record(
            session=session,
            actor=actor,
            kind=ActivityKind.MEMBER_ADDED,
            summary=f"Added {_name(user)} as {MemberRole(role).label.lower()}",
            detail={"user_id": str(user.pk), "email": user.email, "role": role, "function": function},
        )
        return MemberAdded(membership=membership)
    pending = Invitation.objects.filter(session=session, email__iexact=address, accepted_at=None, revoked_at=None)
    pending.update(revoked_at=timezone.now())  # a new invitation replaces an earlier one to the same address
    invitation = Invitation.objects.create(
        session=session, email=address, role=role, function=function, invited_by=actor
    )
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.INVITATION_SENT,
        summary=f"Invited {address} as {MemberRole(role).label.lower()}",
        detail={"invitation_id": str(invitation.id), "email": address, "role": role, "function": function},
    )
    transaction.on_commit(lambda: _send_invitation(invitation, actor, base_url))
    return MemberAdded(invitation=invitation)


def _send_invitation(invitation: Invitation, actor: User, base_url: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": _name(actor),
        "project": invitation.session.project_name,
        "role": MemberRole(invitation.role).label.lower(),
        "url": base_url.rstrip("/") + invitation_path(invitation),
        "days": INVITATION_DAYS,
    }
    subject = render_to_string("sessions_app/team/invitation_subject.txt", context).strip()
    body = render_to_string("sessions_app/team/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException) as exc:
        # The invitation stands (listed as pending, revocable, re-sendable); only the mail failed.
        logger.error("invitation_mail_failed", invitation_id=str(invitation.id), error_type=type(exc).__name__)
        return
    logger.info("invitation_sent", invitation_id=str(invitation.id), session_id=str(invitation.session_id))


def _member(session: ScopingSession, user_id: uuid.UUID | str) -> Membership:
    try:
        return Membership.objects.select_related("user").get(session=session, user_id=user_id)
    except (Membership.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("That person is not a member of this session.") from exc


@transaction.atomic
def member_update(
    *,
    session: ScopingSession,
    actor: User,
    user_id: uuid.UUID | str,
    role: str | None = None,
    function: str | None = None,
) -> Membership:
    """Change a member's role or function. Giving someone the owner role transfers the ownership: the previous
    owner becomes an editor. The owner's own role changes only by such a transfer."""
    membership = _member(session, user_id)
    changed: dict[str, str] = {}
    if function is not None and _function(function) != membership.function:
        membership.function = changed["function"] = _function(function)
    if role is not None and _role(role) != membership.role:
        if role == MemberRole.OWNER:
            return _owner_transfer(session=session, actor=actor, to=membership, function_change=changed)
        if membership.role == MemberRole.OWNER:
            raise InterviewConflict(
                "The owner's role changes only by transferring the ownership to another member.", code="owner_role"
            )
        membership.role = changed["role"] = role
    if changed:
        membership.save(update_fields=list(changed))
        activity_record(
            session=session,
            actor=actor,
            kind=ActivityKind.MEMBER_CHANGED,
            summary=f"Changed {_name(membership.user)}: "
            + ", ".join(
                f"{k} {MemberRole(v).label.lower() if k == 'role' else v or 'none'}" for k, v in changed.items()
            ),
            detail={"user_id": str(membership.user_id), **changed},
        )
    return membership


def _owner_transfer(
    *, session: ScopingSession, actor: User, to: Membership, function_change: dict[str, str]
) -> Membership:
    previous = Membership.objects.select_related("user").get(session=session, role=MemberRole.OWNER)
    previous.role = MemberRole.EDITOR
    previous.save(update_fields=["role"])  # first: one owner at a time (the constraint)
    to.role = MemberRole.OWNER
    to.save(update_fields=["role", *function_change])
    ScopingSession.objects.filter(pk=session.pk).update(owner_id=to.user_id)
    session.owner_id = to.user_id
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.OWNER_TRANSFERRED,
        summary=f"Transferred the ownership from {_name(previous.user)} to {_name(to.user)}",
        detail={"from_user_id": str(previous.user_id), "to_user_id": str(to.user_id)},
    )
    return to


@transaction.atomic
def member_remove(*, session: ScopingSession, actor: User, user_id: uuid.UUID | str) -> None:
    """Remove a member (the owner's right), or leave (anyone's own). The owner cannot leave: transfer first."""
    membership = _member(session, user_id)
    if membership.role == MemberRole.OWNER:
        raise InterviewConflict(
            "The owner cannot leave or be removed: transfer the ownership to another member first.",
            code="owner_cannot_leave",
        )
    leaving = membership.user_id == actor.pk
    membership.delete()
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.MEMBER_REMOVED,
        summary=f"{_name(actor)} left the session" if leaving else f"Removed {_name(membership.user)}",
        detail={"user_id": str(membership.user_id), "left": leaving},
    )


@transaction.atomic
def invitation_revoke(*, session: ScopingSession, actor: User, invitation_id: uuid.UUID | str) -> Invitation:
    invitation = Invitation.objects.filter(session=session, pk=invitation_id, accepted_at=None, revoked_at=None).first()
    if invitation is None:
        raise Http404("There is no pending invitation with this id.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.INVITATION_REVOKED,
        summary=f"Revoked the invitation of {invitation.email}",
        detail={"invitation_id": str(invitation.id), "email": invitation.email},
    )
    return invitation


class InvitationInvalid(Exception):
    """The link is malformed, expired, revoked, already used, or for another address; the message says which."""


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names, or :class:`InvitationInvalid`."""
    try:
        invitation_id = signing.loads(token, salt=_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired as exc:
        raise InvitationInvalid(f"This invitation has expired (links are valid {INVITATION_DAYS} days).") from exc
    except signing.BadSignature as exc:
        raise InvitationInvalid("This invitation link is not valid.") from exc
    invitation = Invitation.objects.select_related("session", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationInvalid("This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation has already been used.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the session the link invites to, as the account with the invited address."""
    invitation = invitation_from_token(token)
    if normalize_email(user.email) != normalize_email(invitation.email):
        raise InvitationInvalid(f"This invitation is for {invitation.email}; log in with that address to accept it.")
    session = invitation.session
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                session=session,
                user=user,
                role=invitation.role,
                function=invitation.function,
                added_by=invitation.invited_by,
            )
    except IntegrityError:
        membership = Membership.objects.get(session=session, user=user)  # already a member: the link is spent
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    activity_record(
        session=session,
        actor=user,
        kind=ActivityKind.MEMBER_ADDED,
        summary=f"{_name(user)} joined as {MemberRole(membership.role).label.lower()} (invitation)",
        detail={
            "user_id": str(user.pk),
            "email": user.email,
            "role": membership.role,
            "invitation_id": str(invitation.id),
        },
    )
    return membership


_SUCCESSION = (MemberRole.EDITOR, MemberRole.REVIEWER, MemberRole.VIEWER)


def _succession_order(member: Membership) -> tuple[int, datetime]:
    return (_SUCCESSION.index(member.role) if member.role in _SUCCESSION else 9, member.created_at)


@transaction.atomic
def owned_sessions_hand_over(*, user: User) -> int:
    """Before an account is deleted: each session it owns that has other members passes to the longest-standing
    editor (else reviewer, else viewer), so a team's work is not deleted with one person's account. Sessions with
    no other member go with the account. Returns how many were handed over."""
    handed = 0
    for session in ScopingSession.objects.select_for_update().filter(owner=user):
        others = Membership.objects.filter(session=session).exclude(user=user).select_related("user")
        heir = min(others, key=_succession_order, default=None)
        if heir is None:
            continue
        Membership.objects.filter(session=session, user=user).delete()
        heir.role = MemberRole.OWNER
        heir.save(update_fields=["role"])
        ScopingSession.objects.filter(pk=session.pk).update(owner_id=heir.user_id)
        activity_record(
            session=session,
            actor=user,
            kind=ActivityKind.OWNER_TRANSFERRED,
            summary=f"{_name(user)} deleted their account: the ownership passed to {_name(heir.user)}",
            detail={"from_user_id": str(user.pk), "to_user_id": str(heir.user_id), "account_deleted": True},
        )
        handed += 1
    return handed
