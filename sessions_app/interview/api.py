"""Interview API: stages, answers, gates, concerns, checkpoints. Thin: validate, call the service, shape."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import SessionScopedAPIView
from sessions_app.interview import selectors, services
from sessions_app.interview.serializers import (
    acknowledgement_json,
    answer_json,
    checkpoint_json,
    stage_detail_json,
    stage_summary_json,
)
from uaip.api import call_service
from uaip.ratelimits import AnswerSubmitThrottle, ApiThrottle


class AnswerInput(serializers.Serializer):
    question_id = serializers.CharField(max_length=16)
    answer = serializers.JSONField(help_text="Text, a number, {value, unit}, a choice value, or a list of strings.")
    item = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Index within a repeatable group (several KPIs or personas)."
    )


class AcknowledgeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class StageListView(SessionScopedAPIView):
    @extend_schema(operation_id="sessions_stages_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        return Response(
            {
                "session_id": self.session.pk,
                "current_stage": self.session.current_stage,
                "stages": [stage_summary_json(s) for s in selectors.stage_overview(self.session)],
            }
        )


class StageDetailView(SessionScopedAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str, stage_number: int) -> Response:
        number = selectors.stage_number_or_404(stage_number)
        return Response(stage_detail_json(selectors.stage_detail(self.session, number)))


class AnswerSubmitView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, AnswerSubmitThrottle]

    @extend_schema(request=AnswerInput, responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        submitted = call_service(
            services.answer_submit,
            session=self.session,
            stage_number=selectors.stage_number_or_404(stage_number),
            question_id=data.validated_data["question_id"],
            answer=data.validated_data["answer"],
            item=data.validated_data["item"],
        )
        body = {"answer": answer_json(submitted.answer)}
        if submitted.run is None:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response({**body, "run_id": submitted.run.pk}, status=status.HTTP_202_ACCEPTED)


class StageCompleteView(SessionScopedAPIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        number = selectors.stage_number_or_404(stage_number)
        checkpoint = services.stage_complete(session=self.session, stage_number=number)
        return Response({"checkpoint": checkpoint_json(checkpoint), "current_stage": self.session.current_stage})


class ConcernAcknowledgeView(SessionScopedAPIView):
    @extend_schema(request=AcknowledgeInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int, key: str) -> Response:
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(
            services.concern_acknowledge,
            session=self.session,
            stage_number=selectors.stage_number_or_404(stage_number),
            key=key,
            reason=data.validated_data["reason"],
        )
        return Response(acknowledgement_json(ack))


class CheckpointListView(SessionScopedAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        return Response({"results": [checkpoint_json(c) for c in selectors.checkpoint_list(self.session)]})


class CheckpointRestoreView(SessionScopedAPIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, checkpoint_id: str) -> Response:
        checkpoint = selectors.checkpoint_get(self.session, checkpoint_id)
        session = services.checkpoint_restore(session=self.session, checkpoint=checkpoint)
        return Response(
            {
                "restored": checkpoint_json(checkpoint),
                "current_stage": session.current_stage,
                "stages": [stage_summary_json(s) for s in selectors.stage_overview(session)],
            }
        )
