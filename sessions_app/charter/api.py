"""Charter API: generate, read (latest or a version), versions, downloads, approval, consistency, usage."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from llm.selectors import session_usage
from sessions_app.access import SessionScopedAPIView
from sessions_app.charter import selectors, services
from sessions_app.charter.serializers import (
    CHARTER_CONTENT_SCHEMA,
    CharterOutput,
    CharterVersionsOutput,
    ConsistencyOutput,
    FindingAcknowledgementOutput,
    SignOffStateOutput,
    UsageOutput,
    charter_download,
)
from sessions_app.charter.word import DOCX_CONTENT_TYPE
from sessions_app.interview.rules import MIN_REASON_CHARS
from sessions_app.interview.serializers import ReasonField
from sessions_app.roles import Capability
from sessions_app.runs.serializers import RunOutput
from uaip.api import (
    AUTHENTICATED_ERRORS,
    BODY_ERRORS,
    DIGITS,
    Integer,
    Text,
    call_service,
    documented,
    errors,
    trimmed,
)
from uaip.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from uaip.ratelimits import ApiThrottle, CharterGenerateThrottle

FORMAT_PARAM = OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["md", "json", "pdf", "docx"])
APPENDIX_PARAM = OpenApiParameter(
    "appendix",
    OpenApiTypes.STR,
    enum=["0", "1"],
    description="`0` leaves the appendix (questions and final answers) out of Markdown, PDF and Word; default `1`.",
)
VERSION_PARAM = OpenApiParameter(
    "version",
    OpenApiTypes.STR,
    pattern=DIGITS,
    description="A version number; empty or absent: the latest. Unknown: 404.",
)
DOWNLOADS = {
    "text/markdown": OpenApiTypes.BINARY,
    "application/json": CHARTER_CONTENT_SCHEMA,
    "application/pdf": OpenApiTypes.BINARY,
    DOCX_CONTENT_TYPE: OpenApiTypes.BINARY,
}


def _appendix(request: Request) -> bool:
    """The API's ``appendix`` parameter: absent, ``1`` or ``0``; anything else is a 400 (the pages are lenient)."""
    value = request.query_params.get("appendix")
    if value not in (None, "", "0", "1"):
        raise exceptions.ValidationError({"appendix": ["Use 0 (no appendix) or 1 (with the appendix)."]})
    return value != "0"


class SignOffInput(serializers.Serializer):
    comment = documented(Text, trimmed(MIN_REASON_CHARS, 2000))(
        max_length=2000, help_text="What you checked: at least a sentence."
    )
    version = Integer(required=False, min_value=1, help_text="The version signed: the latest (the default).")


class ReasonInput(serializers.Serializer):
    reason = ReasonField(
        max_length=2000, help_text=f"Why the finding is acceptable, in a sentence ({MIN_REASON_CHARS}+ characters)."
    )


class CharterView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(parameters=[VERSION_PARAM], responses={200: CharterOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """The latest charter, or the version asked for."""
        charter = selectors.charter_get(session=self.session, version=request.query_params.get("version"))
        return Response(CharterOutput(charter).data)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={202: RunOutput, **errors(404, 409, *AUTHENTICATED_ERRORS), **IDEMPOTENCY_RESPONSES},
        description="Queues a generation (poll the run). 409 `stages_incomplete` until all five stages are complete.",
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        run = services.charter_generate(session=self.session, actor=request.user)
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class CharterVersionsView(SessionScopedAPIView):
    @extend_schema(responses={200: CharterVersionsOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """Every version of the charter, newest first, without their content."""
        versions = selectors.charter_versions(session=self.session)
        return Response(CharterVersionsOutput({"results": versions}).data)


class CharterSignOffsView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle]
    capabilities = {"POST": Capability.SIGN_OFF}

    @extend_schema(
        parameters=[VERSION_PARAM], responses={200: SignOffStateOutput, **errors(400, 404, *AUTHENTICATED_ERRORS)}
    )
    def get(self, request: Request, session_id: str) -> Response:
        """A version's sign-offs (the latest by default), how many approve it, and whether it is approved."""
        charter = selectors.charter_get(session=self.session, version=request.query_params.get("version"))
        return Response(SignOffStateOutput(selectors.signoff_state(charter)).data)

    @extend_schema(
        request=SignOffInput,
        responses={201: SignOffStateOutput, **errors(*BODY_ERRORS, 403, 404, 409, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str) -> Response:
        """Sign off the latest version with a comment (reviewers). 409: a `halt` decision, a superseded version,
        or a second sign-off of yours."""
        data = SignOffInput(data=request.data)
        data.is_valid(raise_exception=True)
        charter = selectors.charter_get(session=self.session, version=data.validated_data.get("version"))
        call_service(
            services.charter_sign_off, charter=charter, actor=request.user, comment=data.validated_data["comment"]
        )
        return Response(SignOffStateOutput(selectors.signoff_state(charter)).data, status=status.HTTP_201_CREATED)


class CharterDownloadView(SessionScopedAPIView):
    @extend_schema(
        parameters=[FORMAT_PARAM, VERSION_PARAM, APPENDIX_PARAM],
        responses={
            (200, media): OpenApiResponse(body, description="The charter as a file: Markdown, JSON, PDF or Word.")
            for media, body in DOWNLOADS.items()
        }
        | errors(400, 404, *AUTHENTICATED_ERRORS),
        description=(
            "Downloads, named `<project-slug>-charter-v<N>.<ext>`: `fmt` is `md`, `json`, `pdf` or `docx` (Word). "
            "PDF and Word are rendered once per version, when it is generated, and read from storage."
        ),
    )
    def get(self, request: Request, session_id: str, fmt: str) -> HttpResponse:
        charter = selectors.charter_get(session=self.session, version=request.query_params.get("version"))
        return charter_download(charter, fmt, appendix=_appendix(request))


class ConsistencyView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, CharterGenerateThrottle]

    @extend_schema(
        request=None,
        responses={202: RunOutput, **errors(404, 409, *AUTHENTICATED_ERRORS)},
        description="Queues a consistency check on its own (poll the run); 409 `stages_incomplete` as for generation.",
    )
    def post(self, request: Request, session_id: str) -> Response:
        run = services.consistency_start(session=self.session, actor=request.user)
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ConsistencyOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """The latest cross-stage consistency findings."""
        review, findings = selectors.findings_view(self.session)
        body = {
            "checked_at": review.created_at if review else None,
            "findings": findings,
            "semantic_available": review.semantic_available if review else None,
        }
        return Response(ConsistencyOutput(body).data)


class FindingAcknowledgeView(SessionScopedAPIView):
    @extend_schema(
        request=ReasonInput,
        responses={200: FindingAcknowledgementOutput, **errors(*BODY_ERRORS, 404, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str, key: str) -> Response:
        """Accept a consistency finding with a written reason (a critical one stops generation until then)."""
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        ack = call_service(
            services.finding_acknowledge,
            session=self.session,
            key=key,
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return Response(FindingAcknowledgementOutput(ack).data)


class UsageView(SessionScopedAPIView):
    @extend_schema(responses={200: UsageOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, session_id: str) -> Response:
        """Tokens and cost of the session's model calls."""
        usage = session_usage(session=self.session)
        body = {
            "session_id": self.session.pk,
            "totals": usage.totals,
            "by_stage": {("none" if k is None else str(k)): v for k, v in usage.by_stage.items()},
            "by_provider": usage.by_provider,
            "by_purpose": usage.by_purpose,
        }
        return Response(UsageOutput(body).data)
