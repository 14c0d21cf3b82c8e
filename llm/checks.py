"""System checks: a misconfigured LLM layer fails at start-up, not on the first user's answer."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils import timezone

from llm.pricing import UnknownModelPrice, price_for
from llm.providers import PROVIDERS
from llm.types import Tier

_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)\b")


def end_of_life(model: str, table: Mapping[str, str] | None = None) -> datetime.date | None:
    """The end-of-life date the installed ``anthropic`` SDK lists for ``model`` (None: not deprecated).

    The SDK ships this table (``anthropic._data.DEPRECATED_MODELS``, "November 30th, 2026") and updates it with
    each release, so upgrading the SDK updates the check: we read it, never copy it.
    """
    if table is None:
        try:
            from anthropic._data import DEPRECATED_MODELS  # private, but the SDK's own data
        except ImportError:  # an SDK without the table: nothing to check against
            return None
        table = DEPRECATED_MODELS
    raw = table.get(model)
    if raw is None:
        return None
    try:
        return datetime.datetime.strptime(_ORDINAL.sub(r"\1", raw.strip()), "%B %d, %Y").date()
    except ValueError:
        return timezone.localdate()  # listed but unreadable: treat as retired, the safe reading


def _lifecycle_messages(tier: str, model: str, today: datetime.date) -> list[CheckMessage]:
    eol = end_of_life(model)
    if eol is None:
        return []
    if eol <= today:
        return [
            Error(
                f"The Claude model {model!r} ({tier} tier) reached end of life on {eol.isoformat()}: the API "
                "answers 404 for it.",
                hint="Set LLM_ANTHROPIC_MODEL_" + tier.upper() + " to a current model (docs/LLM.md lists them).",
                id="llm.E005",
            )
        ]
    days = (eol - today).days
    if days <= settings.LLM_DEPRECATION_WARNING_DAYS:
        return [
            Warning(
                f"The Claude model {model!r} ({tier} tier) is deprecated and reaches end of life on "
                f"{eol.isoformat()} ({days} days).",
                hint="Move to a current model before then (docs/LLM.md lists them).",
                id="llm.W001",
            )
        ]
    return []


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
        today = timezone.localdate()
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
            errors.extend(_lifecycle_messages(str(tier), model, today))
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
