"""Scoping-session API: list, create, read, update, delete. Thin: serializers validate, services act."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app.access import SessionScopedAPIView
from sessions_app.models import DESCRIPTION_MAX, PROJECT_NAME_MAX, ScopingSession, SessionStatus
from sessions_app.sessions.selectors import session_list
from sessions_app.sessions.services import session_create, session_delete, session_update
from uaip.api import Pagination, call_service
from uaip.ratelimits import ApiThrottle, SessionWriteThrottle


class SessionOutput(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="id", read_only=True)
    user_id = serializers.UUIDField(source="owner_id", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    stages_completed = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScopingSession
        fields = [
            "session_id",
            "user_id",
            "project_name",
            "description",
            "status",
            "current_stage",
            "stages_completed",
            "progress_percent",
            "created_at",
            "updated_at",
            "completed_at",
        ]


class SessionCreateInput(serializers.Serializer):
    project_name = serializers.CharField(max_length=PROJECT_NAME_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")


class SessionUpdateInput(serializers.Serializer):
    project_name = serializers.CharField(max_length=PROJECT_NAME_MAX, required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)


class SessionListView(APIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=SessionStatus.values),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 100."),
        ],
        responses={200: SessionOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in SessionStatus.values:
            raise exceptions.ValidationError({"status": [f"Use one of: {', '.join(SessionStatus.values)}."]})
        paginator = Pagination()
        page = paginator.paginate_queryset(session_list(user=request.user, status=status_filter), request, self)
        return paginator.get_paginated_response(SessionOutput(page, many=True).data)

    @extend_schema(request=SessionCreateInput, responses={201: SessionOutput})
    def post(self, request: Request) -> Response:
        data = SessionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = call_service(session_create, owner=request.user, **data.validated_data)
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]

    @extend_schema(responses={200: SessionOutput})
    def get(self, request: Request, session_id: str) -> Response:
        return Response(SessionOutput(self.session).data)

    @extend_schema(request=SessionUpdateInput, responses={200: SessionOutput})
    def patch(self, request: Request, session_id: str) -> Response:
        data = SessionUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        session = call_service(session_update, session=self.session, **data.validated_data)
        return Response(SessionOutput(session).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, session_id: str) -> Response:
        call_service(session_delete, session=self.session)
        return Response(status=status.HTTP_204_NO_CONTENT)
