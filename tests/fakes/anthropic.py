"""A fake Anthropic Messages API (``POST /v1/messages``) for the real ``anthropic`` SDK to talk to."""

from __future__ import annotations

import dataclasses
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
    stop_reason: str = "end_turn",
    stop_details: dict[str, Any] | None = None,
) -> FakeResponse:
    """A reply with one text block (optionally after a thinking block) and a usage block.

    ``stop_reason`` is any of the API's values (``max_tokens``, ``refusal``, ``model_context_window_exceeded``…).
    """
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
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_creation_input_tokens,
            "cache_read_input_tokens": cache_read_input_tokens,
        },
    }
    if stop_details is not None:
        body["stop_details"] = stop_details
    return FakeResponse(200, body, {"request-id": request_id or f"req_fake_{number}"}, delay=delay)


def refusal(category: str | None = "cyber", **kwargs: Any) -> FakeResponse:
    """The model declined (streaming classifiers intervened): ``stop_reason: refusal`` with its category."""
    details = {"type": "refusal", "category": category, "explanation": None}
    return message("", stop_reason="refusal", stop_details=details, **kwargs)


def truncated(text: str = '{"score": 8, "criteria": {"specificity": 8, "meas', **kwargs: Any) -> FakeResponse:
    """A reply cut at ``max_tokens`` (here: half a JSON object)."""
    return message(text, stop_reason="max_tokens", **kwargs)


def streamed(
    *pieces: str,
    input_tokens: int = 10,
    output_tokens: int = 5,
    stop_reason: str = "end_turn",
    model: str = "claude-sonnet-4-6",
) -> FakeResponse:
    """A streamed reply (``stream: true``): server-sent events, one text delta per piece."""
    number = next(_ids)
    start = {
        "id": f"msg_fake_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1},
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        *[
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
            )
            for piece in pieces
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    body = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    headers = {"request-id": f"req_fake_{number}", "Content-Type": "text/event-stream"}
    return FakeResponse(200, body, headers)


def as_stream(response: FakeResponse) -> FakeResponse:
    """A scripted whole message, sent the way the API answers ``stream: true`` (server-sent events, the text in a
    few deltas), so a test that scripts plain messages works whether or not the caller streams. Errors and replies
    already streamed are sent as they are."""
    body = response.body
    if response.status != 200 or not isinstance(body, dict) or body.get("type") != "message":
        return response
    text = "".join(block.get("text", "") for block in body.get("content", []) if block.get("type") == "text")
    third = max(1, len(text) // 3)
    pieces = [text[i : i + third] for i in range(0, len(text), third)] or [""]
    usage = body.get("usage", {})
    streamed_reply = streamed(
        *pieces,
        input_tokens=usage.get("input_tokens", 10),
        output_tokens=usage.get("output_tokens", 5),
        stop_reason=body.get("stop_reason") or "end_turn",
        model=body.get("model", "claude-sonnet-4-6"),
    )
    headers = {**streamed_reply.headers, **{k: v for k, v in response.headers.items() if k.lower() != "content-type"}}
    return dataclasses.replace(streamed_reply, headers=headers, delay=response.delay)


def json_message(data: Any, **kwargs: Any) -> FakeResponse:
    return message(json.dumps(data), **kwargs)


def error(
    status: int,
    error_type: str,
    text: str = "fake error",
    *,
    retry_after: str | None = None,
    retry_after_ms: str | None = None,
    should_retry: bool | None = None,
) -> FakeResponse:
    headers = {"request-id": f"req_fake_err_{next(_ids)}"}
    if should_retry is not None:
        headers["x-should-retry"] = "true" if should_retry else "false"
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return FakeResponse(status, {"type": "error", "error": {"type": error_type, "message": text}}, headers)


def rate_limited(*, retry_after: str | None = None, retry_after_ms: str | None = None) -> FakeResponse:
    return error(429, "rate_limit_error", "rate limited", retry_after=retry_after, retry_after_ms=retry_after_ms)


def overloaded(*, should_retry: bool | None = None) -> FakeResponse:
    return error(529, "overloaded_error", "Overloaded", should_retry=should_retry)


def model_not_found(model: str) -> FakeResponse:
    return error(404, "not_found_error", f"model: {model}")


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
        self.retired_models: set[str] = set()  # these model ids answer 404 not_found, as a retired id does

    def respond(self, request: ReceivedRequest) -> FakeResponse:
        if request.method != "POST" or request.path != MESSAGES_PATH:
            return error(404, "not_found_error", f"no route {request.method} {request.path}")
        authorization = request.headers.get("authorization", "")
        if request.headers.get("x-api-key") != self.api_key and authorization != f"Bearer {self.api_key}":
            return unauthorized()
        model = request.body.get("model") if isinstance(request.body, dict) else None
        if model in self.retired_models:
            return model_not_found(str(model))
        scripted = self.next_scripted(request)
        wants_stream = isinstance(request.body, dict) and request.body.get("stream") is True
        return as_stream(scripted) if wants_stream else scripted

    def unscripted(self, request: ReceivedRequest) -> FakeResponse:
        return error(500, "api_error", "fake server: nothing scripted")

    @property
    def message_requests(self) -> list[ReceivedRequest]:
        return self.requests_to(MESSAGES_PATH)
