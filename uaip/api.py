"""API plumbing shared by every app: pagination, the JSON error format and the schema helpers.

Every error under ``/api/`` is ``{"detail": str, "code": str}``; validation errors add ``errors`` with the
messages per field, and a few conflicts add what the client needs to act (see :class:`ErrorOutput`).
"""

from __future__ import annotations

from typing import Any, cast

import structlog
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.contrib.pydantic import PydanticExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field, inline_serializer
from pydantic.json_schema import model_json_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.interview.gates import GateResult
from sessions_app.roles import RoleRequired
from uaip.middleware import DATABASE_RETRY_AFTER, SERVICE_UNAVAILABLE, is_database_outage
from uaip.ratelimits import RateLimitExceeded, wait_text

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


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is too large; send at most {limit:,} bytes.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, InterviewConflict):
        return Response({"detail": exc.message, "code": exc.code, **exc.details}, status=409)
    if isinstance(exc, RunInProgress):
        body: dict[str, Any] = {"detail": str(exc), "code": "run_in_progress"}
        if exc.active_run_id is not None:
            body["active_run_id"] = str(exc.active_run_id)
        return Response(body, status=429, headers={"Retry-After": str(exc.retry_after)})
    if is_database_outage(exc):
        logger.warning("database_unavailable", error_type=type(exc).__name__)
        return Response(
            {"detail": SERVICE_UNAVAILABLE, "code": "service_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    if isinstance(exc, RateLimitExceeded):
        exc = exceptions.Throttled(wait=exc.retry_after)
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(getattr(exc, "wait", None) or 1))
        exc = exceptions.Throttled(detail=f"Too many requests. Try again in {wait_text(wait)}.")
        exc.wait = wait  # type: ignore[attr-defined]  # DRF's handler turns it into Retry-After; its own sentence would count the seconds
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RoleRequired):
        exc = exceptions.PermissionDenied(
            {"detail": exc.message, "code": "role_required", "role": exc.role, "required_roles": exc.required_roles}
        )
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
        errors = _flat_errors(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
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


def _flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors (a list of objects, an object in an object) as one level of dotted keys:
    ``{"answers": {"1": {"question_id": [...]}}}`` becomes ``{"answers.1.question_id": [...]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:  # DRF puts an empty object at the positions of list items that were valid
                flat.update(_flat_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _first_message(errors: Any) -> str:
    """The first human message in a nested DRF error structure, for the top-level ``detail``."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else "Invalid input."


# --- The schema -------------------------------------------------------------------------------------------------


def _openapi_30(schema: Any) -> Any:
    """Pydantic writes JSON Schema 2020-12; OpenAPI 3.0 says ``nullable`` instead of ``{"type": "null"}``, has no
    ``const``, and takes ``exclusiveMinimum``/``exclusiveMaximum`` as flags beside ``minimum``/``maximum``."""
    if isinstance(schema, list):
        return [_openapi_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _openapi_30(value) for key, value in schema.items()}
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(exclusive), int | float) and not isinstance(schema[exclusive], bool):
            schema[inclusive], schema[exclusive] = schema[exclusive], True
    options = schema.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        others = [option for option in options if option != {"type": "null"}]
        del schema["anyOf"]
        if len(others) == 1 and "$ref" in others[0]:
            schema["allOf"] = others
        elif len(others) == 1:
            schema = {**others[0], **schema}
        else:
            schema["anyOf"] = others
        schema["nullable"] = True
    return schema


class OpenApi30PydanticExtension(PydanticExtension):
    """Pydantic models (gate results, findings) in the schema, written as OpenAPI 3.0 like the rest of it."""

    priority = 1

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = model_json_schema(self.target, ref_template="#/components/schemas/{model}", mode="serialization")
        for name, definition in schema.pop("$defs", {}).items():
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, object=name, schema=_openapi_30(definition)
            )
            auto_schema.registry.register_on_missing(component)
        result: dict[str, Any] = _openapi_30(schema)
        return result


@extend_schema_field(cast(Any, GateResult))
class GateField(serializers.JSONField):
    """A stage gate's result as stored (``GateResult`` dumped to JSON), documented by the model's schema."""


class MissingStageOutput(serializers.Serializer):
    stage = serializers.IntegerField()
    status = serializers.CharField(help_text="Why the stage does not count: `open`, `locked` or `stale`.")


class ErrorOutput(serializers.Serializer):
    """The body of every error under ``/api/``. Only the keys of the error at hand are present."""

    detail = serializers.CharField(help_text="What went wrong and what to do, in a sentence.")
    code = serializers.CharField(
        help_text="Stable and machine-readable: `invalid`, `not_authenticated`, `not_found`, `gate_failed`, "
        "`stages_incomplete`, `run_in_progress`, `throttled`…"
    )
    errors = serializers.DictField(  # type: ignore[assignment]  # the body's key, not Serializer.errors
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="400 `invalid`: the messages per field (`non_field_errors` for the body as a whole).",
    )
    gate = GateField(required=False, help_text="409 `gate_failed`: the gate's result, with what is missing.")
    missing = MissingStageOutput(
        many=True, required=False, help_text="409 `stages_incomplete`: the stages still to complete."
    )
    current_stage = serializers.IntegerField(
        required=False, help_text="409 `stage_out_of_order`: the stage to complete first."
    )
    active_run_id = serializers.UUIDField(
        required=False, help_text="429 `run_in_progress`: the run to wait for (see the `Retry-After` header)."
    )


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Validation failed (`errors` has the messages per field) or the body is not valid JSON.",
    401: "No token, or an expired or tampered one.",
    403: "Authenticated, but not allowed to do this.",
    404: "Unknown or malformed id, or another user's object.",
    409: "The request does not fit the current state; `code` says why.",
    413: "The request body is too large.",
    415: "The body is neither JSON nor a form.",
    429: "A rate limit was hit, or another background run is active; wait `Retry-After` seconds.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, all with the shared :class:`ErrorOutput` body."""
    return {code: OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[code]) for code in statuses}


# What every operation can answer besides its own errors: the global rate limit; with a token, a bad token.
PUBLIC_ERRORS = (429,)
AUTHENTICATED_ERRORS = (401, 429)
# Operations that read a body can also get a body that does not parse, is too large, or has the wrong type.
BODY_ERRORS = (400, 413, 415)


class JSONTypesMixin:
    """A JSON body must give this field the type the schema says: DRF would turn ``12`` into ``"12"`` (or ``"3"``
    into ``3``). Form posts (the browsable API) carry only strings and keep DRF's conversions."""

    json_types: tuple[type, ...] = ()

    def to_internal_value(self, data: Any) -> Any:
        root = getattr(self, "root", None)
        if not html.is_html_input(getattr(root, "initial_data", None)) and (
            isinstance(data, bool) or not isinstance(data, self.json_types)
        ):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class Text(JSONTypesMixin, serializers.CharField):
    json_types = (str,)


class Email(JSONTypesMixin, serializers.EmailField):
    json_types = (str,)


class Integer(JSONTypesMixin, serializers.IntegerField):
    json_types = (int,)


# What `str.strip()` (and so DRF's trimming) takes for white space, spelled out: `\s` means something else in the
# ECMA dialect of JSON Schema patterns (U+001C–U+001F, U+0085, U+FEFF).
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"[^{WHITESPACE}]"  # a pattern: something besides white space


DIGITS = r"^[0-9]*$"  # a pattern: a whole number, or nothing


def page_parameters() -> list[OpenApiParameter]:
    """The query parameters of a paginated list, as ``Pagination`` reads them."""
    return [
        OpenApiParameter(
            "page", OpenApiTypes.STR, pattern=DIGITS, description="From 1 (empty: 1); past the last page, 404."
        ),
        OpenApiParameter(
            "page_size",
            OpenApiTypes.STR,
            description="A whole number: items per page, at most 100. Anything else means the default, 20.",
        ),
    ]


def trimmed(min_chars: int, max_chars: int | None = None) -> dict[str, Any]:
    """The schema of text that DRF trims: from ``min_chars`` to ``max_chars`` characters once trimmed (a
    ``maxLength`` would count the white space around it too)."""
    middle = "" if max_chars is None else max_chars - 2
    if min_chars >= 2:
        core = rf"{NOT_BLANK}[\s\S]{{{min_chars - 2},{middle}}}{NOT_BLANK}"
    else:
        core = rf"{NOT_BLANK}(?:[\s\S]{{0,{middle}}}{NOT_BLANK})?"
        core = core if min_chars == 1 else f"(?:{core})?"
    return {"type": "string", "pattern": rf"^[{WHITESPACE}]*{core}[{WHITESPACE}]*$", TRIMMED: True}


TRIMMED = "x-uaip-trimmed"


def drop_untrimmed_lengths(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A ``POSTPROCESSING_HOOKS`` entry: drf-spectacular adds ``minLength``/``maxLength`` from the fields' validators
    (and a ``""`` alternative for blank-allowed ones), which count the white space DRF trims away; the pattern of
    :func:`trimmed` states the real limits."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            options = node.get("oneOf", [])
            if any(isinstance(option, dict) and option.get(TRIMMED) for option in options):
                # drf-spectacular offers "" beside a pattern for blank-allowed text; the pattern already takes it.
                node.update(next(option for option in node.pop("oneOf") if option.get(TRIMMED)))
            if node.pop(TRIMMED, False):
                node.pop("minLength", None)
                node.pop("maxLength", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def documented[F: serializers.Field](field_class: type[F], schema: dict[str, Any]) -> type[F]:
    """``field_class`` with ``schema`` as its OpenAPI schema. For rules that a service checks with its own messages
    (which say more than a pattern's "does not match"): the schema states them, nothing checks them twice."""
    documented_class = type(f"Documented{field_class.__name__}", (field_class,), {})
    return extend_schema_field(schema)(documented_class)  # type: ignore[no-any-return]


def page_of(item: type[serializers.Serializer], name: str) -> serializers.Serializer:
    """The schema of one page of :class:`Pagination`: ``{count, next, previous, results}``."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(help_text="Items on every page together."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null on the first."),
            "results": item(many=True),
        },
    )
