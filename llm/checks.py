"""System checks: a misconfigured LLM layer fails at start-up, not on the first user's answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from llm.pricing import UnknownModelPrice, price_for
from llm.providers import PROVIDERS
from llm.types import Tier


@register()
def check_llm_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    unknown = [name for name in settings.LLM_PROVIDERS if name not in PROVIDERS]
    if unknown:
        errors.append(
            Error(
                f"LLM_PROVIDERS names unknown provider(s): {', '.join(unknown)}.",
                hint=f"Use a comma-separated subset of: {', '.join(PROVIDERS)}.",
                id="llm.E001",
            )
        )
    if "anthropic" in settings.LLM_PROVIDERS:
        for tier in Tier:
            model = settings.LLM_ANTHROPIC_MODELS.get(tier)
            if not model:
                errors.append(Error(f"No Claude model is set for the {tier} tier.", id="llm.E002"))
                continue
            try:
                price_for(model)
            except UnknownModelPrice:
                errors.append(
                    Error(
                        f"The Claude model {model!r} ({tier} tier) has no price in LLM_PRICES, so its cost "
                        "would be recorded as $0.",
                        hint="Add it to LLM_PRICES in settings (USD per million tokens: input, output, "
                        "cache_write, cache_read), or choose a model that is listed there.",
                        id="llm.E003",
                    )
                )
    if "ollama" in settings.LLM_PROVIDERS:
        for tier in Tier:
            model = settings.LLM_OLLAMA_MODELS.get(tier, "")
            if not model or model.lower().startswith("claude"):
                errors.append(
                    Error(
                        f"LLM_OLLAMA_MODELS[{tier!r}] is {model!r}: Ollama needs one of its own model names.",
                        hint="Set LLM_OLLAMA_MODEL (e.g. llama3.2) to a model pulled on the Ollama server.",
                        id="llm.E004",
                    )
                )
    return errors
