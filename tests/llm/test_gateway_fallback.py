"""The chain: unconfigured providers skipped, fallback order, offline as the last resort, the attempt cap."""

from __future__ import annotations

import pytest

from llm.errors import LLMUnavailable
from llm.gateway import complete
from llm.models import CallStatus, LLMCall
from llm.schemas import QualityAssessment
from tests.fakes import anthropic as fa
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request

pytestmark = pytest.mark.django_db


def test_fresh_install_answers_offline(scoping_session):
    result = complete(quality_request("Improve efficiency", session=scoping_session, stage=1))

    assert (result.provider, result.offline) == ("offline", True)
    assert isinstance(result.parsed, QualityAssessment)
    assert result.parsed.score <= 3
    assert result.cost_usd == 0
    row = LLMCall.objects.get()
    assert (row.provider, row.status, row.session_id, row.stage) == ("offline", CallStatus.OK, scoping_session.pk, 1)
    assert row.user_id == scoping_session.owner_id


def test_both_down_falls_to_offline(llm_settings, refused_url):
    llm_settings.ANTHROPIC_API_KEY = "test-anthropic-key"
    llm_settings.ANTHROPIC_BASE_URL = refused_url
    llm_settings.OLLAMA_HOST = refused_url

    result = complete(quality_request())

    assert result.provider == "offline"
    rows = list(LLMCall.objects.order_by("attempt").values_list("provider", "error_type"))
    assert rows == [("anthropic", "connection")] * 3 + [("ollama", "connection")] * 3 + [("offline", "")]


def test_both_down_and_offline_disabled_raises_naming_each_failure(llm_settings, anthropic_on, ollama_on):
    llm_settings.LLM_OFFLINE_ENABLED = False
    anthropic_on.queue(fa.server_error(), fa.server_error(), fa.server_error())
    ollama_on.stop()

    with pytest.raises(LLMUnavailable) as caught:
        complete(quality_request())

    failures = caught.value.failures
    assert failures["anthropic"] == "server error (HTTP 500)"
    assert failures["ollama"] == "connection"
    assert failures["offline"].startswith("not configured")
    assert "anthropic: server error (HTTP 500)" in str(caught.value)


def test_nothing_configured_and_offline_disabled_raises(llm_settings):
    llm_settings.LLM_OFFLINE_ENABLED = False

    with pytest.raises(LLMUnavailable) as caught:
        complete(quality_request())

    assert caught.value.failures == {
        "anthropic": "not configured (ANTHROPIC_API_KEY is not set)",
        "ollama": "not configured (OLLAMA_HOST is not set)",
        "offline": "not configured (LLM_OFFLINE_ENABLED is off)",
    }
    assert not LLMCall.objects.exists()


def test_chain_order_comes_from_settings(llm_settings, anthropic_on, ollama_on):
    llm_settings.LLM_PROVIDERS = ["ollama", "anthropic"]
    ollama_on.queue(fo.json_chat_reply(assessment()))

    assert complete(quality_request()).provider == "ollama"
    assert anthropic_on.message_requests == []


def test_total_attempts_are_capped_across_providers(llm_settings, anthropic_on, ollama_on):
    llm_settings.LLM_MAX_TOTAL_ATTEMPTS = 4
    anthropic_on.queue(*[fa.server_error()] * 3)
    ollama_on.queue(*[fo.ollama_error(503, "busy")] * 3)

    result = complete(quality_request())

    assert result.provider == "offline"  # the offline provider always gets its turn
    network = LLMCall.objects.exclude(provider="offline")
    assert network.count() == 4
    assert list(network.order_by("attempt").values_list("provider", flat=True)) == ["anthropic"] * 3 + ["ollama"]


def test_budget_used_up_skips_remaining_network_providers(llm_settings, anthropic_on, ollama_on):
    llm_settings.LLM_MAX_TOTAL_ATTEMPTS = 3
    llm_settings.LLM_OFFLINE_ENABLED = False
    anthropic_on.queue(*[fa.server_error()] * 3)

    with pytest.raises(LLMUnavailable) as caught:
        complete(quality_request())

    assert caught.value.failures["ollama"] == "skipped (attempt budget used up)"
    assert ollama_on.chat_requests == []


def test_unpriced_claude_model_is_refused_before_any_request(llm_settings, anthropic_on):
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-unlisted-9", "balanced": "claude-unlisted-9"}

    result = complete(quality_request())

    assert result.provider == "offline"
    assert anthropic_on.message_requests == []
    assert LLMCall.objects.get(provider="anthropic").error_type == "unpriced_model"


def test_result_usage_and_cost_add_up_all_attempts(anthropic_on, ollama_on):
    anthropic_on.queue(
        fa.message("not json", input_tokens=1000, output_tokens=100),
        fa.message("still not json", input_tokens=1000, output_tokens=100),
    )
    ollama_on.queue(fo.json_chat_reply(assessment(), prompt_eval_count=500, eval_count=50))

    result = complete(quality_request())

    assert result.provider == "ollama"
    assert result.attempts == 3
    assert (result.usage.input_tokens, result.usage.output_tokens) == (2500, 250)
    # Two haiku replies: 2 × (1000 × $1 + 100 × $5) / 1M; Ollama costs nothing.
    assert str(result.cost_usd) == "0.00300000"
