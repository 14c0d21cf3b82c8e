"""Scoping-session API: list, create, read, update, delete. Thin: serializers validate, services act."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app.access import SessionScopedAPIView
from sessions_app.models import DESCRIPTION_MAX, PROJECT_NAME_MAX, SessionStatus
from sessions_app.roles import Capability
from sessions_app.sessions.selectors import session_list
from sessions_app.sessions.serializers import SessionOutput, SessionPage, session_output
from sessions_app.sessions.services import session_create, session_delete, session_update
from uaip.api import (
    AUTHENTICATED_ERRORS,
    BODY_ERRORS,
    Pagination,
    Text,
    call_service,
    documented,
    errors,
    page_parameters,
    trimmed,
)
from uaip.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from uaip.ratelimits import ApiThrottle, SessionWriteThrottle


class SessionCreateInput(serializers.Serializer):
    project_name = documented(Text, trimmed(1, PROJECT_NAME_MAX))(max_length=PROJECT_NAME_MAX)
    description = documented(Text, trimmed(0, DESCRIPTION_MAX))(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default=""
    )


class SessionUpdateInput(serializers.Serializer):
    project_name = documented(Text, trimmed(1, PROJECT_NAME_MAX))(max_length=PROJECT_NAME_MAX, required=False)
    description = documented(Text, trimmed(0, DESCRIPTION_MAX))(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True
    )


class SessionListView(APIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]

    @extend_schema(
        operation_id="sessions_list",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=[*SessionStatus.values, ""], description="Empty: every status."
            ),
            *page_parameters(),
        ],
        responses={200: SessionPage, **errors(400, 404, *AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Your sessions, newest first, a page at a time."""
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in SessionStatus.values:
            raise exceptions.ValidationError({"status": [f"Use one of: {', '.join(SessionStatus.values)}."]})
        paginator = Pagination()
        page = paginator.paginate_queryset(session_list(user=request.user, status=status_filter), request, self)
        return paginator.get_paginated_response(SessionOutput(page, many=True).data)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=SessionCreateInput,
        responses={201: SessionOutput, **errors(*BODY_ERRORS, *AUTHENTICATED_ERRORS), **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Start a session; you own it."""
        data = SessionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = call_service(session_create, owner=request.user, **data.validated_data)
        return Response(session_output(session), status=status.HTTP_201_CREATED)


class SessionDetailView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]
    capabilities = {"DELETE": Capability.MANAGE}

    @extend_schema(responses={200: SessionOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """One of your sessions."""
        return Response(session_output(self.session))

    @extend_schema(
        request=SessionUpdateInput,
        responses={200: SessionOutput, **errors(*BODY_ERRORS, 404, *AUTHENTICATED_ERRORS)},
    )
    def patch(self, request: Request, session_id: str) -> Response:
        """Rename a session or change its description."""
        data = SessionUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        session = call_service(session_update, session=self.session, actor=request.user, **data.validated_data)
        return Response(session_output(session))

    @extend_schema(responses={204: None, **errors(404, *AUTHENTICATED_ERRORS)})
    def delete(self, request: Request, session_id: str) -> Response:
        """Delete a session and everything in it."""
        call_service(session_delete, session=self.session)
        return Response(status=status.HTTP_204_NO_CONTENT)
