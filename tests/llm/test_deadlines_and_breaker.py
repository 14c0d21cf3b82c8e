"""Time and failures: the per-call deadline, connect timeouts, Retry-After and x-should-retry, the circuit breaker
shared through the cache (and failing open without it), and the unknown usage of timed-out attempts."""

from __future__ import annotations

import time
import uuid

import anthropic
import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from llm import breaker
from llm.errors import LLMUnavailable
from llm.gateway import complete
from llm.health import cached_status
from llm.models import CallStatus, LLMCall
from llm.providers import ollama as ollama_provider
from llm.selectors import session_usage
from tests.fakes import anthropic as fa
from tests.fakes import ollama as fo
from tests.llm.factories import assessment, quality_request

pytestmark = pytest.mark.django_db


# --- deadline and timeouts -------------------------------------------------------------------------------------
def test_the_deadline_bounds_the_whole_call(anthropic_on, ollama_on, llm_settings):
    llm_settings.LLM_DEADLINES = {**llm_settings.LLM_DEADLINES, "quality_check": 0.6}
    llm_settings.LLM_MIN_ATTEMPT_SECONDS = 0.2
    anthropic_on.queue(fa.slow(5), fa.slow(5), fa.slow(5))  # each would outlive the 5 s read timeout
    ollama_on.queue(fo.json_chat_reply(assessment()))

    result = complete(quality_request())

    # One attempt, cut at the deadline rather than at the 5 s timeout and not retried; Ollama is not even tried.
    assert result.provider == "offline"
    assert len(anthropic_on.message_requests) == 1
    assert ollama_on.chat_requests == []
    network = LLMCall.objects.exclude(provider="offline")
    assert list(network.values_list("provider", "error_type")) == [("anthropic", "timeout")]


