"""Prices from settings, exact Decimal costs, and the start-up checks that refuse a silent $0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from llm.checks import check_llm_settings
from llm.pricing import UnknownModelPrice, cost_usd, price_for
from llm.types import TokenUsage


def test_sonnet_cost_is_exact():
    usage = TokenUsage(
        input_tokens=12_345, output_tokens=678, cache_creation_input_tokens=1_000, cache_read_input_tokens=50_000
    )

    # $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens
    # 12_345 × 3 + 678 × 15 + 1_000 × 3.75 + 50_000 × 0.30 = 65_955 micro-dollars
    assert cost_usd("claude-sonnet-4-5", usage, local=False) == Decimal("0.065955")


def test_cost_is_rounded_to_eight_places():
    assert cost_usd("claude-haiku-4-5", TokenUsage(cache_read_input_tokens=1), local=False) == Decimal("1E-7")
    assert cost_usd("claude-haiku-4-5", TokenUsage(input_tokens=1), local=False) == Decimal("0.00000100")


def test_dated_model_ids_use_their_alias_price():
    assert price_for("claude-haiku-4-5-20251001") == price_for("claude-haiku-4-5")


def test_local_models_cost_nothing_even_without_a_price():
    assert cost_usd("llama3.2", TokenUsage(input_tokens=10_000, output_tokens=5_000), local=True) == 0


def test_unknown_claude_model_has_no_price():
    with pytest.raises(UnknownModelPrice, match="LLM_PRICES"):
        price_for("claude-imaginary-1")


def test_default_settings_pass_the_checks():
    assert check_llm_settings() == []


def test_unknown_model_price_fails_the_system_check(llm_settings):
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-haiku-4-5", "balanced": "claude-imaginary-1"}

    errors = check_llm_settings()

    assert [e.id for e in errors] == ["llm.E003"]
    assert "claude-imaginary-1" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"llm\.E003"):
        call_command("check")


def test_price_check_applies_only_when_anthropic_is_in_the_chain(llm_settings):
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-imaginary-1", "balanced": "claude-imaginary-1"}
    llm_settings.LLM_PROVIDERS = ["ollama", "offline"]

    assert check_llm_settings() == []


def test_unknown_provider_name_fails_the_check(llm_settings):
    llm_settings.LLM_PROVIDERS = ["anthropic", "openai"]

    assert [e.id for e in check_llm_settings()] == ["llm.E001"]


def test_a_claude_id_for_ollama_fails_the_check(llm_settings):
    llm_settings.LLM_OLLAMA_MODELS = {"fast": "claude-haiku-4-5", "balanced": "llama3.2"}

    assert [e.id for e in check_llm_settings()] == ["llm.E004"]


def test_default_models_are_not_on_the_sdks_deprecation_list():
    """A retired model id answers 404 and marks the provider down: the defaults must be live models."""
    from anthropic._data.deprecated_models import DEPRECATED_MODELS  # the SDK's own list
    from django.conf import settings

    for tier, model in settings.LLM_ANTHROPIC_MODELS.items():
        assert model not in DEPRECATED_MODELS, (tier, model)


def test_haiku_5_5_long_context_tier_prices_every_token_of_a_long_request():
    short = TokenUsage(input_tokens=90_000, output_tokens=1_000, cache_read_input_tokens=10_000)
    long = TokenUsage(input_tokens=90_000, output_tokens=1_000, cache_read_input_tokens=10_001)

    # ≤ 100K prompt tokens: $0.10 in, $0.50 out, $0.01 cache read; above: $0.50, $2.50, $0.05 on every token.
    assert cost_usd("claude-haiku-5-5", short, local=False) == Decimal("0.009") + Decimal("0.0005") + Decimal("0.0001")
    assert cost_usd("claude-haiku-5-5", long, local=False) == (
        Decimal("0.045") + Decimal("0.0025") + Decimal("0.00050005")
    )


def test_a_row_without_a_long_context_tier_keeps_its_rates():
    big = TokenUsage(input_tokens=500_000)
    assert cost_usd("claude-sonnet-4-6", big, local=False) == Decimal("1.5")
    assert cost_usd("claude-sonnet-4-5", big, local=False) == Decimal("3")  # the old 200K surcharge tier
