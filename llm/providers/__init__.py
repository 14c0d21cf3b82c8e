"""The provider registry: names in ``LLM_PROVIDERS`` → provider classes."""

from __future__ import annotations

from django.conf import settings

from llm.providers.anthropic import AnthropicProvider
from llm.providers.base import Provider, ProviderCall, ProviderReply
from llm.providers.offline import OfflineProvider
from llm.providers.ollama import OllamaProvider

PROVIDERS: dict[str, type[Provider]] = {
    AnthropicProvider.name: AnthropicProvider,
    OllamaProvider.name: OllamaProvider,
    OfflineProvider.name: OfflineProvider,
}

__all__ = ["PROVIDERS", "Provider", "ProviderCall", "ProviderReply", "configured_chain", "listed_providers"]


def listed_providers() -> list[Provider]:
    """Every provider named in ``LLM_PROVIDERS``, in order, configured or not (unknown names: see checks)."""
    return [PROVIDERS[name]() for name in settings.LLM_PROVIDERS if name in PROVIDERS]


def configured_chain() -> list[Provider]:
    """The fallback chain: the listed providers that have the configuration they need."""
    return [provider for provider in listed_providers() if provider.unconfigured_reason() is None]
