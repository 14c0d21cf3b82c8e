"""Stop reasons through the real clients: a refusal, a reply cut at max_tokens, a context overflow (Anthropic)
and Ollama's done_reason, each handled once and visibly."""

from __future__ import annotations

import pytest

from llm import breaker
from llm.gateway import complete
from llm.health import cached_status
from llm.models import CallStatus, LLMCall
from llm.types import LLMRequest, Purpose
from tests.fakes import anthropic as fa
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request

pytestmark = pytest.mark.django_db


def rows(provider: str) -> list[tuple[str, str]]:
    return list(LLMCall.objects.filter(provider=provider).order_by("attempt").values_list("status", "error_type"))


def test_a_refusal_falls_back_once_without_blaming_the_provider(anthropic_on, ollama_on):
    anthropic_on.queue(fa.refusal("cyber", output_tokens=3))
    ollama_on.queue(fo.json_chat_reply(assessment(score=7)))

    result = complete(quality_request())

    assert result.provider == "ollama"
    assert len(anthropic_on.message_requests) == 1  # not re-asked with "(empty reply)"
    row = LLMCall.objects.get(provider="anthropic")
    assert (row.status, row.error_type, row.error_message) == (CallStatus.PERMANENT_ERROR, "refused", "category: cyber")
    assert row.cost_usd > 0  # the refusal was billed
    assert result.cost_usd == row.cost_usd
    assert cached_status()["anthropic"] != "down"
    assert breaker.open_circuit("anthropic", "claude-haiku-4-5") is None


def test_a_truncated_reply_is_asked_once_more_with_a_larger_cap(anthropic_on):
    anthropic_on.queue(fa.truncated(output_tokens=2048), fa.json_message(assessment(score=8)))

    result = complete(quality_request())

    assert (result.provider, result.parsed.score) == ("anthropic", 8)
    caps = [r.json["max_tokens"] for r in anthropic_on.message_requests]
    assert caps == [2048, 8192]
    assert rows("anthropic") == [(CallStatus.TRUNCATED, "truncated"), (CallStatus.OK, "")]
    # The truncated reply is not echoed back as an "invalid" attempt: the second request is the original one.
    assert len(anthropic_on.message_requests[1].json["messages"]) == 1


def test_truncated_twice_moves_on_after_two_billed_attempts(anthropic_on, ollama_on):
    anthropic_on.queue(fa.truncated(), fa.truncated(), fa.json_message(assessment()))
    ollama_on.queue(fo.json_chat_reply(assessment(score=7)))

    result = complete(quality_request())

    assert result.provider == "ollama"
    assert len(anthropic_on.message_requests) == 2
    assert rows("anthropic") == [(CallStatus.TRUNCATED, "truncated"), (CallStatus.TRUNCATED, "truncated")]
    assert cached_status()["anthropic"] != "down"


def test_a_context_window_overflow_is_a_context_limit_not_retried(anthropic_on):
    anthropic_on.queue(fa.message("", stop_reason="model_context_window_exceeded"), fa.json_message(assessment()))

    result = complete(quality_request())

    assert result.provider == "offline"
    assert len(anthropic_on.message_requests) == 1
    assert rows("anthropic") == [(CallStatus.PERMANENT_ERROR, "context_limit")]


def test_ollama_length_done_reason_is_a_truncation(ollama_on):
    ollama_on.queue(fo.chat_reply('{"score": 8, "crit', done_reason="length"), fo.json_chat_reply(assessment()))

    result = complete(quality_request())

    assert result.provider == "ollama"
    predicts = [r.json["options"]["num_predict"] for r in ollama_on.chat_requests]
    assert predicts == [2048, 8192]
    assert rows("ollama") == [(CallStatus.TRUNCATED, "truncated"), (CallStatus.OK, "")]


def test_a_plain_text_truncation_is_retried_too(anthropic_on):
    anthropic_on.queue(fa.message("The project aims to", stop_reason="max_tokens"), fa.message("A full summary."))
    request = LLMRequest(purpose=Purpose.CHARTER, system="s", messages=[{"role": "user", "content": "q"}])

    assert complete(request).text == "A full summary."
