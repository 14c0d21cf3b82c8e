"""Charter API: generate, read (latest or a version), versions, downloads, approval, consistency, usage."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from llm.selectors import session_usage
from sessions_app import charters
from sessions_app.charter.render import charter_filename, to_json, to_pdf
from sessions_app.interview.selectors import run_json
from sessions_app.models import Charter
from sessions_app.selectors import session_get
from uaip.api import call_service
from uaip.ratelimits import ApiThrottle, CharterGenerateThrottle

VERSION_PARAM = OpenApiParameter("version", OpenApiTypes.INT, description="A version number; latest by default.")


def charter_json(charter: Charter, *, with_content: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "charter_id": charter.pk,
        "version": charter.version,
        "decision": charter.decision,
        "generated_at": charter.generated_at,
        "provider": charter.provider,
        "offline": charter.offline,
        "approval": {
            "approver_name": charter.approver_name or None,
            "approved_at": charter.approved_at,
            "comment": charter.approval_comment or None,
        },
    }
    if with_content:
        body["changed_since"] = charters.changed_since(charter)
        body["content"] = charter.content
    return body


class ApproveInput(serializers.Serializer):
    approver_name = serializers.CharField(max_length=150)
    approved_at = serializers.DateField(required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CharterView(APIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(parameters=[VERSION_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        return Response(
            charter_json(charters.charter_get(session=session, version=request.query_params.get("version")))
        )

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        run = charters.charter_generate(session=session)
        return Response(run_json(run), status=status.HTTP_202_ACCEPTED)


class CharterVersionsView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        return Response(
            {"results": [charter_json(c, with_content=False) for c in charters.charter_versions(session=session)]}
        )


class CharterApproveView(APIView):
    @extend_schema(request=ApproveInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        charter = charters.charter_get(session=session, version=data.validated_data.get("version"))
        charter = call_service(
            charters.charter_approve,
            charter=charter,
            approver_name=data.validated_data["approver_name"],
            approved_at=data.validated_data.get("approved_at"),
            comment=data.validated_data["comment"],
        )
        return Response(charter_json(charter, with_content=False))


def charter_download(charter: Charter, fmt: str) -> HttpResponse:
    """The charter as a file: Markdown, JSON or PDF, named ``<project-slug>-charter-v<N>.<ext>``."""
    if fmt == "md":
        response = HttpResponse(charter.markdown, content_type="text/markdown; charset=utf-8")
    elif fmt == "json":
        response = HttpResponse(to_json(charter.content), content_type="application/json")
    else:
        response = HttpResponse(to_pdf(charter.content), content_type="application/pdf")
    name = charter_filename(charter.session.project_name, charter.version, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class CharterDownloadView(APIView):
    @extend_schema(parameters=[VERSION_PARAM], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, session_id: str, fmt: str) -> HttpResponse:
        session = session_get(user=request.user, session_id=session_id)
        return charter_download(charters.charter_get(session=session, version=request.query_params.get("version")), fmt)


class ConsistencyView(APIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        return Response(run_json(charters.consistency_start(session=session)), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        review = charters.latest_review(session)
        acknowledged = charters.acknowledged_findings(session)
        findings = [
            {**f, "acknowledged": f["key"] in acknowledged, "reason": acknowledged.get(f["key"])}
            for f in (review.findings if review else [])
        ]
        return Response(
            {
                "checked_at": review.created_at if review else None,
                "findings": findings,
                "semantic_available": review.semantic_available if review else None,
            }
        )


class FindingAcknowledgeView(APIView):
    @extend_schema(request=ReasonInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, key: str) -> Response:
        session = session_get(user=request.user, session_id=session_id)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(charters.finding_acknowledge, session=session, key=key, reason=data.validated_data["reason"])
        return Response(
            {"key": ack.key, "message": ack.message, "reason": ack.reason, "acknowledged_at": ack.created_at}
        )


def _totals(totals: Any) -> dict[str, Any]:
    return {
        **{k: (str(v) if k == "cost_usd" else v) for k, v in dataclasses.asdict(totals).items()},
        "total_tokens": totals.total_tokens,
    }


class UsageView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        usage = session_usage(user=request.user, session_id=session_id)
        return Response(
            {
                "session_id": session_id,
                "totals": _totals(usage.totals),
                "by_stage": {("none" if k is None else str(k)): _totals(v) for k, v in usage.by_stage.items()},
                "by_provider": {k: _totals(v) for k, v in usage.by_provider.items()},
                "by_purpose": {k: _totals(v) for k, v in usage.by_purpose.items()},
            }
        )
