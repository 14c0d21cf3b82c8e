"""``Idempotency-Key`` for API POSTs that create something: a client that retries (a timeout, a lost answer) with
the same key gets the first response again instead of a second session, answer or charter run.

Put :func:`idempotent` on the handler (``def post(self, request, …)``) of an API view, and add
:data:`IDEMPOTENCY_KEY_PARAMETER` and :data:`IDEMPOTENCY_RESPONSES` to its ``extend_schema``. Then:

- no header: nothing changes;
- first use of a key (per user): the handler runs inside one transaction that also stores its 2xx response
  (status, JSON body, ``Location``) in :class:`accounts.models.IdempotencyRecord`, kept ``IDEMPOTENCY_TTL_HOURS``;
  an error response or exception stores nothing, so the client may retry with the same key;
- the same key and the same request (method, path, body) again: the stored response, with
  ``Idempotent-Replayed: true``;
- the same key with another request: 409 ``idempotency_key_reused``;
- the same key while the first request is still being handled: 409 ``idempotency_in_progress`` (a record left
  unfinished for ``IDEMPOTENCY_LOCK_SECONDS`` — its process died — is taken over instead);
- an empty key, or one longer than 255 characters: 400 ``idempotency_key_invalid``.

Expired records are pruned for the user on every new key, and for everyone by ``manage.py
prune_idempotency_records``.

Pages get the same protection more simply: a form carries a one-time ``submit_token``
(:func:`form_submission_claim`), and a second post of the same token does nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import IDEMPOTENCY_KEY_MAX, IdempotencyRecord, User
from uaip.api import ErrorOutput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Location",)


class IdempotencyKeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "idempotency_key_invalid"
    default_detail = f"Send an {HEADER} of 1 to {IDEMPOTENCY_KEY_MAX} characters (a UUID is a good choice)."


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_reused"
    default_detail = f"This {HEADER} was already used for a different request. Use a new key for a new request."


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_in_progress"
    default_detail = f"A request with this {HEADER} is still being handled. Retry in a few seconds."


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise IdempotencyKeyInvalid()
    return key


def _json_ready(data: Any) -> Any:
    if hasattr(data, "getlist"):  # a form post's QueryDict: every value of every key
        data = {key: data.getlist(key) for key in data}
    return data


def request_fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path and the body (keys sorted, so their order does not matter)."""
    body = json.dumps(_json_ready(request.data), cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    assert record.response_status is not None
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    body = json.loads(record.response_body) if record.response_body else None
    return Response(body, status=record.response_status, headers=headers)


def _claim(user: User, key: str, fingerprint: str) -> tuple[IdempotencyRecord, Response | None]:
    """The new in-flight record for ``key``, or the finished one's replay; raises when the key cannot be used."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.IDEMPOTENCY_LOCK_SECONDS)
    for _ in range(3):
        try:
            # Committed at once (the handler runs after, in its own transaction), so that a concurrent duplicate
            # sees the key taken and gets its 409 instead of doing the work twice.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    expires_at=now + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # the first request failed and let the key go in the meantime
                continue
            abandoned = existing.response_status is None and existing.created_at < stale_before
            if existing.expires_at <= now or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused() from None
            if existing.response_status is None:
                raise IdempotencyInProgress() from None
            return existing, _replay(existing)
        IdempotencyRecord.objects.filter(user=user, expires_at__lte=now).delete()
        return record, None
    raise IdempotencyInProgress()


def _store(record: IdempotencyRecord, response: Response) -> None:
    record.response_status = response.status_code
    record.response_body = JSONRenderer().render(response.data).decode() if response.data is not None else ""
    record.response_headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    record.save(update_fields=["response_status", "response_body", "response_headers"])


type Handler = Callable[..., Response]


def idempotent(handler: Handler) -> Handler:
    """Make an API view's POST handler honour the ``Idempotency-Key`` header (see the module's docstring). The
    view must require authentication: records are per user."""

    @functools.wraps(handler)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        raw = request.headers.get(HEADER)
        if raw is None or not isinstance(request.user, User):
            return handler(view, request, *args, **kwargs)
        key = _clean_key(raw)
        record, replay = _claim(request.user, key, request_fingerprint(request))
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    _store(record, response)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()  # not done: the client may retry with the key
            raise
        if not status.is_success(response.status_code):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapped


def prune_expired() -> int:
    """Delete every expired record; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=rf"^(?=[\s\S]{{1,{IDEMPOTENCY_KEY_MAX}}}$)[\s\S]*\S[\s\S]*$",  # 1–255 characters, not only spaces
    description=f"Optional; 1–{IDEMPOTENCY_KEY_MAX} characters, e.g. a UUID you make per request. Retrying with "
    f"the same key and body within {settings.IDEMPOTENCY_TTL_HOURS} hours returns the first (successful) "
    f"response again, with "
    f"`{REPLAYED_HEADER}: true`, instead of doing the work twice. The same key with another body: 409 "
    "`idempotency_key_reused`; while the first request is still running: 409 `idempotency_in_progress`.",
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


IDEMPOTENCY_RESPONSES: dict[int, OpenApiResponse] = {
    400: _error("Validation failed, the body is not valid JSON, or the `Idempotency-Key` is empty or too long."),
    409: _error(
        "The request does not fit the current state (`code` says why), or its `Idempotency-Key` was used for a "
        "different request (`idempotency_key_reused`) or is still running (`idempotency_in_progress`)."
    ),
}


# --- Pages: a form sent twice (a double click, a reload that re-posts) ------------------------------------------

FORM_TOKEN_FIELD = "submit_token"
FORM_TOKEN_MAX = 64
FORM_TOKEN_SECONDS = 3600


def form_token() -> str:
    """A fresh one-time token for a form's hidden ``submit_token`` field (use it as the field's ``initial``)."""
    return uuid.uuid4().hex


def _form_token_key(form: str, token: str) -> str:
    return f"form:{form}:{token}"


def form_submission_claim(*, user: User, form: str, token: str) -> bool:
    """Whether this is the first submission of ``form`` with ``token`` by ``user`` in the last hour (``False``: a
    repeat, to be answered without doing the work again). The claim is a row of :class:`IdempotencyRecord` under
    its unique (user, key) constraint, so two posts racing each other cannot both win. No token (a page rendered
    before tokens existed) lets the post through, as before."""
    if not token or len(token) > FORM_TOKEN_MAX:
        return True
    key, now = _form_token_key(form, token), timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=form, expires_at=now + timedelta(seconds=FORM_TOKEN_SECONDS)
                )
            return True
        except IntegrityError:
            if not IdempotencyRecord.objects.filter(user=user, key=key, expires_at__lte=now).delete()[0]:
                return False
    return False


def form_submission_release(*, user: User, form: str, token: str) -> None:
    """Let the token be used again: the submission was refused (form errors), so the user will send it again."""
    if token and len(token) <= FORM_TOKEN_MAX:
        IdempotencyRecord.objects.filter(user=user, key=_form_token_key(form, token)).delete()
