"""The gateway against a fake Anthropic server, through the real ``anthropic`` SDK."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from llm.gateway import complete
from llm.models import CallStatus, LLMCall
from llm.schemas import QualityAssessment
from llm.types import LLMRequest, Purpose, Tier
from tests.fakes import anthropic as fa
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request

pytestmark = pytest.mark.django_db


def test_structured_call_returns_validated_object_and_sends_system_separately(anthropic_on, scoping_session):
    anthropic_on.queue(fa.json_message(assessment(score=8), input_tokens=120, output_tokens=40))

    result = complete(quality_request(session=scoping_session, stage=1))

    assert isinstance(result.parsed, QualityAssessment)
    assert result.parsed.score == 8
    assert (result.provider, result.model, result.offline) == ("anthropic", "claude-haiku-4-5", False)
    sent = anthropic_on.message_requests[0]
    assert sent.headers["authorization"] == "Bearer test-anthropic-key"
    assert sent.json["model"] == "claude-haiku-4-5"
    assert "Score the answer" in sent.json["system"]
    assert [m["role"] for m in sent.json["messages"]] == ["user"]
    assert "<answer>" in sent.json["messages"][0]["content"]
    assert sent.json["output_config"]["format"]["type"] == "json_schema"
    assert "criteria" in sent.json["output_config"]["format"]["schema"]["properties"]


def test_balanced_tier_uses_the_balanced_model(anthropic_on):
    anthropic_on.queue(fa.message("A narrative."))
    request = LLMRequest(
        purpose=Purpose.CHARTER,
        system="Write the summary.",
        messages=[{"role": "user", "content": "Data."}],
        tier=Tier.BALANCED,
    )

    result = complete(request)

    assert anthropic_on.message_requests[0].json["model"] == "claude-sonnet-4-6"
    assert result.model == "claude-sonnet-4-6"
    assert result.text == "A narrative."
    assert result.parsed is None


def test_text_blocks_are_selected_by_type_not_position(anthropic_on):
    anthropic_on.queue(fa.message("The answer.", thinking_first=True))
    request = LLMRequest(purpose=Purpose.CHARTER, system="s", messages=[{"role": "user", "content": "q"}])

    assert complete(request).text == "The answer."


def test_rate_limit_is_retried_after_the_retry_after_wait(anthropic_on):
    anthropic_on.queue(fa.rate_limited(retry_after="1"), fa.json_message(assessment()))

    started = time.monotonic()
    result = complete(quality_request())
    waited = time.monotonic() - started

    assert result.provider == "anthropic"
    assert waited >= 0.9  # Retry-After: 1 was honoured (the configured backoff is 1 ms)
    assert waited < 10
    statuses = list(LLMCall.objects.order_by("attempt").values_list("status", "error_type", "retry_number"))
    assert statuses == [(CallStatus.TRANSIENT_ERROR, "rate_limited", 0), (CallStatus.OK, "", 1)]


def test_a_retry_after_beyond_the_cap_moves_to_the_next_provider_and_opens_the_circuit(
    anthropic_on, ollama_on, llm_settings
):
    llm_settings.LLM_RETRY_AFTER_CAP = 30.0
    anthropic_on.queue(fa.rate_limited(retry_after="120"), fa.json_message(assessment()))
    ollama_on.queue(fo.json_chat_reply(assessment(score=7)), fo.json_chat_reply(assessment(score=7)))

    first = complete(quality_request())
    second = complete(quality_request())

    # Not waited for (30 s) and retried: Ollama answered at once, and the next call does not ask Anthropic again
    # until the 120 s are over.
    assert (first.provider, first.attempts) == ("ollama", 2)
    assert second.provider == "ollama"
    assert len(anthropic_on.message_requests) == 1
    assert anthropic_on.pending == 1


def test_retry_after_ms_is_understood(anthropic_on):
    anthropic_on.queue(fa.rate_limited(retry_after_ms="5"), fa.json_message(assessment()))

    assert complete(quality_request()).provider == "anthropic"


@pytest.mark.parametrize("failure", [fa.overloaded, fa.server_error], ids=["529", "500"])
def test_overload_and_server_errors_are_retried(anthropic_on, failure):
    anthropic_on.queue(failure(), failure(), fa.json_message(assessment()))

    result = complete(quality_request())

    assert result.provider == "anthropic"
    assert result.attempts == 3
    assert list(LLMCall.objects.order_by("attempt").values_list("retry_number", flat=True)) == [0, 1, 2]


def test_retries_exhausted_then_ollama_answers(anthropic_on, ollama_on):
    anthropic_on.queue(fa.overloaded(), fa.overloaded(), fa.overloaded())
    ollama_on.queue(fo.json_chat_reply(assessment(score=7), prompt_eval_count=300, eval_count=60))

    result = complete(quality_request())

    assert (result.provider, result.model) == ("ollama", "llama3.2")
    assert result.parsed.score == 7
    assert len(anthropic_on.message_requests) == 3
    rows = list(LLMCall.objects.order_by("attempt").values_list("provider", "status", "error_type"))
    assert rows == [
        ("anthropic", CallStatus.TRANSIENT_ERROR, "overloaded"),
        ("anthropic", CallStatus.TRANSIENT_ERROR, "overloaded"),
        ("anthropic", CallStatus.TRANSIENT_ERROR, "overloaded"),
        ("ollama", CallStatus.OK, ""),
    ]


def test_auth_error_goes_straight_to_ollama_without_retry(anthropic_on, ollama_on):
    anthropic_on.api_key = "a-different-key"  # the fake now rejects our key with a 401
    ollama_on.queue(fo.json_chat_reply(assessment()))

    result = complete(quality_request())

    assert result.provider == "ollama"
    assert len(anthropic_on.message_requests) == 1
    first = LLMCall.objects.get(provider="anthropic")
    assert (first.status, first.error_type, first.cost_usd) == (CallStatus.PERMANENT_ERROR, "auth", 0)


def test_x_api_key_header_is_accepted_by_the_fake(fake_anthropic):
    import httpx

    response = httpx.post(f"{fake_anthropic.url}/v1/messages", headers={"x-api-key": fake_anthropic.api_key}, json={})
    assert response.status_code == 500  # authenticated; nothing scripted
    assert httpx.post(f"{fake_anthropic.url}/v1/messages", json={}).status_code == 401


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (fa.bad_request(), "bad_request"),
        (fa.bad_request("prompt is too long: 250000 tokens > 200000 maximum"), "context_limit"),
        (fa.error(404, "not_found_error", "model: claude-nope"), "not_found"),
        (fa.error(403, "permission_error", "forbidden"), "auth"),
    ],
)
def test_permanent_errors_are_not_retried(anthropic_on, reply, error_type):
    anthropic_on.queue(reply)

    result = complete(quality_request())

    assert result.provider == "offline"
    assert len(anthropic_on.message_requests) == 1
    assert LLMCall.objects.get(provider="anthropic").error_type == error_type


def test_timeout_is_transient_and_retried(anthropic_on, llm_settings):
    llm_settings.LLM_ANTHROPIC_TIMEOUTS = {"fast": 0.3, "balanced": 0.3}
    anthropic_on.queue(fa.slow(5), fa.json_message(assessment()))

    result = complete(quality_request())

    assert result.provider == "anthropic"
    rows = list(LLMCall.objects.order_by("attempt").values_list("status", "error_type"))
    assert rows == [(CallStatus.TRANSIENT_ERROR, "timeout"), (CallStatus.OK, "")]


def test_schema_invalid_reply_is_reasked_once_with_the_error(anthropic_on):
    anthropic_on.queue(
        fa.json_message(assessment(score=14)), fa.json_message(assessment(score=6, followup_questions=["By when?"]))
    )

    result = complete(quality_request())

    assert result.provider == "anthropic"
    assert result.parsed.score == 6
    second = anthropic_on.message_requests[1].json["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert "score" in second[2]["content"]
    assert "less than or equal to 10" in second[2]["content"]
    statuses = list(LLMCall.objects.order_by("attempt").values_list("status", flat=True))
    assert statuses == [CallStatus.INVALID_OUTPUT, CallStatus.OK]


def test_not_json_twice_falls_to_the_next_provider(anthropic_on, ollama_on):
    anthropic_on.queue(fa.message("Sure! Here is my review: great answer."), fa.message("Still not JSON"))
    ollama_on.queue(fo.json_chat_reply(assessment()))

    result = complete(quality_request())

    assert result.provider == "ollama"
    assert len(anthropic_on.message_requests) == 2
    anthropic_rows = LLMCall.objects.filter(provider="anthropic")
    assert set(anthropic_rows.values_list("status", flat=True)) == {CallStatus.INVALID_OUTPUT}
    # The invalid replies were still billed: their usage counts in the call's cost.
    assert result.cost_usd == sum(row.cost_usd for row in LLMCall.objects.all())
    assert result.cost_usd > 0


def test_json_in_a_code_fence_is_accepted(anthropic_on):
    anthropic_on.queue(fa.message("```json\n" + __import__("json").dumps(assessment()) + "\n```"))

    assert complete(quality_request()).parsed.score == 8


def test_caller_never_sees_an_sdk_exception_for_unexpected_status(anthropic_on, llm_settings):
    llm_settings.LLM_OFFLINE_ENABLED = False
    anthropic_on.queue(fa.error(418, "teapot", "I'm a teapot"))

    from llm.errors import LLMUnavailable

    with pytest.raises(LLMUnavailable) as caught:
        complete(quality_request())
    assert "anthropic: bad request (HTTP 418)" in str(caught.value)


def test_cost_is_exact_for_known_usage(anthropic_on):
    anthropic_on.queue(
        fa.json_message(
            assessment(),
            input_tokens=1200,
            output_tokens=350,
            cache_creation_input_tokens=2000,
            cache_read_input_tokens=10000,
        )
    )

    result = complete(quality_request())

    # haiku 4.5: $1 in, $5 out, $1.25 cache write, $0.10 cache read per million tokens
    expected = Decimal("0.0012") + Decimal("0.00175") + Decimal("0.0025") + Decimal("0.001")
    assert result.cost_usd == expected == Decimal("0.00645")
    assert result.usage.total_tokens == 13550
    row = LLMCall.objects.get()
    assert (row.input_tokens, row.output_tokens) == (1200, 350)
    assert (row.cache_creation_input_tokens, row.cache_read_input_tokens) == (2000, 10000)
    assert row.cost_usd == Decimal("0.00645")
    assert row.request_id.startswith("req_fake_")


def test_empty_plain_text_reply_is_reasked_without_mentioning_json(anthropic_on):
    anthropic_on.queue(fa.message(""), fa.message("Which team owns the claims backlog?"))
    request = LLMRequest(purpose=Purpose.CHARTER, system="s", messages=[{"role": "user", "content": "q"}])

    result = complete(request)

    assert result.text == "Which team owns the claims backlog?"
    correction = anthropic_on.message_requests[1].json["messages"][-1]["content"]
    assert "Please answer again." in correction
    assert "JSON" not in correction
