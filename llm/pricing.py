"""Cost of a call from the price table in settings (``LLM_PRICES``, USD per million tokens)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from llm.types import TokenUsage

PER_MILLION = Decimal(1_000_000)
COST_PLACES = Decimal("0.00000001")  # LLMCall.cost_usd has 8 decimal places
_DATED_SUFFIX = re.compile(r"-\d{8}$")  # claude-haiku-4-5-20251001 → claude-haiku-4-5


class UnknownModelPrice(LookupError):
    """A Claude model has no row in ``LLM_PRICES``: we refuse to pretend it costs $0."""


@dataclass(frozen=True)
class Price:
    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal


def price_for(model: str) -> Price:
    """The price row for ``model`` (exact id first, then its undated alias)."""
    table = settings.LLM_PRICES
    row = table.get(model) or table.get(_DATED_SUFFIX.sub("", model))
    if row is None:
        raise UnknownModelPrice(
            f"No price for model {model!r}: add it to LLM_PRICES in settings (USD per million tokens: "
            "input, output, cache_write, cache_read)."
        )
    return Price(**{key: Decimal(str(row[key])) for key in ("input", "output", "cache_write", "cache_read")})


def cost_usd(model: str, usage: TokenUsage, *, local: bool) -> Decimal:
    """USD for one successful usage block, rounded to the 8 places we store. Local models cost 0."""
    if local:
        return Decimal(0)
    price = price_for(model)
    total = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    ) / PER_MILLION
    return total.quantize(COST_PLACES)
