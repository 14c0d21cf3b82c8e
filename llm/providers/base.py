"""The small protocol every provider implements. The gateway owns retry, fallback and the call log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from llm.errors import ProviderError
from llm.types import ChatMessage, Purpose, Tier, TokenUsage


@dataclass(frozen=True, kw_only=True)
class ProviderCall:
    """One request to one provider: the gateway has already chosen the model and timeout."""

    purpose: Purpose
    tier: Tier
    model: str
    system: str
    messages: Sequence[ChatMessage]
    schema: Mapping[str, Any] | None
    max_tokens: int
    timeout: float  # seconds to wait for the reply (bounded by the call's deadline)
    connect_timeout: float = 5.0  # seconds to open the connection: short, a dead host is found fast
    stage: int | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    # Stream, calling this with the text so far (the JSON so far for a schema); it returns False to cancel.
    on_text: Callable[[str], bool] | None = None


def cancelled() -> ProviderError:
    return ProviderError("cancelled", "stopped by the caller while streaming", transient=False)


@dataclass(frozen=True, kw_only=True)
class ProviderReply:
    """What came back. ``stop_reason`` is normalised across providers (see ``STOP_REASONS``)."""

    text: str
    usage: TokenUsage
    request_id: str = ""
    stop_reason: str = "end_turn"
    stop_detail: str = ""  # e.g. the refusal category


# Normalised stop reasons: Anthropic's own values; Ollama's done_reason "stop" → end_turn, "length" → max_tokens.
END_TURN = "end_turn"
MAX_TOKENS = "max_tokens"
REFUSAL = "refusal"
CONTEXT_WINDOW_EXCEEDED = "model_context_window_exceeded"


class Provider(Protocol):
    """A language-model backend.

    ``send`` makes exactly one attempt (no retries of its own) and raises ``llm.errors.ProviderError`` for
    every failure, already classified as transient or permanent. It never lets an SDK exception escape.
    """

    name: ClassVar[str]
    is_local: ClassVar[bool]  # local and offline models cost nothing
    offline: ClassVar[bool]  # the deterministic provider: no network, exempt from the attempt budget

    def unconfigured_reason(self) -> str | None:
        """Why this provider cannot be used with the current settings, or ``None`` when it can."""
        ...

    def model_for(self, tier: Tier) -> str: ...

    def timeout_for(self, tier: Tier) -> float: ...

    def send(self, call: ProviderCall) -> ProviderReply: ...

    def models(self) -> list[str]:
        """Every model this provider is configured to use (one per tier, duplicates removed)."""
        ...

    def ping(self, *, model: str, timeout: float) -> ProviderReply | None:
        """The smallest real request that proves ``model`` works; raises ``ProviderError`` otherwise."""
        ...