def test_connect_and_read_timeouts_are_separate(anthropic_on, llm_settings, monkeypatch):
    llm_settings.LLM_CONNECT_TIMEOUT = 1.5
    seen = []
    original = anthropic.resources.messages.Messages.create

    def spy(self, *args, **kwargs):
        seen.append(kwargs["timeout"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(anthropic.resources.messages.Messages, "create", spy)
    anthropic_on.queue(fa.json_message(assessment()))

    complete(quality_request())

    (timeout,) = seen
    assert (timeout.connect, timeout.read) == (1.5, 5.0)


def test_ollama_gets_a_short_connect_timeout():
    client = ollama_provider._client("http://127.0.0.1:1", 90.0, 3.0)
    assert (client._client.timeout.connect, client._client.timeout.read) == (3.0, 90.0)


# --- what the server says about retrying -------------------------------------------------------------------------
def test_x_should_retry_false_is_not_retried(anthropic_on, ollama_on):
    anthropic_on.queue(fa.overloaded(should_retry=False), fa.json_message(assessment()))
    ollama_on.queue(fo.json_chat_reply(assessment()))

    assert complete(quality_request()).provider == "ollama"
    assert len(anthropic_on.message_requests) == 1


def test_x_should_retry_true_is_retried_even_for_a_400(anthropic_on):
    anthropic_on.queue(
        fa.error(400, "invalid_request_error", "try again", should_retry=True), fa.json_message(assessment())
    )

    result = complete(quality_request())

    assert (result.provider, result.attempts) == ("anthropic", 2)


# --- the circuit breaker -------------------------------------------------------------------------------------
def test_consecutive_outage_errors_open_the_circuit_and_the_next_call_skips_it(anthropic_on, llm_settings):
    llm_settings.LLM_BREAKER_FAILURES = 3
    anthropic_on.queue(fa.overloaded(), fa.overloaded(), fa.overloaded(), fa.json_message(assessment()))

    assert complete(quality_request()).provider == "offline"
    assert complete(quality_request()).provider == "offline"

    assert len(anthropic_on.message_requests) == 3  # the second call paid nothing for the known outage
    assert cached_status()["breaker:anthropic/claude-haiku-4-5"] == "open"
    llm_settings.LLM_OFFLINE_ENABLED = False
    with pytest.raises(LLMUnavailable, match="circuit open for anthropic/claude-haiku-4-5"):
        complete(quality_request())


def test_a_success_resets_the_count(anthropic_on, llm_settings):
    llm_settings.LLM_BREAKER_FAILURES = 3
    anthropic_on.queue(fa.overloaded(), fa.overloaded(), fa.json_message(assessment()))
    anthropic_on.queue(fa.overloaded(), fa.overloaded(), fa.json_message(assessment()))

    assert complete(quality_request()).provider == "anthropic"
    assert complete(quality_request()).provider == "anthropic"
    assert breaker.open_circuit("anthropic", "claude-haiku-4-5") is None


def test_an_auth_error_opens_the_whole_provider(anthropic_on, llm_settings):
    anthropic_on.api_key = "another-key"
    from llm.types import LLMRequest, Purpose, Tier

    complete(quality_request())
    narrative = LLMRequest(
        purpose=Purpose.CHARTER, system="s", messages=[{"role": "user", "content": "q"}], tier=Tier.BALANCED
    )
    assert complete(narrative).provider == "offline"

    assert len(anthropic_on.message_requests) == 1
    assert cached_status()["breaker:anthropic"] == "open"


def test_the_circuit_closes_after_the_cool_down(anthropic_on, llm_settings):
    llm_settings.LLM_BREAKER_COOLDOWN = 0.3
    anthropic_on.api_key = "another-key"
    complete(quality_request())
    anthropic_on.api_key = "test-anthropic-key"
    anthropic_on.queue(fa.json_message(assessment()))
    time.sleep(0.4)

    assert complete(quality_request()).provider == "anthropic"


@pytest.fixture
def redis_cache():
    prefix = f"uaip-l1-test-{uuid.uuid4().hex}"
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
    probe = RedisCache(config["LOCATION"], {"KEY_PREFIX": prefix})
    try:
        probe.set("probe", 1, 5)
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    with override_settings(CACHES={"default": {**config, "KEY_PREFIX": prefix}}):
        yield RedisCache(config["LOCATION"], {"KEY_PREFIX": prefix})  # a second, independent client
    probe.clear()


def test_the_breaker_is_shared_through_the_cache(anthropic_on, redis_cache):
    anthropic_on.api_key = "another-key"

    complete(quality_request())

    # What another process (its own Redis client) reads:
    entry = redis_cache.get(f"{breaker.PREFIX}anthropic:{breaker.WHOLE_PROVIDER}")
    assert entry["open_until"] > time.time()
    assert entry["reason"] == "auth (HTTP 401)"


def test_the_breaker_fails_open_when_the_cache_is_down(anthropic_on, refused_url, llm_settings):
    llm_settings.LLM_BREAKER_FAILURES = 1
    dead = refused_url.replace("http://", "redis://")
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    ):
        anthropic_on.queue(fa.overloaded(), fa.json_message(assessment()))
        result = complete(quality_request())  # counting the outage cannot be saved: still retried, no exception
        status = cached_status()

    assert result.provider == "anthropic"
    assert status["anthropic"] == "unknown"
    assert not breaker._cache_usable()  # and this process stops waiting for the cache for a while


# --- unknown usage -------------------------------------------------------------------------------------------
def test_a_timed_out_attempt_has_unknown_usage_not_zero(anthropic_on, llm_settings, scoping_session):
    llm_settings.LLM_ANTHROPIC_TIMEOUTS = {"fast": 0.3, "balanced": 0.3}
    anthropic_on.queue(fa.slow(5), fa.json_message(assessment(), input_tokens=100, output_tokens=10))

    result = complete(quality_request(session=scoping_session))

    assert result.unknown_cost_attempts == 1
    timed_out, answered = LLMCall.objects.order_by("attempt")
    assert (timed_out.status, timed_out.error_type, timed_out.cost_usd, timed_out.usage_known) == (
        CallStatus.TRANSIENT_ERROR,
        "timeout",
        None,
        False,
    )
    assert answered.usage_known and answered.cost_usd > 0
    totals = session_usage(session=scoping_session).totals
    assert (totals.calls, totals.unknown_cost_calls, totals.cost_usd) == (2, 1, answered.cost_usd)


def test_an_error_with_no_reply_costs_zero_and_is_known(anthropic_on):
    anthropic_on.queue(fa.unauthorized())

    complete(quality_request())

    row = LLMCall.objects.get(provider="anthropic")
    assert (row.cost_usd, row.usage_known) == (0, True)
