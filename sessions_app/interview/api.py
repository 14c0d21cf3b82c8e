"""Interview API: stages, answers, gates, concerns, checkpoints. Thin: validate, call the service, shape."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import SessionScopedAPIView
from sessions_app.interview import selectors, services
from sessions_app.interview.question_bank import Question, QuestionNotFound
from sessions_app.interview.question_bank import question as bank_question
from sessions_app.interview.question_bank.models import QUESTION_ID_PATTERN
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.rules import MAX_REPEAT_ITEMS, MIN_REASON_CHARS
from sessions_app.interview.serializers import (
    AcknowledgementOutput,
    AnswerCheckingOutput,
    AnswerOutput,
    AnswerSavedOutput,
    CheckpointListOutput,
    CheckpointRestoredOutput,
    ReasonField,
    RecheckOutput,
    StageCompletedOutput,
    StageDetailOutput,
    StageListOutput,
)
from uaip.api import (
    AUTHENTICATED_ERRORS,
    BODY_ERRORS,
    NOT_BLANK,
    ErrorOutput,
    Integer,
    Text,
    call_service,
    documented,
    errors,
)
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
        max_value=MAX_REPEAT_ITEMS - 1,
        help_text="Index within a repeatable group (several KPIs or personas; see the group's `max_items`); "
        "0 elsewhere.",
    )
    version = Integer(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="The `version` of the answer you edited (0: there was none). When another member has saved a "
        "newer answer since, the save is refused with 409 `answer_changed` and their answer in `current`. "
        "Absent: no check.",
    )

    def validate_question_id(self, value: str) -> str:
        if not re.fullmatch(QUESTION_ID_PATTERN, value):
            raise serializers.ValidationError(f"{value!r} is not a question id; they look like S1Q1.")
        return value

    def validate_answer(self, value: Any) -> Any:
        """The answer's documented shape (``ANSWER_SCHEMA``); whether it fits *its* question is the service's
        check. A batch refuses a malformed request as a whole, and says per answer what its question needs."""
        if isinstance(value, str) and not value.strip():
            raise serializers.ValidationError("This question needs an answer; an empty answer is not accepted.")
        if isinstance(value, list) and (not value or not all(isinstance(entry, str) for entry in value)):
            raise serializers.ValidationError("A list answer needs at least one item, each of them text.")
        if isinstance(value, dict) and not value:
            raise serializers.ValidationError("An object answer needs at least one key, such as value.")
        if isinstance(value, bool) or not isinstance(value, str | int | float | list | dict):
            raise serializers.ValidationError("Send text, a number, a list of text or an object.")
        return value


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
            "progress_percent": selectors.stage_progress(self.session).percent,
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
            actor=request.user,
            version=data.validated_data["version"],
        )
        if submitted.run is None:
            return Response(AnswerSavedOutput(submitted).data, status=status.HTTP_201_CREATED)
        body = {"answer": submitted.answer, "run_id": submitted.run.pk, "effect": submitted.effect}
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
        checkpoint = services.stage_complete(session=self.session, stage_number=number, actor=request.user)
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
            actor=request.user,
            session=self.session,
            stage_number=selectors.stage_number_or_404(stage_number),
            key=key,
            reason=data.validated_data["reason"],
        )
        return Response(AcknowledgementOutput(ack).data)


class StagesRecheckView(SessionScopedAPIView):
    @extend_schema(request=None, responses={200: RecheckOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def post(self, request: Request, session_id: str) -> Response:
        """Re-check stages: re-run, in order, the gate of every stage that needs review or was re-opened by an
        edit. Stages that pass are complete again (new checkpoints); the first that does not pass stops it and its
        `gate` says what is missing; the later ones keep needing review. Always 200: the outcome is in the body."""
        result = services.stages_recheck(session=self.session, actor=request.user)
        body = {
            "passed": result.passed,
            "results": result.results,
            "current_stage": result.current_stage,
            "stages": selectors.stage_overview(self.session),
        }
        return Response(RecheckOutput(body).data)


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
        session = services.checkpoint_restore(session=self.session, checkpoint=checkpoint, actor=request.user)
        body = {
            "restored": checkpoint,
            "current_stage": session.current_stage,
            "stages": selectors.stage_overview(session),
        }
        return Response(CheckpointRestoredOutput(body).data)


class AnswerBatchInput(serializers.Serializer):
    answers = serializers.ListField(
        child=AnswerInput(),
        min_length=1,
        max_length=services.MAX_GROUP_ANSWERS,
        help_text="The answers to save, each once (at most 60).",
    )


class AnswerBatchResultOutput(serializers.Serializer):
    question_id = serializers.CharField()
    item = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=["saved", "checking", "unchanged", "queued", "invalid", "conflict"],
        help_text="`saved`: a typed answer, accepted. `checking`: text saved, its check runs (`run_id`). "
        "`unchanged`: identical to the current answer, nothing written. `queued`: text NOT saved yet because "
        "another check is running: send it again after `retry_after` seconds. `invalid`: not saved, see `errors`. "
        "`conflict`: not saved, another member changed the answer since your `version` (see `errors`).",
    )
    answer = AnswerOutput(allow_null=True, required=False)
    run_id = serializers.UUIDField(allow_null=True, required=False)
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]  # the body's key, not Serializer.errors
    retry_after = serializers.IntegerField(allow_null=True, required=False)


class AnswerBatchOutput(serializers.Serializer):
    results = AnswerBatchResultOutput(many=True)


class AnswerBatchView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, AnswerSubmitThrottle]

    @extend_schema(
        parameters=[STAGE_PARAM],
        request=AnswerBatchInput,
        responses={200: AnswerBatchOutput, **errors(*BODY_ERRORS, 404, 409, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str, stage_number: int) -> Response:
        """Save several answers of a stage in one request ("Save group"). Each is validated and saved on its own;
        the results say, per answer, what happened. One free-text check runs at a time (one active run per
        user): further text answers come back `queued`, unsaved, with `retry_after`."""
        data = AnswerBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        results = call_service(
            services.answers_submit_group,
            session=self.session,
            stage_number=selectors.stage_number_or_404(stage_number),
            answers=[
                services.GroupAnswer(entry["question_id"], entry["item"], entry["answer"], entry["version"])
                for entry in data.validated_data["answers"]
            ],
            actor=request.user,
        )
        body = [
            {
                "question_id": r.question_id,
                "item": r.item,
                "status": r.status,
                "answer": r.answer,
                "run_id": r.run.pk if r.run else None,
                "errors": list(r.errors),
                "retry_after": r.retry_after,
            }
            for r in results
        ]
        return Response(AnswerBatchOutput({"results": body}).data)


class GroupItemRemovedOutput(StageListOutput):
    removed = serializers.ListField(child=serializers.CharField(), help_text="The question ids of the removed item.")


class GroupItemView(SessionScopedAPIView):
    @extend_schema(
        parameters=[STAGE_PARAM],
        request=None,
        responses={200: GroupItemRemovedOutput, **errors(*BODY_ERRORS, 404, 409, *AUTHENTICATED_ERRORS)},
    )
    def delete(self, request: Request, session_id: str, stage_number: int, group_key: str, item: int) -> Response:
        """Remove one item (0-based) of a repeatable group, e.g. a second KPI or persona. The history is kept
        (removal rows, never deletes); the stage re-opens as after an edit. The last item cannot be removed."""
        group = selectors.group_or_404(stage_number, group_key)
        rows = call_service(
            services.answer_item_remove,
            actor=request.user,
            session=self.session,
            stage_number=stage_number,
            group_key=group.key,
            item=item,
        )
        self.session.refresh_from_db(fields=["current_stage", "status", "updated_at"])  # the removal re-opened it
        body = {
            "removed": [row.question_id for row in rows],
            "session_id": self.session.pk,
            "current_stage": self.session.current_stage,
            "progress_percent": selectors.stage_progress(self.session).percent,
            "stages": selectors.stage_overview(self.session),
        }
        return Response(GroupItemRemovedOutput(body).data)


class AdaptedExampleOutput(serializers.Serializer):
    question_id = serializers.CharField()
    text = serializers.CharField(help_text="The example of a strong answer, written for this session's project.")
    domain = serializers.CharField(help_text="The bank example's domain it starts from (may be empty).")
    provider = serializers.CharField()
    model = serializers.CharField()
    offline = serializers.BooleanField(  # type: ignore[assignment]
        help_text="True: no model was available; `text` is the bank's example closest to the project, not rewritten."
    )
    created_at = serializers.DateTimeField()


class AdaptedExampleView(SessionScopedAPIView):
    @extend_schema(
        parameters=[STAGE_PARAM],
        responses={200: AdaptedExampleOutput, **errors(404, *AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request, session_id: str, stage_number: int, question_id: str) -> Response:
        """The question's cached example for this project; 404 `not_found` until one was written (POST)."""
        from sessions_app.interview import examples

        q = _stage_question_or_404(stage_number, question_id)
        adapted = examples.adapted_example_get(session=self.session, question_id=q.id)
        if adapted is None:
            return Response(
                {"detail": "No example was written for this question yet: POST to write one.", "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(AdaptedExampleOutput(adapted).data)

    @extend_schema(
        parameters=[STAGE_PARAM],
        request=None,
        responses={
            200: AdaptedExampleOutput,
            201: AdaptedExampleOutput,
            503: OpenApiResponse(ErrorOutput, description="`llm_unavailable`: no provider answered; try later."),
            **errors(404, *AUTHENTICATED_ERRORS),
        },
    )
    def post(self, request: Request, session_id: str, stage_number: int, question_id: str) -> Response:
        """Write the example for this project once (201; its cost is in `GET …/usage`), or the cached one."""
        from llm.errors import LLMUnavailable
        from sessions_app.interview import examples

        q = _stage_question_or_404(stage_number, question_id)
        try:
            adapted, created = examples.adapted_example_generate(session=self.session, question=q)
        except LLMUnavailable:
            return Response(
                {
                    "detail": "No language model answered; the bank's examples still apply. Try again later.",
                    "code": "llm_unavailable",
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(
            AdaptedExampleOutput(adapted).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _stage_question_or_404(stage_number: int, question_id: str) -> Question:
    number = selectors.stage_number_or_404(stage_number)
    try:
        q = bank_question(question_id)
    except QuestionNotFound:
        raise NotFound(f"There is no question {question_id[:20]!r} in stage {number}.") from None
    if q.stage != number:
        raise NotFound(f"There is no question {question_id[:20]!r} in stage {number}.")
    return q
