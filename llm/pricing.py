"""Cost of a call from the price table in settings (``LLM_PRICES``, USD per million tokens)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings

from llm.types import TokenUsage

PER_MILLION = Decimal(1_000_000)
COST_PLACES = Decimal("0.00000001")  # LLMCall.cost_usd has 8 decimal places
_DATED_SUFFIX = re.compile(r"-\d{8}$")  # claude-haiku-4-5-20251001 → claude-haiku-4-5
_RATES = ("input", "output", "cache_write", "cache_read")


class UnknownModelPrice(LookupError):
    """A Claude model has no row in ``LLM_PRICES``: we refuse to pretend it costs $0."""


@dataclass(frozen=True)
class Price:
    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal
    # Long-context tier: a request whose prompt has more than ``long_above`` tokens pays ``long`` on every token.
    long_above: int | None = None
    long: Price | None = None

    def for_prompt(self, prompt_tokens: int) -> Price:
        """The rates that apply to a request with ``prompt_tokens`` (input + cache write + cache read)."""
        if self.long is not None and self.long_above is not None and prompt_tokens > self.long_above:
            return self.long
        return self


def _rates(row: Mapping[str, Any]) -> dict[str, Decimal]:
    return {key: Decimal(str(row[key])) for key in _RATES}


def price_for(model: str) -> Price:
    """The price row for ``model`` (exact id first, then its undated alias)."""
    table = cast(Mapping[str, Mapping[str, Any]], settings.LLM_PRICES)  # rows are dicts of mixed values
    row = table.get(model) or table.get(_DATED_SUFFIX.sub("", model))
    if row is None:
        raise UnknownModelPrice(
            f"No price for model {model!r}: add it to LLM_PRICES in settings (USD per million tokens: "
            "input, output, cache_write, cache_read)."
        )
    base = _rates(row)
    long_row = row.get("long_context")
    if long_row:
        tier = _rates(long_row)
        long = Price(tier["input"], tier["output"], tier["cache_write"], tier["cache_read"])
        return Price(
            base["input"], base["output"], base["cache_write"], base["cache_read"], int(long_row["above"]), long
        )
    return Price(base["input"], base["output"], base["cache_write"], base["cache_read"])


def prompt_tokens(usage: TokenUsage) -> int:
    return usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens


def cost_usd(model: str, usage: TokenUsage, *, local: bool) -> Decimal:
    """USD for one usage block, rounded to the 8 places we store. Local models cost 0."""
    if local:
        return Decimal(0)
    price = price_for(model).for_prompt(prompt_tokens(usage))
    total = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_input_tokens * price.cache_write
        + usage.cache_read_input_tokens * price.cache_read
    ) / PER_MILLION
    return total.quantize(COST_PLACES)
