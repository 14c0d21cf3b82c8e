"""A local model through the official ``ollama`` client (``/api/chat``; structured output via ``format``)."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any, ClassVar

import httpx
import ollama
import pydantic
from django.conf import settings

from llm.errors import ProviderError
from llm.providers.base import END_TURN, MAX_TOKENS, ProviderCall, ProviderReply, cancelled
from llm.types import Tier, TokenUsage

# Ollama's done_reason → our stop reasons (anything else, e.g. "load", is treated as a normal end).
_DONE_REASONS = {"stop": END_TURN, "length": MAX_TOKENS}
CHARS_PER_TOKEN = 3  # conservative for English and JSON: over-estimating costs memory, under-estimating text
CTX_MARGIN_TOKENS = 256  # chat template and special tokens
CTX_STEP = 1024


@lru_cache(maxsize=16)
def _client(host: str, timeout: float, connect: float) -> ollama.Client:
    # The ollama client has no default timeout: always pass one (connect apart from read).
    return ollama.Client(host=host, timeout=httpx.Timeout(timeout, connect=min(connect, timeout)))


def classify_response_error(exc: ollama.ResponseError) -> ProviderError:
    status = exc.status_code
    message = str(exc.error)[:200]
    if status == 429:
        return ProviderError("rate_limited", message, transient=True, status_code=status)
    if status >= 500:
        return ProviderError("server_error", message, transient=True, status_code=status)
    if status == 404:
        return ProviderError("not_found", message, transient=False, status_code=status)
    if status in (401, 403):
        return ProviderError("auth", message, transient=False, status_code=status)
    if "context" in message.lower():
        return ProviderError("context_limit", message, transient=False, status_code=status)
    return ProviderError("bad_request", message, transient=False, status_code=status if status > 0 else None)


def call_ollama(action: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one client call, turning every failure into a classified ``ProviderError``."""
    try:
        return action(*args, **kwargs)
    except ollama.ResponseError as exc:
        raise classify_response_error(exc) from exc
    except ConnectionError as exc:  # the client's translation of a refused connection
        raise ProviderError("connection", "could not connect", transient=True) from exc
    except httpx.TimeoutException as exc:
        raise ProviderError("timeout", "request timed out", transient=True) from exc
    except httpx.TransportError as exc:
        raise ProviderError("connection", type(exc).__name__, transient=True) from exc
    except (json.JSONDecodeError, pydantic.ValidationError, ollama.RequestError) as exc:
        raise ProviderError("invalid_response", type(exc).__name__, transient=False) from exc


def context_size(messages: list[dict[str, str]], schema: Any, max_tokens: int) -> int:
    """``num_ctx`` for this request: the prompt (estimated), the schema and the reply, rounded up.

    Ollama's default window is small and it drops the start of a longer prompt without saying so; a prompt
    that cannot fit even ``LLM_OLLAMA_MAX_CTX`` is refused here (``context_limit``) rather than cut.
    """
    chars = sum(len(m["content"]) for m in messages) + (len(json.dumps(schema)) if schema is not None else 0)
    needed = math.ceil(chars / CHARS_PER_TOKEN) + max_tokens + CTX_MARGIN_TOKENS
    if needed > settings.LLM_OLLAMA_MAX_CTX:
        raise ProviderError(
            "context_limit",
            f"about {needed} tokens needed, LLM_OLLAMA_MAX_CTX is {settings.LLM_OLLAMA_MAX_CTX}",
            transient=False,
        )
    return max(settings.LLM_OLLAMA_MIN_CTX, math.ceil(needed / CTX_STEP) * CTX_STEP)


def is_reasoning_model(model: str) -> bool:
    """Models that think before answering unless told not to (``LLM_OLLAMA_THINKING_MODELS`` prefixes)."""
    base = model.lower().split("/")[-1]
    return any(base.startswith(prefix.lower()) for prefix in settings.LLM_OLLAMA_THINKING_MODELS)


class OllamaProvider:
    name: ClassVar[str] = "ollama"
    is_local: ClassVar[bool] = True
    offline: ClassVar[bool] = False

    def unconfigured_reason(self) -> str | None:
        return None if settings.OLLAMA_HOST else "OLLAMA_HOST is not set"

    def model_for(self, tier: Tier) -> str:
        return settings.LLM_OLLAMA_MODELS[tier]

    def models(self) -> list[str]:
        return list(dict.fromkeys(self.model_for(tier) for tier in Tier))

    def timeout_for(self, tier: Tier) -> float:
        return float(settings.LLM_OLLAMA_TIMEOUT)

    def send(self, call: ProviderCall) -> ProviderReply:
        messages = [{"role": "system", "content": call.system}] if call.system else []
        messages += [{"role": m["role"], "content": m["content"]} for m in call.messages]
        options = {"num_predict": call.max_tokens, "num_ctx": context_size(messages, call.schema, call.max_tokens)}
        extra: dict[str, Any] = {}
        if is_reasoning_model(call.model):
            extra["think"] = False  # thinking would spend the output budget and the deadline before the answer
        stream = call.on_text is not None
        response = call_ollama(
            _client(settings.OLLAMA_HOST, round(call.timeout, 1), call.connect_timeout).chat,
            model=call.model,
            messages=messages,
            format=dict(call.schema) if call.schema is not None else None,
            options=options,
            keep_alive=settings.LLM_OLLAMA_KEEP_ALIVE,
            stream=stream,
            **extra,
        )
        text = ""
        if stream:
            assert call.on_text is not None
            chunks, last = response, None
            try:
                while (chunk := call_ollama(next, chunks, None)) is not None:
                    last = chunk
                    if chunk.message.content:
                        text += chunk.message.content
                        if call.on_text(text) is False:
                            raise cancelled()
            finally:
                chunks.close()  # stops reading: the server ends generation when the connection closes
            if last is None:
                raise ProviderError("invalid_response", "empty stream", transient=False)
            response = last
        else:
            text = response.message.content or ""
        usage = TokenUsage(input_tokens=response.prompt_eval_count or 0, output_tokens=response.eval_count or 0)
        stop_reason = _DONE_REASONS.get(response.done_reason or "stop", END_TURN)
        return ProviderReply(text=text, usage=usage, stop_reason=stop_reason)

    def ping(self, *, model: str, timeout: float) -> None:
        """List the local models and check ``model`` is pulled.

        A chat would load the model into memory, which can take longer than the health timeout on a cold
        server; the model list is a real round trip that also catches a model that was never pulled.
        """
        connect = min(timeout, float(settings.LLM_CONNECT_TIMEOUT))
        listing = call_ollama(_client(settings.OLLAMA_HOST, timeout, connect).list)
        names = {entry.model for entry in listing.models if entry.model}
        if model not in names and f"{model}:latest" not in names:
            raise ProviderError("model_missing", f"{model} is not pulled (ollama pull {model})", transient=False)
        return None
