"""Errors of the LLM layer. Callers only ever see ``LLMUnavailable``; provider SDK errors never leave llm/."""

from __future__ import annotations

from collections.abc import Mapping


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


class ProviderError(LLMError):
    """One failed provider attempt, already classified.

    ``transient`` errors (rate limits, overload, 5xx, timeouts, refused connections) are retried with
    backoff; the others move straight on to the next provider. ``error_type`` is a short stable label
    stored in ``LLMCall.error_type`` (e.g. ``rate_limited``, ``auth``, ``timeout``).
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
    ):
        self.error_type = error_type
        self.message = message
        self.transient = transient
        self.retry_after = retry_after
        self.request_id = request_id
        self.status_code = status_code
        super().__init__(f"{error_type}: {message}" if message else error_type)

    @property
    def provider_down(self) -> bool:
        """Whether this failure says the provider is unusable (not just that this one request was bad)."""
        return self.transient or self.error_type in {"auth", "not_found", "unpriced_model"}

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
