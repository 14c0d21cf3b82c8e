"""Interview API: stages, answers, gates, concerns, runs, checkpoints. Thin: validate, call, shape."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app import runs
from sessions_app.interview import selectors as interview
from sessions_app.interview.orchestrator import InterviewOrchestrator
from sessions_app.models import STAGE_COUNT, Checkpoint, ScopingSession
from sessions_app.selectors import run_get, session_get
from uaip.api import call_service
from uaip.ratelimits import AnswerSubmitThrottle, ApiThrottle


def _session(request: Request, session_id: str) -> ScopingSession:
    return session_get(user=request.user, session_id=session_id)


def _stage(stage_number: int) -> int:
    if not 1 <= stage_number <= STAGE_COUNT:
        raise Http404("No such stage.")
    return stage_number


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "checkpoint_id": checkpoint.pk,
        "stage": checkpoint.stage,
        "created_at": checkpoint.created_at,
        "deliverable": checkpoint.data.get("deliverable"),
        "gate": checkpoint.data.get("gate"),
    }


class AnswerInput(serializers.Serializer):
    question_id = serializers.CharField(max_length=16)
    answer = serializers.JSONField(help_text="Text, a number, {value, unit}, a choice value, or a list of strings.")
    item = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Index within a repeatable group (several KPIs or personas)."
    )


class AcknowledgeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class StageListView(APIView):
    @extend_schema(operation_id="sessions_stages_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        session = _session(request, session_id)
        return Response(
            {
                "session_id": session.pk,
                "current_stage": session.current_stage,
                "stages": interview.stage_overview(session),
            }
        )


class StageDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str, stage_number: int) -> Response:
        return Response(interview.stage_detail(_session(request, session_id), _stage(stage_number)))


class AnswerSubmitView(APIView):
    throttle_classes = [ApiThrottle, AnswerSubmitThrottle]

    @extend_schema(request=AnswerInput, responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        session = _session(request, session_id)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        submitted = call_service(
            InterviewOrchestrator(session).submit_answer,
            stage_number=_stage(stage_number),
            question_id=data.validated_data["question_id"],
            answer=data.validated_data["answer"],
            item=data.validated_data["item"],
        )
        body = {"answer": interview.answer_json(submitted.answer)}
        if submitted.run is None:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response({**body, "run_id": submitted.run.pk}, status=status.HTTP_202_ACCEPTED)


class StageCompleteView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        session = _session(request, session_id)
        checkpoint = InterviewOrchestrator(session).complete_stage(stage_number=_stage(stage_number))
        session.refresh_from_db()
        return Response({"checkpoint": checkpoint_json(checkpoint), "current_stage": session.current_stage})


class ConcernAcknowledgeView(APIView):
    @extend_schema(request=AcknowledgeInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, stage_number: int, key: str) -> Response:
        session = _session(request, session_id)
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(
            InterviewOrchestrator(session).acknowledge_concern,
            stage_number=_stage(stage_number),
            key=key,
            reason=data.validated_data["reason"],
        )
        return Response(
            {
                "stage": ack.stage,
                "key": ack.key,
                "message": ack.message,
                "reason": ack.reason,
                "acknowledged_at": ack.created_at,
            }
        )


class CheckpointListView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, session_id: str) -> Response:
        session = _session(request, session_id)
        return Response({"results": [checkpoint_json(c) for c in interview.checkpoint_list(session)]})


class CheckpointRestoreView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, session_id: str, checkpoint_id: str) -> Response:
        session = _session(request, session_id)
        checkpoint = interview.checkpoint_get(session, checkpoint_id)
        session = InterviewOrchestrator(session).restore_checkpoint(checkpoint=checkpoint)
        return Response(
            {
                "restored": checkpoint_json(checkpoint),
                "current_stage": session.current_stage,
                "stages": interview.stage_overview(session),
            }
        )


class RunView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, run_id: str) -> Response:
        return Response(interview.run_json(run_get(user=request.user, run_id=run_id)))


class RunCancelView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, run_id: str) -> Response:
        run = runs.run_cancel(run=run_get(user=request.user, run_id=run_id))
        return Response(interview.run_json(run))


class RunRetryView(APIView):
    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, run_id: str) -> Response:
        run = runs.run_retry(run=run_get(user=request.user, run_id=run_id))
        return Response(interview.run_json(run), status=status.HTTP_202_ACCEPTED)
