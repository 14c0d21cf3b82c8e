"""Claude through the official ``anthropic`` SDK (sync client; our tasks run in a worker)."""

from __future__ import annotations

import email.utils
import time
from functools import lru_cache
from typing import Any, ClassVar

import anthropic
from django.conf import settings

from llm.errors import ProviderError
from llm.providers.base import ProviderCall, ProviderReply
from llm.types import Purpose, Tier, TokenUsage

# Phrases the API uses when a prompt does not fit the model: permanent, a retry cannot help.
_CONTEXT_LIMIT_MARKERS = ("prompt is too long", "context window", "context length", "too many tokens")


@lru_cache(maxsize=8)
def _client(api_key: str, base_url: str) -> anthropic.Anthropic:
    # max_retries=0: tenacity in the gateway is the only retry layer (the SDK would otherwise sleep for any
    # Retry-After with no practical cap). Timeouts are passed per request.
    return anthropic.Anthropic(api_key=api_key, base_url=base_url or None, max_retries=0)


def parse_retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``retry-after`` (seconds or a date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def classify(exc: anthropic.AnthropicError) -> ProviderError:
    """Map an SDK exception to a transient or permanent ``ProviderError``."""
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError("timeout", "request timed out", transient=True)
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError("connection", "could not connect", transient=True)
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        common: dict[str, Any] = {"request_id": exc.request_id or "", "status_code": status}
        api_message = (exc.api_message or "")[:200]
        if status == 429:
            retry_after = parse_retry_after(exc.response.headers)
            return ProviderError("rate_limited", api_message, transient=True, retry_after=retry_after, **common)
        if status == 529:
            retry_after = parse_retry_after(exc.response.headers)
            return ProviderError("overloaded", api_message, transient=True, retry_after=retry_after, **common)
        if status >= 500 or status in (408, 409):
            return ProviderError("server_error", api_message, transient=True, **common)
        if status in (401, 403):
            return ProviderError("auth", api_message, transient=False, **common)
        if status == 404:
            return ProviderError("not_found", api_message, transient=False, **common)
        if status == 413 or any(marker in api_message.lower() for marker in _CONTEXT_LIMIT_MARKERS):
            return ProviderError("context_limit", api_message, transient=False, **common)
        return ProviderError("bad_request", api_message, transient=False, **common)
    return ProviderError("client_error", type(exc).__name__, transient=False)


class AnthropicProvider:
    name: ClassVar[str] = "anthropic"
    is_local: ClassVar[bool] = False
    offline: ClassVar[bool] = False

    def unconfigured_reason(self) -> str | None:
        return None if settings.ANTHROPIC_API_KEY else "ANTHROPIC_API_KEY is not set"

    def model_for(self, tier: Tier) -> str:
        return settings.LLM_ANTHROPIC_MODELS[tier]

    def timeout_for(self, tier: Tier) -> float:
        return float(settings.LLM_ANTHROPIC_TIMEOUTS[tier])

    def send(self, call: ProviderCall) -> ProviderReply:
        params: dict[str, Any] = {
            "model": call.model,
            "max_tokens": call.max_tokens,
            "system": call.system,  # the system prompt is a parameter, never a message
            "messages": [{"role": m["role"], "content": m["content"]} for m in call.messages],
            "timeout": call.timeout,
        }
        if call.schema is not None:
            schema = anthropic.transform_schema(dict(call.schema))
            params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        try:
            message = self._client().messages.create(**params)
        except anthropic.AnthropicError as exc:
            raise classify(exc) from exc
        request_id = getattr(message, "_request_id", None) or ""
        usage = message.usage
        tokens = TokenUsage(
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_input_tokens=usage.cache_read_input_tokens or 0,
        )
        # Pick text blocks by type: newer models may put a thinking block first.
        text = "".join(block.text for block in message.content if block.type == "text")
        return ProviderReply(text=text, usage=tokens, request_id=request_id)

    def ping(self, *, timeout: float) -> ProviderReply:
        call = ProviderCall(
            purpose=Purpose.HEALTH,
            tier=Tier.FAST,
            model=self.model_for(Tier.FAST),
            system="Reply with the single word: ok",
            messages=[{"role": "user", "content": "ping"}],
            schema=None,
            max_tokens=1,
            timeout=timeout,
        )
        return self.send(call)

    @staticmethod
    def _client() -> anthropic.Anthropic:
        return _client(settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL)
