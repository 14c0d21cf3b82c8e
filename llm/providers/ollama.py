"""A local model through the official ``ollama`` client (``/api/chat``; structured output via ``format``)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, ClassVar

import httpx
import ollama
import pydantic
from django.conf import settings

from llm.errors import ProviderError
from llm.providers.base import ProviderCall, ProviderReply
from llm.types import Tier, TokenUsage


@lru_cache(maxsize=8)
def _client(host: str, timeout: float) -> ollama.Client:
    # The ollama client has no default timeout: always pass one.
    return ollama.Client(host=host, timeout=timeout)


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


class OllamaProvider:
    name: ClassVar[str] = "ollama"
    is_local: ClassVar[bool] = True
    offline: ClassVar[bool] = False

    def unconfigured_reason(self) -> str | None:
        return None if settings.OLLAMA_HOST else "OLLAMA_HOST is not set"

    def model_for(self, tier: Tier) -> str:
        return settings.LLM_OLLAMA_MODELS[tier]

    def timeout_for(self, tier: Tier) -> float:
        return float(settings.LLM_OLLAMA_TIMEOUT)

    def send(self, call: ProviderCall) -> ProviderReply:
        messages = [{"role": "system", "content": call.system}] if call.system else []
        messages += [{"role": m["role"], "content": m["content"]} for m in call.messages]
        response = call_ollama(
            _client(settings.OLLAMA_HOST, call.timeout).chat,
            model=call.model,
            messages=messages,
            format=dict(call.schema) if call.schema is not None else None,
            options={"num_predict": call.max_tokens},
        )
        usage = TokenUsage(input_tokens=response.prompt_eval_count or 0, output_tokens=response.eval_count or 0)
        return ProviderReply(text=response.message.content or "", usage=usage)

    def ping(self, *, timeout: float) -> None:
        """List the local models and check ours is pulled.

        A chat would load the model into memory, which can take longer than the health timeout on a cold
        server; the model list is a real round trip that also catches a model that was never pulled.
        """
        listing = call_ollama(_client(settings.OLLAMA_HOST, timeout).list)
        names = {model.model for model in listing.models if model.model}
        wanted = self.model_for(Tier.FAST)
        if wanted not in names and f"{wanted}:latest" not in names:
            raise ProviderError("model_missing", f"{wanted} is not pulled (ollama pull {wanted})", transient=False)
        return None
