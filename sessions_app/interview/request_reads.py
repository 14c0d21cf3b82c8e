"""One load per request of what every part of an interview page reads: the current answers and the stage states.

A stage page, an answer's question block or a gate panel is assembled from several selectors (the stage strip,
the stage's questions, the decision preview, the conditions and hints), and each used to load the session's
answers again. While a request runs (:class:`InterviewReadsMiddleware`), the selectors keep what they loaded here,
keyed by the session and its ``updated_at``, and everything kept is dropped the moment the request writes
anything to the database (any ``INSERT``, ``UPDATE`` or ``DELETE``, seen by a connection execute wrapper): a read
after a write always loads again, whichever service wrote and whether or not it saved the session.

Outside a request (the worker, management commands, tests calling selectors directly) nothing is kept: every
call reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

_reads: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("uaip_interview_reads", default=None)


def kept[T](session: Any, what: str, load: Callable[[], T]) -> T:
    """``load()``, once per request for this session as it stands (``what`` names the read)."""
    memo = _reads.get()
    if memo is None:
        return load()
    key = (what, session.pk, getattr(session, "updated_at", None))
    if key not in memo:
        memo[key] = load()
    return memo[key]  # type: ignore[no-any-return]


class InterviewReadsMiddleware:
    """Scope :func:`kept` to one request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memo: dict[tuple[Any, ...], Any] = {}
        token = _reads.set(memo)
        try:
            with connection.execute_wrapper(_ForgetOnWrite(memo)):
                return self.get_response(request)
        finally:
            _reads.reset(token)


_WRITES = ("INSERT", "UPDATE", "DELETE")


class _ForgetOnWrite:
    def __init__(self, memo: dict[tuple[Any, ...], Any]) -> None:
        self.memo = memo

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.memo and sql.lstrip()[:6].upper() in _WRITES:
            self.memo.clear()
        return execute(sql, params, many, context)
