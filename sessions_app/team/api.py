"""Team API: members (add or invite, change, remove or leave), pending invitations, accepting an invitation, and
the session's activity log. Shapes of the members endpoints are fixed by issue 15 (docs/API.md)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app.access import SessionScopedAPIView
from sessions_app.activity.selectors import activity_list
from sessions_app.activity.serializers import ActivityEntryOutput, ActivityPage
from sessions_app.models import ActivityKind, MemberRole, TeamFunction
from sessions_app.roles import Capability, RoleRequired, can
from sessions_app.sessions.selectors import uuid_or_404
from sessions_app.team import selectors, services
from sessions_app.team.serializers import (
    InvitationListOutput,
    InvitationOutput,
    MemberListOutput,
    MemberOutput,
    invitation_output,
    member_output,
)
from uaip.api import AUTHENTICATED_ERRORS, BODY_ERRORS, Pagination, call_service, errors, page_parameters
from uaip.ratelimits import ApiThrottle, SessionWriteThrottle

FUNCTION_CHOICES = [("", "none"), *TeamFunction.choices]


class MemberAddInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(
        choices=MemberRole.choices, help_text="`editor`, `reviewer` or `viewer`; ownership is transferred, not given."
    )
    function = serializers.ChoiceField(choices=FUNCTION_CHOICES, required=False, default="")


class MemberUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=MemberRole.choices, required=False, help_text="`owner` transfers the ownership to this member."
    )
    function = serializers.ChoiceField(choices=FUNCTION_CHOICES, required=False)


class InvitationAcceptInput(serializers.Serializer):
    token = serializers.CharField(max_length=400, help_text="The token of the invitation link.")


class MembersView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]
    capabilities = {"POST": Capability.MANAGE}

    @extend_schema(responses={200: MemberListOutput, **errors(403, 404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """The session's members, the owner first."""
        return Response(MemberListOutput({"results": selectors.members_list(session=self.session)}).data)

    @extend_schema(
        request=MemberAddInput,
        responses={
            201: MemberOutput,
            202: InvitationOutput,
            **errors(*BODY_ERRORS, 403, 404, 409, *AUTHENTICATED_ERRORS),
        },
    )
    def post(self, request: Request, session_id: str) -> Response:
        """Add the account with this address (201, the membership), or invite the address by e-mail when it has
        no account yet (202, the invitation: a signed link valid 7 days). Owner only."""
        data = MemberAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        added = call_service(
            services.member_add,
            session=self.session,
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
            **data.validated_data,
        )
        if added.membership is not None:
            return Response(member_output(added.membership), status=status.HTTP_201_CREATED)
        return Response(invitation_output(added.invitation), status=status.HTTP_202_ACCEPTED)


class MemberDetailView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]
    # Leaving is every member's own right: the handler asks for MANAGE when the member is someone else.
    capabilities = {"PATCH": Capability.MANAGE, "DELETE": Capability.READ}

    @extend_schema(
        request=MemberUpdateInput,
        responses={200: MemberOutput, **errors(*BODY_ERRORS, 403, 404, 409, *AUTHENTICATED_ERRORS)},
    )
    def patch(self, request: Request, session_id: str, user_id: str) -> Response:
        """Change a member's role or function; `role: owner` transfers the ownership (you become an editor)."""
        data = MemberUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = call_service(
            services.member_update,
            session=self.session,
            actor=request.user,
            user_id=uuid_or_404(user_id, "member"),
            **data.validated_data,
        )
        return Response(member_output(membership))

    @extend_schema(responses={204: None, **errors(403, 404, 409, *AUTHENTICATED_ERRORS)})
    def delete(self, request: Request, session_id: str, user_id: str) -> Response:
        """Remove a member (owner only), or leave the session (your own id)."""
        member_id = uuid_or_404(user_id, "member")
        if member_id != request.user.pk and not can(self.session.role, Capability.MANAGE):
            raise RoleRequired(Capability.MANAGE, self.session.role)
        call_service(services.member_remove, session=self.session, actor=request.user, user_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationsView(SessionScopedAPIView):
    capabilities = {"GET": Capability.MANAGE}

    @extend_schema(responses={200: InvitationListOutput, **errors(403, 404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """Pending invitations (not accepted, revoked or expired), newest first. Owner only."""
        pending = selectors.invitations_pending(session=self.session)
        return Response(InvitationListOutput({"results": pending}).data)


class InvitationDetailView(SessionScopedAPIView):
    capabilities = {"DELETE": Capability.MANAGE}

    @extend_schema(responses={204: None, **errors(400, 403, 404, *AUTHENTICATED_ERRORS)})
    def delete(self, request: Request, session_id: str, invitation_id: str) -> Response:
        """Revoke a pending invitation: its link stops working. Owner only."""
        call_service(
            services.invitation_revoke,
            session=self.session,
            actor=request.user,
            invitation_id=uuid_or_404(invitation_id, "invitation"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]

    @extend_schema(
        request=InvitationAcceptInput,
        responses={201: MemberOutput, **errors(*BODY_ERRORS, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request) -> Response:
        """Join the session an invitation link names, as the account with the invited address."""
        data = InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = services.invitation_accept(token=data.validated_data["token"], user=request.user)  # type: ignore[arg-type]  # authenticated
        except services.InvitationInvalid as exc:
            raise exceptions.ValidationError({"token": [str(exc)]}) from exc
        body = member_output(membership) | {"session_id": str(membership.session_id)}
        return Response(body, status=status.HTTP_201_CREATED)


class ActivityView(SessionScopedAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "actor", OpenApiTypes.STR, description="A member's user id: only their entries (empty: everyone's)."
            ),
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=[*ActivityKind.values, ""], description="Only this kind (empty: all)."
            ),
            *page_parameters(),
        ],
        responses={200: ActivityPage, **errors(400, 404, *AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request, session_id: str) -> Response:
        """The session's activity log, newest first: every change with who made it and when, and its hash."""
        kind = request.query_params.get("kind") or None
        if kind and kind not in ActivityKind.values:
            raise exceptions.ValidationError({"kind": [f"Use one of: {', '.join(ActivityKind.values)}."]})
        actor = request.query_params.get("actor") or None
        actor_id = uuid_or_404(actor, "member") if actor else None
        paginator = Pagination()
        entries = activity_list(session=self.session, actor_id=actor_id, kind=kind)
        page = paginator.paginate_queryset(entries, request, self)
        return paginator.get_paginated_response(ActivityEntryOutput(page, many=True).data)
