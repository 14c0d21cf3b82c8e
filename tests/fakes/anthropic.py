"""A fake Anthropic Messages API (``POST /v1/messages``) for the real ``anthropic`` SDK to talk to."""

from __future__ import annotations

import itertools
import json
from typing import Any

from tests.fakes.http import FakeResponse, ReceivedRequest, ScriptedServer

MESSAGES_PATH = "/v1/messages"
_ids = itertools.count(1)


def message(
    text: str,
    *,
    input_tokens: int = 10,
    output_tokens: int = 5,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 0,
    model: str = "claude-haiku-4-5-20251001",
    request_id: str | None = None,
    thinking_first: bool = False,
    delay: float = 0.0,
) -> FakeResponse:
    """A successful reply with one text block (optionally after a thinking block) and a usage block."""
    number = next(_ids)
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if thinking_first:
        content.insert(0, {"type": "thinking", "thinking": "Let me think.", "signature": "sig"})
    body = {
        "id": f"msg_fake_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_creation_input_tokens,
            "cache_read_input_tokens": cache_read_input_tokens,
        },
    }
    return FakeResponse(200, body, {"request-id": request_id or f"req_fake_{number}"}, delay=delay)


def json_message(data: Any, **kwargs: Any) -> FakeResponse:
    return message(json.dumps(data), **kwargs)


def error(
    status: int,
    error_type: str,
    text: str = "fake error",
    *,
    retry_after: str | None = None,
    retry_after_ms: str | None = None,
) -> FakeResponse:
    headers = {"request-id": f"req_fake_err_{next(_ids)}"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return FakeResponse(status, {"type": "error", "error": {"type": error_type, "message": text}}, headers)


def rate_limited(*, retry_after: str | None = None, retry_after_ms: str | None = None) -> FakeResponse:
    return error(429, "rate_limit_error", "rate limited", retry_after=retry_after, retry_after_ms=retry_after_ms)


def overloaded() -> FakeResponse:
    return error(529, "overloaded_error", "Overloaded")


def server_error() -> FakeResponse:
    return error(500, "api_error", "Internal server error")


def unauthorized() -> FakeResponse:
    return error(401, "authentication_error", "invalid x-api-key")


def bad_request(text: str = "messages: bad request") -> FakeResponse:
    return error(400, "invalid_request_error", text)


def slow(seconds: float) -> FakeResponse:
    """A reply that arrives after ``seconds`` (longer than the client's timeout in timeout tests)."""
    return message("too late", delay=seconds)


class FakeAnthropic(ScriptedServer):
    """Accepts ``Authorization: Bearer <key>`` or ``x-api-key: <key>``; anything else gets a 401."""

    def __init__(self, api_key: str = "test-anthropic-key") -> None:
        super().__init__()
        self.api_key = api_key

    def respond(self, request: ReceivedRequest) -> FakeResponse:
        if request.method != "POST" or request.path != MESSAGES_PATH:
            return error(404, "not_found_error", f"no route {request.method} {request.path}")
        authorization = request.headers.get("authorization", "")
        if request.headers.get("x-api-key") != self.api_key and authorization != f"Bearer {self.api_key}":
            return unauthorized()
        return self.next_scripted(request)

    def unscripted(self, request: ReceivedRequest) -> FakeResponse:
        return error(500, "api_error", "fake server: nothing scripted")

    @property
    def message_requests(self) -> list[ReceivedRequest]:
        return self.requests_to(MESSAGES_PATH)
