"""Interview API: stages, answers, gates, concerns, checkpoints. Thin: validate, call the service, shape."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import SessionScopedAPIView
from sessions_app.interview import selectors, services
from sessions_app.interview.question_bank.models import QUESTION_ID_PATTERN
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.rules import MAX_REPEAT_ITEMS, MIN_REASON_CHARS
from sessions_app.interview.serializers import (
    AcknowledgementOutput,
    AnswerCheckingOutput,
    AnswerSavedOutput,
    CheckpointListOutput,
    CheckpointRestoredOutput,
    ReasonField,
    StageCompletedOutput,
    StageDetailOutput,
    StageListOutput,
)
from uaip.api import AUTHENTICATED_ERRORS, BODY_ERRORS, NOT_BLANK, Integer, Text, call_service, documented, errors
from uaip.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from uaip.ratelimits import AnswerSubmitThrottle, ApiThrottle

STAGE_PARAM = OpenApiParameter(
    "stage_number", OpenApiTypes.INT, OpenApiParameter.PATH, enum=list(REGISTRY.numbers), description="1 to 5."
)
# The forms an answer takes; which one a question wants is in its schema (`GET …/stages/{n}`).
ANSWER_SCHEMA = {
    "anyOf": [
        {
            "type": "string",
            "pattern": NOT_BLANK,
            "description": "Text, a choice, `12.5 days`, `85%`, list items per line.",
        },
        {"type": "number", "description": "A number, score or percentage."},
        {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "The items of a list."},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {},
            "description": "`{value, unit}`, `{value, note}`, `{value, detail}`, or item → number.",
        },
    ]
}
QUESTION_ID_SCHEMA = {"type": "string", "pattern": QUESTION_ID_PATTERN, "maxLength": 16}  # the service checks it


class AnswerInput(serializers.Serializer):
    question_id = documented(Text, QUESTION_ID_SCHEMA)(
        max_length=16, help_text="A question of this stage, e.g. `S1Q1`."
    )
    answer = documented(serializers.JSONField, ANSWER_SCHEMA)(
        help_text="Text, a number, {value, unit}, a choice value, or a list of strings: what the question's "
        "`type`, `unit_required`, `per_item_of`, `detail` and `limits` in `GET …/stages/{n}` ask for."
    )
    item = documented(Integer, {"type": "integer", "minimum": 0, "maximum": MAX_REPEAT_ITEMS - 1})(
        required=False,
        default=0,
        min_value=0,
        help_text="Index within a repeatable group (several KPIs or personas; see the group's `max_items`); "
        "0 elsewhere.",
    )


class AcknowledgeInput(serializers.Serializer):
    reason = ReasonField(
        max_length=2000, help_text=f"Why the concern is acceptable, in a sentence ({MIN_REASON_CHARS}+ characters)."
    )


class StageListView(SessionScopedAPIView):
    @extend_schema(
        operation_id="sessions_stages_list", responses={200: StageListOutput, **errors(404, *AUTHENTICATED_ERRORS)}
    )
    def get(self, request: Request, session_id: str) -> Response:
        """Where each of the five stages stands."""
        body = {
            "session_id": self.session.pk,
            "current_stage": self.session.current_stage,
            "stages": selectors.stage_overview(self.session),
        }
        return Response(StageListOutput(body).data)


class StageDetailView(SessionScopedAPIView):
    @extend_schema(parameters=[STAGE_PARAM], responses={200: StageDetailOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str, stage_number: int) -> Response:
        """A stage: its questions (with everything a valid answer needs), current answers, gate and deliverable."""
        number = selectors.stage_number_or_404(stage_number)
        return Response(StageDetailOutput(selectors.stage_detail(self.session, number)).data)


class AnswerSubmitView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, AnswerSubmitThrottle]

    @extend_schema(
        parameters=[STAGE_PARAM, IDEMPOTENCY_KEY_PARAMETER],
        request=AnswerInput,
        responses={
            201: AnswerSavedOutput,
            202: AnswerCheckingOutput,
            **errors(*BODY_ERRORS, 404, 409, *AUTHENTICATED_ERRORS),
            **IDEMPOTENCY_RESPONSES,
        },
    )
    @idempotent
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        """Answer a question: typed answers are accepted at once (201), text is checked in the background (202)."""
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
        if submitted.run is None:
            return Response(AnswerSavedOutput(submitted).data, status=status.HTTP_201_CREATED)
        body = {"answer": submitted.answer, "run_id": submitted.run.pk}
        return Response(AnswerCheckingOutput(body).data, status=status.HTTP_202_ACCEPTED)


class StageCompleteView(SessionScopedAPIView):
    @extend_schema(
        parameters=[STAGE_PARAM],
        request=None,
        responses={200: StageCompletedOutput, **errors(404, 409, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        """Run the stage's gate: a checkpoint when it passes, 409 `gate_failed` with what is missing when not."""
        number = selectors.stage_number_or_404(stage_number)
        checkpoint = services.stage_complete(session=self.session, stage_number=number)
        body = {"checkpoint": checkpoint, "current_stage": self.session.current_stage}
        return Response(StageCompletedOutput(body).data)


class ConcernAcknowledgeView(SessionScopedAPIView):
    @extend_schema(
        parameters=[STAGE_PARAM],
        request=AcknowledgeInput,
        responses={200: AcknowledgementOutput, **errors(*BODY_ERRORS, 404, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str, stage_number: int, key: str) -> Response:
        """Accept a gate concern with a written reason; it stops blocking the gate."""
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(
            services.concern_acknowledge,
            session=self.session,
            stage_number=selectors.stage_number_or_404(stage_number),
            key=key,
            reason=data.validated_data["reason"],
        )
        return Response(AcknowledgementOutput(ack).data)


class CheckpointListView(SessionScopedAPIView):
    @extend_schema(responses={200: CheckpointListOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """The session's checkpoints, newest first."""
        return Response(CheckpointListOutput({"results": selectors.checkpoint_list(self.session)}).data)


class CheckpointRestoreView(SessionScopedAPIView):
    @extend_schema(request=None, responses={200: CheckpointRestoredOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def post(self, request: Request, session_id: str, checkpoint_id: str) -> Response:
        """Put a stage's answers back as they were at a checkpoint; later completed stages become stale."""
        checkpoint = selectors.checkpoint_get(self.session, checkpoint_id)
        session = services.checkpoint_restore(session=self.session, checkpoint=checkpoint)
        body = {
            "restored": checkpoint,
            "current_stage": session.current_stage,
            "stages": selectors.stage_overview(session),
        }
        return Response(CheckpointRestoredOutput(body).data)
