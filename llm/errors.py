"""Errors of the LLM layer. Callers only ever see ``LLMUnavailable``; provider SDK errors never leave llm/."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from llm.types import TokenUsage

# What a failure says about where it lies, for the circuit breaker (llm.breaker) and the cached health:
#   "provider": the whole provider is unusable (bad key, outage), "model": only this model id (404, unpriced),
#   "request": only this request (bad request, refusal, truncation, context overflow): nobody is to blame.
Blame = Literal["provider", "model", "request"]

_OUTAGE_TYPES = {"rate_limited", "overloaded", "server_error", "timeout", "connection"}
_PROVIDER_TYPES = {"auth"}
_MODEL_TYPES = {"not_found", "unpriced_model", "model_missing"}


class LLMError(Exception):
    """Base class of the LLM layer's own errors."""


class LLMUnavailable(LLMError):
    """Every provider in the chain failed, or none is usable. ``failures``: provider → its last failure."""

    def __init__(self, failures: Mapping[str, str]):
        self.failures = dict(failures)
        if self.failures:
            detail = "; ".join(f"{name}: {reason}" for name, reason in self.failures.items())
        else:
            detail = "no provider is configured (set ANTHROPIC_API_KEY or OLLAMA_HOST, or enable offline)"
        super().__init__(f"No language model could answer. {detail}")


class LLMCancelled(LLMUnavailable):
    """The caller stopped a streamed call (its ``on_text`` returned False): no other provider is asked."""

    def __init__(self) -> None:
        super().__init__({"caller": "cancelled while the reply was being written"})


class ProviderError(LLMError):
    """One failed provider attempt, already classified.

    ``transient`` errors (rate limits, overload, 5xx, timeouts, refused connections) are retried with
    backoff; the others move straight on to the next provider. ``error_type`` is a short stable label
    stored in ``LLMCall.error_type`` (e.g. ``rate_limited``, ``auth``, ``timeout``, ``refused``).
    ``usage``/``cost_usd`` are set when the provider did answer (and bill) but the answer cannot be used
    (a refusal, a truncated reply); ``usage_known`` is false when the attempt may have been billed but no
    usage came back (a read timeout).
    """

    def __init__(
        self,
        error_type: str,
        message: str = "",
        *,
        transient: bool,
        retry_after: float | None = None,
        request_id: str = "",
        status_code: int | None = None,
        usage: TokenUsage | None = None,
        cost_usd: Decimal | None = None,
    ):
        self.error_type = error_type
        self.message = message
        self.transient = transient
        self.retry_after = retry_after
        self.request_id = request_id
        self.status_code = status_code
        self.usage = usage
        self.cost_usd = cost_usd
        super().__init__(f"{error_type}: {message}" if message else error_type)

    @property
    def usage_known(self) -> bool:
        """A timed-out (or cancelled mid-stream) request may have been billed: its usage is unknown, not zero."""
        return self.error_type not in {"timeout", "cancelled"}

    @property
    def blame(self) -> Blame:
        if self.error_type in _PROVIDER_TYPES or (self.transient and self.error_type in _OUTAGE_TYPES):
            return "provider"
        if self.error_type in _MODEL_TYPES:
            return "model"
        return "request"

    @property
    def outage(self) -> bool:
        """A transient failure that says the service is struggling (counted by the circuit breaker)."""
        return self.transient and self.error_type in _OUTAGE_TYPES

    @property
    def provider_down(self) -> bool:
        """Whether this failure says the whole provider is unusable (not just one model or one request)."""
        return self.blame == "provider"

    def describe(self) -> str:
        """Short human text for ``LLMUnavailable`` and ``llm_health`` (no prompt content)."""
        label = self.error_type.replace("_", " ")
        return f"{label} (HTTP {self.status_code})" if self.status_code else label


class InvalidOutput(LLMError):
    """A reply that does not match the requested schema. The gateway re-asks once, then moves on.

    ``reason`` is told to the model when re-asking; ``summary`` (no reply content) goes to the call log.
    """

    def __init__(self, reason: str, *, summary: str = "", reply_text: str = ""):
        self.reason = reason
        self.summary = summary or reason
        self.reply_text = reply_text
        super().__init__(self.summary)
