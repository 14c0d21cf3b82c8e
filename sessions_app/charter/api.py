"""Charter API: generate, read (latest or a version), versions, downloads, approval, consistency, usage."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from llm.selectors import session_usage
from sessions_app.access import SessionScopedAPIView
from sessions_app.charter import selectors, services
from sessions_app.charter.serializers import (
    charter_download,
    charter_json,
    finding_acknowledgement_json,
    usage_totals_json,
)
from sessions_app.runs.serializers import run_json
from uaip.api import call_service
from uaip.ratelimits import ApiThrottle, CharterGenerateThrottle

VERSION_PARAM = OpenApiParameter("version", OpenApiTypes.INT, description="A version number; latest by default.")


class ApproveInput(serializers.Serializer):
    approver_name = serializers.CharField(max_length=150)
    approved_at = serializers.DateField(required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CharterView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(parameters=[VERSION_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        charter = selectors.charter_get(session=self.session, version=request.query_params.get("version"))
        return Response(charter_json(charter))

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        run = services.charter_generate(session=self.session)
        return Response(run_json(run), status=status.HTTP_202_ACCEPTED)


class CharterVersionsView(SessionScopedAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        versions = selectors.charter_versions(session=self.session)
        return Response({"results": [charter_json(c, with_content=False) for c in versions]})


class CharterApproveView(SessionScopedAPIView):
    @extend_schema(request=ApproveInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        charter = selectors.charter_get(session=self.session, version=data.validated_data.get("version"))
        charter = call_service(
            services.charter_approve,
            charter=charter,
            approver_name=data.validated_data["approver_name"],
            approved_at=data.validated_data.get("approved_at"),
            comment=data.validated_data["comment"],
        )
        return Response(charter_json(charter, with_content=False))


class CharterDownloadView(SessionScopedAPIView):
    @extend_schema(parameters=[VERSION_PARAM], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, session_id: str, fmt: str) -> HttpResponse:
        charter = selectors.charter_get(session=self.session, version=request.query_params.get("version"))
        return charter_download(charter, fmt)


class ConsistencyView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        return Response(run_json(services.consistency_start(session=self.session)), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        review, findings = selectors.findings_view(self.session)
        return Response(
            {
                "checked_at": review.created_at if review else None,
                "findings": findings,
                "semantic_available": review.semantic_available if review else None,
            }
        )


class FindingAcknowledgeView(SessionScopedAPIView):
    @extend_schema(request=ReasonInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, key: str) -> Response:
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(
            services.finding_acknowledge, session=self.session, key=key, reason=data.validated_data["reason"]
        )
        return Response(finding_acknowledgement_json(ack))


class UsageView(SessionScopedAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        usage = session_usage(session=self.session)
        by_stage = {("none" if k is None else str(k)): usage_totals_json(v) for k, v in usage.by_stage.items()}
        return Response(
            {
                "session_id": session_id,
                "totals": usage_totals_json(usage.totals),
                "by_stage": by_stage,
                "by_provider": {k: usage_totals_json(v) for k, v in usage.by_provider.items()},
                "by_purpose": {k: usage_totals_json(v) for k, v in usage.by_purpose.items()},
            }
        )
