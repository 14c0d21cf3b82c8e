"""A fake Ollama server (``POST /api/chat``, ``GET /api/tags``) for the real ``ollama`` client."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.http import FakeResponse, ReceivedRequest, ScriptedServer

CHAT_PATH = "/api/chat"
TAGS_PATH = "/api/tags"


def chat_reply(
    content: str,
    *,
    prompt_eval_count: int = 20,
    eval_count: int = 8,
    model: str = "llama3.2",
    delay: float = 0.0,
    done_reason: str = "stop",
) -> FakeResponse:
    """A chat reply; ``done_reason="length"`` is Ollama's word for a reply cut at ``num_predict``."""
    body = {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": done_reason,
        "total_duration": 1_000_000,
        "prompt_eval_count": prompt_eval_count,
        "eval_count": eval_count,
    }
    return FakeResponse(200, body, delay=delay)


def streamed_chat(
    *pieces: str, prompt_eval_count: int = 20, eval_count: int = 8, model: str = "llama3.2"
) -> FakeResponse:
    """A streamed chat (``stream: true``): one JSON line per piece, then the final line with the counts."""
    lines = [
        {
            "model": model,
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": piece},
            "done": False,
        }
        for piece in pieces
    ]
    lines.append(
        {
            "model": model,
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": prompt_eval_count,
            "eval_count": eval_count,
        }
    )
    body = "".join(json.dumps(line) + "\n" for line in lines)
    return FakeResponse(200, body, {"Content-Type": "application/x-ndjson"})


def json_chat_reply(data: Any, **kwargs: Any) -> FakeResponse:
    return chat_reply(json.dumps(data), **kwargs)


def ollama_error(status: int, text: str) -> FakeResponse:
    return FakeResponse(status, {"error": text})


def model_not_found(model: str = "llama3.2") -> FakeResponse:
    return ollama_error(404, f'model "{model}" not found, try pulling it first')


class FakeOllama(ScriptedServer):
    def __init__(self, models: list[str] | None = None) -> None:
        super().__init__()
        self.models = models if models is not None else ["llama3.2:latest"]

    def respond(self, request: ReceivedRequest) -> FakeResponse:
        if request.method == "GET" and request.path == TAGS_PATH:
            return FakeResponse(200, {"models": [{"name": m, "model": m, "size": 1} for m in self.models]})
        if request.method == "POST" and request.path == CHAT_PATH:
            return self.next_scripted(request)
        return ollama_error(404, "404 page not found")

    def unscripted(self, request: ReceivedRequest) -> FakeResponse:
        return ollama_error(500, "fake server: nothing scripted")

    @property
    def chat_requests(self) -> list[ReceivedRequest]:
        return self.requests_to(CHAT_PATH)
