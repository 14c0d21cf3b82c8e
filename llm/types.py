"""The gateway's request and result: the whole contract between UAIP code and the LLM layer."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from django.db import models
from pydantic import BaseModel

from llm.strict import strict_json_schema

if TYPE_CHECKING:
    from sessions_app.models import ScopingSession

STAGE_NUMBERS = range(1, 6)


class Purpose(models.TextChoices):
    """Why a call is made: it picks the offline handler and labels the call log."""

    QUALITY_CHECK = "quality_check", "Answer quality check"
    EXTRACTION = "extraction", "Extraction"
    CONSISTENCY = "consistency", "Consistency check"
    CHARTER = "charter", "Charter narrative"
    ADAPTED_EXAMPLE = "adapted_example", "Example adapted to the project"
    HEALTH = "health", "Health check"


class Tier(models.TextChoices):
    FAST = "fast", "Fast"
    BALANCED = "balanced", "Balanced"


class ChatMessage(TypedDict):
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True, kw_only=True)
class LLMRequest[T]:
    """One thing we want from a language model.

    ``output`` is a pydantic model the reply must validate against (``LLMResult.parsed`` is then an instance
    of it); ``json_schema`` is the alternative for a plain JSON schema (``parsed`` is then a ``dict``).
    Neither: the reply is plain text. ``context`` carries the structured data the offline provider works from
    (see docs/LLM.md for the keys each purpose reads); it is never sent to a remote model.
    """

    purpose: Purpose
    system: str
    messages: Sequence[ChatMessage]
    output: type[T] | None = None
    json_schema: Mapping[str, Any] | None = None
    tier: Tier = Tier.FAST
    session: ScopingSession | None = None
    stage: int | None = None
    user_id: uuid.UUID | None = None
    max_tokens: int | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "purpose", Purpose(self.purpose))
        object.__setattr__(self, "tier", Tier(self.tier))
        if not self.messages:
            raise ValueError("An LLMRequest needs at least one message.")
        for message in self.messages:
            if message.get("role") not in {"user", "assistant"}:
                raise ValueError("Message roles are 'user' or 'assistant'; put instructions in `system`.")
        if self.messages[-1]["role"] != "user":
            raise ValueError("The last message must come from the user.")
        if self.output is not None and self.json_schema is not None:
            raise ValueError("Give either `output` (a pydantic model) or `json_schema`, not both.")
        if self.output is not None and not (isinstance(self.output, type) and issubclass(self.output, BaseModel)):
            raise TypeError("`output` must be a pydantic BaseModel subclass.")
        if self.stage is not None and self.stage not in STAGE_NUMBERS:
            raise ValueError(f"`stage` must be 1..5 or None, got {self.stage!r}.")

    @property
    def session_id(self) -> uuid.UUID | None:
        return self.session.pk if self.session is not None else None

    @property
    def owner_id(self) -> uuid.UUID | None:
        """The user the call is billed to: the session's owner, else ``user_id``."""
        if self.session is not None:
            return self.session.owner_id
        return self.user_id

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON schema sent to providers that support structured output: strict (every field required)."""
        if self.output is not None:
            schema = self.output.model_json_schema()  # type: ignore[attr-defined]  # a BaseModel: __post_init__ checks
            return strict_json_schema(schema)
        return dict(self.json_schema) if self.json_schema is not None else None


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
        )


@dataclass(frozen=True, kw_only=True)
class LLMResult[T]:
    """What ``complete()`` returns.

    ``parsed`` is the validated object (an instance of ``request.output``, or a ``dict`` for ``json_schema``),
    ``None`` for plain-text requests. ``usage`` and ``cost_usd`` add up every attempt of this call (failed
    and re-asked ones included: that is what the call cost); ``latency_ms`` is the call's wall time.
    ``offline`` is true when the deterministic offline provider answered: show it to the user.
    ``unknown_cost_attempts`` counts attempts that timed out: they may have been billed, so ``cost_usd`` is then
    a lower bound.
    """

    text: str
    parsed: T | None
    provider: str
    model: str
    usage: TokenUsage
    cost_usd: Decimal
    latency_ms: int
    offline: bool
    attempts: int
    completion_id: uuid.UUID
    request_id: str = ""
    unknown_cost_attempts: int = 0
