"""The small protocol every provider implements. The gateway owns retry, fallback and the call log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

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
    timeout: float
    stage: int | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ProviderReply:
    text: str
    usage: TokenUsage
    request_id: str = ""


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

    def ping(self, *, timeout: float) -> ProviderReply | None:
        """The smallest real request that proves the provider works; raises ``ProviderError`` otherwise."""
        ...
