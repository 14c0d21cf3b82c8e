"""What each role of a session's team may do: the one table the access guard, the pages and the tests read.

DOMAIN.md "The team around a session": the owner manages the team and can delete; an editor answers, passes
gates, acknowledges and generates; a reviewer reads, comments and signs off but cannot change answers; a viewer
reads.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from sessions_app.models import MemberRole


class Capability(StrEnum):
    READ = "read"
    COMMENT = "comment"
    EDIT = "edit"
    SIGN_OFF = "sign_off"
    MANAGE = "manage"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    MemberRole.OWNER: frozenset({Capability.READ, Capability.COMMENT, Capability.EDIT, Capability.MANAGE}),
    MemberRole.EDITOR: frozenset({Capability.READ, Capability.COMMENT, Capability.EDIT}),
    MemberRole.REVIEWER: frozenset({Capability.READ, Capability.COMMENT, Capability.SIGN_OFF}),
    MemberRole.VIEWER: frozenset({Capability.READ}),
}

_ACTIONS = {
    Capability.READ: "Reading this session",
    Capability.COMMENT: "Commenting",
    Capability.EDIT: "Changing the interview or the charter",
    Capability.SIGN_OFF: "Signing off a charter",
    Capability.MANAGE: "Managing the team",
}


def can(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def roles_with(capability: Capability) -> list[str]:
    """The roles that have ``capability``, in the order of ``MemberRole``."""
    return [role for role in MemberRole.values if capability in ROLE_CAPABILITIES[role]]


class RoleRequired(PermissionDenied):
    """The acting member's role lacks ``capability``: HTTP 403, with a message naming the role needed."""

    def __init__(self, capability: Capability, role: str) -> None:
        self.capability = capability
        self.role = role
        self.required_roles = roles_with(capability)
        labels = [MemberRole(r).label.lower() for r in self.required_roles]
        needed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
        current = MemberRole(role).label.lower() if role in MemberRole.values else "not a member"
        self.message = f"{_ACTIONS[capability]} needs the {needed} role; your role in this session is {current}."
        super().__init__(self.message)


def require(role: str, capability: Capability) -> None:
    if not can(role, capability):
        raise RoleRequired(capability, role)
