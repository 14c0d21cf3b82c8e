"""The gateway against a fake Ollama server, through the real ``ollama`` client."""

from __future__ import annotations

import pytest

from llm.gateway import complete
from llm.models import CallStatus, LLMCall
from llm.types import LLMRequest, Purpose
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request

pytestmark = pytest.mark.django_db


def test_structured_output_uses_format_schema_and_ollama_model(ollama_on):
    ollama_on.queue(fo.json_chat_reply(assessment(score=9), prompt_eval_count=321, eval_count=45))

    result = complete(quality_request())

    assert (result.provider, result.model, result.parsed.score) == ("ollama", "llama3.2", 9)
    sent = ollama_on.chat_requests[0].json
    assert sent["model"] == "llama3.2"
    assert sent["format"]["properties"]["score"]["maximum"] == 10
    assert sent["messages"][0]["role"] == "system"
    assert sent["stream"] is False
    row = LLMCall.objects.get()
    assert (row.input_tokens, row.output_tokens, row.cost_usd) == (321, 45, 0)


def test_plain_text_request_sends_no_format(ollama_on):
    ollama_on.queue(fo.chat_reply("Hello there"))
    request = LLMRequest(purpose=Purpose.CHARTER, system="Be brief.", messages=[{"role": "user", "content": "Hi"}])

    result = complete(request)

    assert result.text == "Hello there"
    assert "format" not in ollama_on.chat_requests[0].json


def test_missing_model_is_permanent(ollama_on):
    ollama_on.queue(fo.model_not_found())

    result = complete(quality_request())

    assert result.provider == "offline"
    assert len(ollama_on.chat_requests) == 1
    row = LLMCall.objects.get(provider="ollama")
    assert (row.status, row.error_type) == (CallStatus.PERMANENT_ERROR, "not_found")


def test_server_error_is_retried(ollama_on):
    ollama_on.queue(fo.ollama_error(500, "boom"), fo.json_chat_reply(assessment()))

    assert complete(quality_request()).provider == "ollama"
    assert len(ollama_on.chat_requests) == 2


def test_timeout_is_transient(ollama_on, llm_settings):
    llm_settings.LLM_OLLAMA_TIMEOUT = 0.3
    ollama_on.queue(fo.chat_reply("late", delay=5), fo.json_chat_reply(assessment()))

    assert complete(quality_request()).provider == "ollama"
    rows = list(LLMCall.objects.order_by("attempt").values_list("status", "error_type"))
    assert rows == [(CallStatus.TRANSIENT_ERROR, "timeout"), (CallStatus.OK, "")]


def test_refused_connection_is_transient_then_offline(ollama_on):
    ollama_on.stop()

    result = complete(quality_request())

    assert result.provider == "offline"
    statuses = set(LLMCall.objects.filter(provider="ollama").values_list("status", "error_type"))
    assert statuses == {(CallStatus.TRANSIENT_ERROR, "connection")}
    assert LLMCall.objects.filter(provider="ollama").count() == 3


def test_num_ctx_is_sized_to_the_prompt_and_keep_alive_is_sent(ollama_on):
    ollama_on.queue(fo.json_chat_reply(assessment()), fo.json_chat_reply(assessment()))

    complete(quality_request("Cut claim processing from 14 to 7 days"))
    complete(quality_request("Cut claim processing from 14 to 7 days. " * 800))

    short, long = (r.json for r in ollama_on.chat_requests)
    assert short["options"]["num_ctx"] == 4096  # the floor
    assert long["options"]["num_ctx"] > 12_000 and long["options"]["num_ctx"] % 1024 == 0
    assert short["keep_alive"] == "10m"
    assert "think" not in short  # llama3.2 does not think


def test_a_reasoning_model_is_told_not_to_think(ollama_on, llm_settings):
    llm_settings.LLM_OLLAMA_MODELS = {"fast": "qwen3:8b", "balanced": "qwen3:8b"}
    ollama_on.queue(fo.json_chat_reply(assessment(), model="qwen3:8b"))

    complete(quality_request())

    assert ollama_on.chat_requests[0].json["think"] is False


def test_a_prompt_larger_than_the_window_is_refused_not_cut(ollama_on, llm_settings):
    llm_settings.LLM_OLLAMA_MAX_CTX = 8192

    result = complete(quality_request("A long answer. " * 3000))

    assert result.provider == "offline"
    assert ollama_on.chat_requests == []
    assert LLMCall.objects.get(provider="ollama").error_type == "context_limit"


def test_health_checks_every_ollama_model(ollama_on, llm_settings):
    from llm.health import check_providers

    llm_settings.LLM_OLLAMA_MODELS = {"fast": "llama3.2", "balanced": "qwen3:8b"}

    results = {r.provider: r for r in check_providers()}

    assert results["ollama"].status == "degraded"
    assert "qwen3:8b: model missing" in results["ollama"].detail
