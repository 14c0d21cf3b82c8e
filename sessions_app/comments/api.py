"""Comments API: threads on answers and charter sections; reply, resolve, reopen. Reading needs any role,
writing the commenting roles (owner, editor, reviewer)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import SessionScopedAPIView
from sessions_app.comments import selectors, services
from sessions_app.comments.serializers import CommentOutput, ThreadListOutput, ThreadOutput
from sessions_app.models import COMMENT_MAX, CommentTarget, ScopingSession
from sessions_app.roles import Capability
from sessions_app.sessions.selectors import uuid_or_404
from uaip.api import AUTHENTICATED_ERRORS, BODY_ERRORS, call_service, errors
from uaip.ratelimits import ApiThrottle, SessionWriteThrottle


class ThreadStartInput(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=CommentTarget.choices)
    target = serializers.CharField(max_length=80, help_text="`S2Q3`, `S2Q3#1`, or a charter section key.")
    body = serializers.CharField(max_length=COMMENT_MAX, help_text="Plain text.")


class ReplyInput(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX, help_text="Plain text.")


def _thread_json(session: ScopingSession, thread_id: uuid.UUID) -> dict[str, Any]:
    thread = selectors.threads_list(session=session).get(pk=thread_id)
    return ThreadOutput(thread).data


class ThreadsView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]
    capabilities = {"POST": Capability.COMMENT}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "target_kind", OpenApiTypes.STR, enum=[*CommentTarget.values, ""], description="Empty: both kinds."
            ),
            OpenApiParameter("target", OpenApiTypes.STR, description="Only the threads of this answer or section."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "resolved", ""], description="Empty: both."),
        ],
        responses={200: ThreadListOutput, **errors(400, 404, *AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request, session_id: str) -> Response:
        """The session's comment threads, oldest first, each with its comments."""
        state = request.query_params.get("status") or ""
        if state not in ("", "open", "resolved"):
            raise exceptions.ValidationError({"status": ["Use open, resolved, or leave it empty."]})
        kind = request.query_params.get("target_kind") or None
        if kind and kind not in CommentTarget.values:
            raise exceptions.ValidationError({"target_kind": [f"Use one of: {', '.join(CommentTarget.values)}."]})
        threads = selectors.threads_list(
            session=self.session,
            target_kind=kind,
            target=request.query_params.get("target") or None,
            unresolved_only=state == "open",
        )
        if state == "resolved":
            threads = threads.exclude(resolved_at=None)
        return Response(ThreadListOutput({"results": threads}).data)

    @extend_schema(
        request=ThreadStartInput,
        responses={201: ThreadOutput, **errors(*BODY_ERRORS, 403, 404, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str) -> Response:
        """Start a thread on an answer or a charter section."""
        data = ThreadStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        thread = call_service(services.thread_start, session=self.session, actor=request.user, **data.validated_data)
        return Response(_thread_json(self.session, thread.pk), status=status.HTTP_201_CREATED)


class ThreadRepliesView(SessionScopedAPIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]
    capabilities = {"POST": Capability.COMMENT}

    @extend_schema(
        request=ReplyInput, responses={201: CommentOutput, **errors(*BODY_ERRORS, 403, 404, *AUTHENTICATED_ERRORS)}
    )
    def post(self, request: Request, session_id: str, thread_id: str) -> Response:
        """Reply in a thread (a resolved thread opens again)."""
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = call_service(
            services.comment_reply,
            session=self.session,
            actor=request.user,
            thread_id=uuid_or_404(thread_id, "thread"),
            body=data.validated_data["body"],
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ThreadStateView(SessionScopedAPIView):
    capabilities = {"POST": Capability.COMMENT}

    @extend_schema(
        operation_id="sessions_comments_state",
        request=None,
        responses={200: ThreadOutput, **errors(400, 403, 404, *AUTHENTICATED_ERRORS)},
    )
    def post(self, request: Request, session_id: str, thread_id: str, action: str) -> Response:
        """`resolve` or `reopen` a thread."""
        change = services.thread_resolve if action == "resolve" else services.thread_reopen
        thread = call_service(
            change, session=self.session, actor=request.user, thread_id=uuid_or_404(thread_id, "thread")
        )
        return Response(_thread_json(self.session, thread.pk))
