"""Request id header, and JSON (never HTML) errors for everything under /api/."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import structlog
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

logger = structlog.get_logger(__name__)

API_PREFIX = "/api/"


class RequestIdHeaderMiddleware:
    """Return the request id that django-structlog bound to every log line as ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response["X-Request-ID"] = request_id
        return response


def json_error(status: int, detail: str | None = None, code: str | None = None) -> JsonResponse:
    phrase = HTTPStatus(status).phrase
    # "Not found." like DRF's own messages, so every 404 under /api/ reads the same.
    return JsonResponse(
        {"detail": detail or f"{phrase.capitalize()}.", "code": code or phrase.lower().replace(" ", "_")}, status=status
    )


class ApiErrorMiddleware:
    """Turn Django's HTML error responses under /api/ into the API's JSON error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not getattr(response, "renderer_context", None)  # DRF responses are already shaped
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return json_error(response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return json_error(404, "Not found.", "not_found")
        logger.exception("api_unhandled_error", error_type=type(exception).__name__)
        return json_error(500, "Something went wrong on our side. Please try again.", "server_error")
