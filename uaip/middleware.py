"""Request id header, JSON (never HTML) errors for everything under /api/, 503 (never 500) while the database is
unreachable, and the 429 of a refused login."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import structlog
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

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


# The errors of a database that does not answer (down, restarting, connections terminated): nothing the client
# did wrong, and gone by itself in a moment. Integrity and data errors are bugs or bad input, and stay 4xx/500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 5  # seconds
SERVICE_UNAVAILABLE = "The service is briefly unavailable; nothing was lost. Try again in a few seconds."


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON under /api/, otherwise a page that needs neither the database nor the user
    (so rendering it cannot fail the same way); htmx requests get the message in the page's message area."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = json_error(503, SERVICE_UNAVAILABLE, "service_unavailable")
    else:
        htmx = request.headers.get("HX-Request") == "true"
        body = render_to_string("errors/503.html", {"partial": htmx, "retry_after": DATABASE_RETRY_AFTER})
        response = HttpResponse(body, status=503)
        if htmx:
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    """A view that meets an unreachable database answers 503 (see :func:`service_unavailable`), not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_outage(exception):
            return None
        logger.warning("database_unavailable", error_type=type(exception).__name__, path=request.path)
        return service_unavailable(request)


class LoginRefusalMiddleware:
    """A login that ``accounts.backends.LoginCeilingBackend`` refused answers 429 with ``Retry-After``, whatever
    the login path's own view made of the failed ``authenticate()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refusal = getattr(request, "login_refused", None)
        if refusal is None:
            return response
        from uaip.views import ratelimited

        return ratelimited(request, refusal, reason="Too many login attempts from your address.")
