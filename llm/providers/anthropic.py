"""Claude through the official ``anthropic`` SDK (sync client; our tasks run in a worker)."""

from __future__ import annotations

import email.utils
import time
from functools import lru_cache
from typing import Any, ClassVar

import anthropic
import httpx2
from django.conf import settings

from llm.errors import ProviderError
from llm.providers.base import ProviderCall, ProviderReply, cancelled
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
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - time.time())


def _should_retry(headers: Any) -> bool | None:
    """The API's own verdict (``x-should-retry: true|false``), which overrides our reading of the status."""
    raw = (headers.get("x-should-retry") if headers is not None else None) or ""
    return {"true": True, "false": False}.get(raw.strip().lower())


def _classify_status(exc: anthropic.APIStatusError) -> ProviderError:
    status = exc.status_code
    common: dict[str, Any] = {"request_id": exc.request_id or "", "status_code": status}
    api_message = (exc.api_message or "")[:200]
    headers = exc.response.headers
    if status == 429:
        retry_after = parse_retry_after(headers)
        return ProviderError("rate_limited", api_message, transient=True, retry_after=retry_after, **common)
    if status == 529:
        retry_after = parse_retry_after(headers)
        return ProviderError("overloaded", api_message, transient=True, retry_after=retry_after, **common)
    if status >= 500 or status in (408, 409):
        return ProviderError(
            "server_error", api_message, transient=True, retry_after=parse_retry_after(headers), **common
        )
    if status in (401, 403):
        return ProviderError("auth", api_message, transient=False, **common)
    if status == 404:
        return ProviderError("not_found", api_message, transient=False, **common)
    if status == 413 or any(marker in api_message.lower() for marker in _CONTEXT_LIMIT_MARKERS):
        return ProviderError("context_limit", api_message, transient=False, **common)
    return ProviderError("bad_request", api_message, transient=False, **common)


def classify(exc: anthropic.AnthropicError) -> ProviderError:
    """Map an SDK exception to a transient or permanent ``ProviderError``."""
    if isinstance(exc, anthropic.APITimeoutError):
        return ProviderError("timeout", "request timed out", transient=True)
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError("connection", "could not connect", transient=True)
    if isinstance(exc, anthropic.APIStatusError):
        error = _classify_status(exc)
        verdict = _should_retry(exc.response.headers)
        if verdict is not None and verdict != error.transient:
            error.transient = verdict
        return error
    return ProviderError("client_error", type(exc).__name__, transient=False)


def _stop_detail(message: Any) -> str:
    details = getattr(message, "stop_details", None)
    category = getattr(details, "category", None) if details is not None else None
    return str(category or "")


class AnthropicProvider:
    name: ClassVar[str] = "anthropic"
    is_local: ClassVar[bool] = False
    offline: ClassVar[bool] = False

    def unconfigured_reason(self) -> str | None:
        return None if settings.ANTHROPIC_API_KEY else "ANTHROPIC_API_KEY is not set"

    def model_for(self, tier: Tier) -> str:
        return settings.LLM_ANTHROPIC_MODELS[tier]

    def models(self) -> list[str]:
        return list(dict.fromkeys(self.model_for(tier) for tier in Tier))

    def timeout_for(self, tier: Tier) -> float:
        return float(settings.LLM_ANTHROPIC_TIMEOUTS[tier])

    def send(self, call: ProviderCall) -> ProviderReply:
        params: dict[str, Any] = {
            "model": call.model,
            "max_tokens": call.max_tokens,
            "system": call.system,  # the system prompt is a parameter, never a message
            "messages": [{"role": m["role"], "content": m["content"]} for m in call.messages],
            # Connect and read apart: a dead host is found in seconds, a long reply still has its time.
            "timeout": anthropic.Timeout(call.timeout, connect=min(call.connect_timeout, call.timeout)),
        }
        if call.schema is not None:
            schema = anthropic.transform_schema(dict(call.schema))
            params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        try:
            if call.on_text is not None:
                message = self._stream(params, call.on_text)
            else:
                message = self._client().messages.create(**params)
        except anthropic.AnthropicError as exc:
            raise classify(exc) from exc
        except httpx2.TimeoutException as exc:  # a read timeout in the middle of a stream is not wrapped
            raise ProviderError("timeout", "request timed out", transient=True) from exc
        except httpx2.TransportError as exc:
            raise ProviderError("connection", type(exc).__name__, transient=True) from exc
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
        return ProviderReply(
            text=text,
            usage=tokens,
            request_id=request_id,
            stop_reason=message.stop_reason or "end_turn",
            stop_detail=_stop_detail(message),
        )

    def _stream(self, params: dict[str, Any], on_text: Any) -> Any:
        """Stream the reply (text, or the JSON of a structured one) as it is written; ``on_text`` returning False
        closes the stream."""
        with self._client().messages.stream(**params) as stream:
            text = ""
            for delta in stream.text_stream:
                text += delta
                if on_text(text) is False:
                    raise cancelled()  # leaving the block closes the connection: generation stops
            message = stream.get_final_message()
            if stream.request_id and not getattr(message, "_request_id", None):
                message._request_id = stream.request_id
        return message

    def ping(self, *, model: str, timeout: float) -> ProviderReply:
        call = ProviderCall(
            purpose=Purpose.HEALTH,
            tier=Tier.FAST,
            model=model,
            system="Reply with the single word: ok",
            messages=[{"role": "user", "content": "ping"}],
            schema=None,
            max_tokens=1,
            timeout=timeout,
            connect_timeout=min(timeout, float(settings.LLM_CONNECT_TIMEOUT)),
        )
        return self.send(call)

    @staticmethod
    def _client() -> anthropic.Anthropic:
        return _client(settings.ANTHROPIC_API_KEY, settings.ANTHROPIC_BASE_URL)
