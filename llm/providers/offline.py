"""The offline provider: deterministic heuristics and templates, no network, no cost.

It is what a fresh install answers with, and the last link of every chain. Results are labelled
``offline`` so the UI and API can say so. One handler per purpose, in ``HANDLERS`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.conf import settings
from pydantic import BaseModel

from llm.errors import ProviderError
from llm.offline.charter import charter_narrative
from llm.offline.examples import adapted_example_from_context
from llm.offline.extraction import extract_from_context
from llm.offline.quality import assess_from_context
from llm.providers.base import ProviderCall, ProviderReply, cancelled
from llm.schemas import ConsistencyReport
from llm.types import Purpose, Tier, TokenUsage

OFFLINE_MODEL = "offline-heuristics-v1"

Handler = Callable[[Mapping[str, Any], str], BaseModel | str]


def _consistency(context: Mapping[str, Any], last_user_message: str) -> ConsistencyReport:
    # Semantic checks need a language model; the rule-based checks run elsewhere, offline too.
    return ConsistencyReport(findings=[])


HANDLERS: dict[Purpose, Handler] = {
    Purpose.QUALITY_CHECK: assess_from_context,
    Purpose.EXTRACTION: extract_from_context,
    Purpose.CONSISTENCY: _consistency,
    Purpose.CHARTER: lambda context, _message: charter_narrative(context),
    Purpose.HEALTH: lambda _context, _message: "ok",
    Purpose.ADAPTED_EXAMPLE: adapted_example_from_context,
}


def as_text(value: BaseModel | str, *, structured: bool) -> str:
    """JSON for structured requests; for plain-text requests, the most readable rendering."""
    if isinstance(value, str):
        return value
    if structured:
        return value.model_dump_json()
    summary = getattr(value, "executive_summary", None)
    return summary if isinstance(summary, str) else value.model_dump_json()


class OfflineProvider:
    name: ClassVar[str] = "offline"
    is_local: ClassVar[bool] = True
    offline: ClassVar[bool] = True

    def unconfigured_reason(self) -> str | None:
        return None if settings.LLM_OFFLINE_ENABLED else "LLM_OFFLINE_ENABLED is off"

    def model_for(self, tier: Tier) -> str:
        return OFFLINE_MODEL

    def models(self) -> list[str]:
        return [OFFLINE_MODEL]

    def timeout_for(self, tier: Tier) -> float:
        return 0.0

    def send(self, call: ProviderCall) -> ProviderReply:
        last_user_message = next((m["content"] for m in reversed(call.messages) if m["role"] == "user"), "")
        try:
            value = HANDLERS[call.purpose](call.context, last_user_message)
        except (ValueError, TypeError) as exc:  # malformed context: a permanent failure, not a crash
            raise ProviderError("bad_request", type(exc).__name__, transient=False) from exc
        text = as_text(value, structured=call.schema is not None)
        if call.on_text is not None and call.on_text(text) is False:
            raise cancelled()
        return ProviderReply(text=text, usage=TokenUsage())

    def ping(self, *, model: str, timeout: float) -> None:
        return None
