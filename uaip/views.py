"""Project-wide views: health, rate-limit and error pages."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.roles import RoleRequired
from uaip.health import system_health
from uaip.middleware import API_PREFIX, is_database_outage, json_error, service_unavailable
from uaip.ratelimits import RateLimitExceeded, wait_text

HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.CharField(),
        "database": serializers.CharField(help_text="`ok` or `unreachable`."),
        "cache": serializers.CharField(help_text="`ok`, `down` (Redis does not answer) or `local` (per process)."),
        "cache_failures": serializers.IntegerField(help_text="Cache operations this process could not carry out."),
        "version": serializers.CharField(),
        "llm": serializers.DictField(
            child=serializers.CharField(), help_text="Provider → status from the last cached check."
        ),
    },
)


@extend_schema(
    responses={200: HEALTH, 503: HEALTH},
    description="Liveness and readiness: 200 when the database answers (`status` `healthy`, or `degraded` when the "
    "cache is down), 503 (`unhealthy`) otherwise. No authentication.",
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def health(request: Request) -> Response:
    body = system_health()
    return Response(body, status=503 if body["status"] == "unhealthy" else 200)


def ratelimited(request: HttpRequest, exception: Exception, reason: str = "") -> HttpResponse:
    """``RATELIMIT_VIEW``: 429 with ``Retry-After``, as JSON under /api/ and as a readable page elsewhere."""
    retry_after = exception.retry_after if isinstance(exception, RateLimitExceeded) else 60
    reason = reason or "Too many requests."
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = json_error(429, f"{reason} Try again in {wait_text(retry_after)}.", "throttled")
    else:
        template = "errors/429.html#message" if getattr(request, "htmx", False) else "errors/429.html"
        context = {"retry_after": retry_after, "wait": wait_text(retry_after), "reason": reason}
        response = render(request, template, context, status=429)
        if getattr(request, "htmx", False):
            # Show the message in the page's message area rather than replacing the form.
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
    response["Retry-After"] = str(retry_after)
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(404, "Not found.", "not_found")
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Reached for errors outside a view too (a middleware saving the session, say): an unreachable database is
    # still a 503, never a 500.
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return json_error(500, "Something went wrong on our side. Please try again.", "server_error")
    return render(request, "errors/500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.message if isinstance(exception, RoleRequired) else None
    if request.path.startswith(API_PREFIX):
        return json_error(403, message or "You do not have permission to do this.", "permission_denied")
    return render(request, "errors/403.html", {"message": message}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(400, "Bad request.", "bad_request")
    return render(request, "errors/400.html", status=400)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the one icon (its hashed name in
    production, which is known only once the app is running)."""
    return redirect(static("img/favicon.svg"), permanent=True)
