"""API plumbing shared by every app: pagination and the JSON error format.

Every error under ``/api/`` is ``{"detail": str, "code": str}``; validation errors add ``errors`` with the
messages per field.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sessions_app.errors import InterviewConflict, RunInProgress
from uaip.ratelimits import RateLimitExceeded

logger = structlog.get_logger(__name__)


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def call_service(action: Any, **kwargs: Any) -> Any:
    """Run a service; its Django ``ValidationError`` becomes the API's 400 with messages per field."""
    try:
        return action(**kwargs)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InterviewConflict):
        return Response({"detail": exc.message, "code": exc.code, **exc.details}, status=409)
    if isinstance(exc, RunInProgress):
        body: dict[str, Any] = {"detail": str(exc), "code": "run_in_progress"}
        if exc.active_run_id is not None:
            body["active_run_id"] = str(exc.active_run_id)
        return Response(body, status=429, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, RateLimitExceeded):
        exc = exceptions.Throttled(wait=exc.retry_after)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    handled = drf_exception_handler(exc, context)
    if handled is None:
        logger.exception("api_unhandled_error", error_type=type(exc).__name__)
        return Response(
            {"detail": "Something went wrong on our side. Please try again.", "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response: Response = handled
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": _first_message(errors), "code": "invalid", "errors": errors}
    elif isinstance(exc, exceptions.APIException):
        detail: Any = exc.detail
        extra: dict[str, Any] = {}
        if isinstance(detail, dict):
            extra = {k: v for k, v in detail.items() if k not in {"detail", "code"}}
            code = str(detail.get("code", exc.default_code))
            detail = detail.get("detail", exc.default_detail)
        else:
            code = getattr(detail, "code", None) or exc.default_code
        response.data = {"detail": str(detail), "code": str(code), **extra}
    return response


def _first_message(errors: Any) -> str:
    """The first human message in a nested DRF error structure, for the top-level ``detail``."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else "Invalid input."
