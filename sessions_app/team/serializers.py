"""The team API's output: a membership and an invitation."""

from __future__ import annotations

from rest_framework import serializers

from sessions_app.models import Invitation, MemberRole, Membership, TeamFunction
from sessions_app.team.selectors import invitation_expires_at


class MemberOutput(serializers.Serializer):
    user_id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    role = serializers.ChoiceField(choices=MemberRole.choices, read_only=True)
    function = serializers.ChoiceField(
        choices=[("", "none"), *TeamFunction.choices], read_only=True, help_text="Empty: no team function."
    )
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)


class InvitationOutput(serializers.Serializer):
    invitation_id = serializers.UUIDField(source="id", read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=MemberRole.choices, read_only=True)
    function = serializers.ChoiceField(choices=[("", "none"), *TeamFunction.choices], read_only=True)
    invited_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.SerializerMethodField()

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.email if invitation.invited_by else None

    def get_expires_at(self, invitation: Invitation) -> str:
        return serializers.DateTimeField().to_representation(invitation_expires_at(invitation))


class MemberListOutput(serializers.Serializer):
    results = MemberOutput(many=True, help_text="The owner first, then by role and joining order.")


class InvitationListOutput(serializers.Serializer):
    results = InvitationOutput(many=True, help_text="Newest first.")


def member_output(membership: Membership) -> dict:
    return MemberOutput(membership).data


def invitation_output(invitation: Invitation) -> dict:
    return InvitationOutput(invitation).data
