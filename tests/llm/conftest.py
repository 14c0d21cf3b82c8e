"""LLM test fixtures: fake servers on 127.0.0.1 and settings that make retries fast."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sessions_app.models import ScopingSession
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.ollama import FakeOllama

ANTHROPIC_KEY = "test-anthropic-key"


@pytest.fixture(autouse=True)
def llm_settings(settings: Any) -> Any:
    """Nothing from the developer's environment leaks in; backoff is tiny so retry tests run fast."""
    settings.ANTHROPIC_API_KEY = ""
    settings.ANTHROPIC_BASE_URL = ""
    settings.OLLAMA_HOST = ""
    settings.LLM_PROVIDERS = ["anthropic", "ollama", "offline"]
    settings.LLM_OFFLINE_ENABLED = True
    settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-haiku-4-5", "balanced": "claude-sonnet-4-6"}
    settings.LLM_ANTHROPIC_TIMEOUTS = {"fast": 5.0, "balanced": 5.0}
    settings.LLM_OLLAMA_MODELS = {"fast": "llama3.2", "balanced": "llama3.2"}
    settings.LLM_OLLAMA_TIMEOUT = 5.0
    settings.LLM_RETRY_ATTEMPTS = 3
    settings.LLM_RETRY_BACKOFF = 0.001
    settings.LLM_RETRY_BACKOFF_MAX = 0.004
    settings.LLM_RETRY_AFTER_CAP = 30.0
    settings.LLM_MAX_TOTAL_ATTEMPTS = 8
    settings.LLM_HEALTH_TIMEOUT = 5.0
    settings.LLM_WORKER_CHECK_ATTEMPTS = 2
    settings.LLM_WORKER_CHECK_DELAY = 0.0
    settings.LLM_LOG_PROMPT_LENGTHS = False
    settings.LLM_DEADLINES = {purpose: 60.0 for purpose in ("quality_check", "extraction", "consistency", "charter")}
    settings.LLM_CONNECT_TIMEOUT = 2.0
    settings.LLM_MIN_ATTEMPT_SECONDS = 0.05
    settings.LLM_MAX_OUTPUT_TOKENS = 2048
    settings.LLM_TRUNCATED_RETRY_MAX_TOKENS = 8192
    settings.LLM_BREAKER_FAILURES = 5
    settings.LLM_BREAKER_COOLDOWN = 120.0
    settings.LLM_DEPRECATION_WARNING_DAYS = 60
    settings.LLM_OLLAMA_KEEP_ALIVE = "10m"
    settings.LLM_OLLAMA_MIN_CTX = 4096
    settings.LLM_OLLAMA_MAX_CTX = 32768
    settings.LLM_OLLAMA_THINKING_MODELS = ["qwen3", "deepseek-r1"]
    return settings


@pytest.fixture(autouse=True)
def _breaker_trusts_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that saw the cache fail must not leave the breaker ignoring the cache for the next tests."""
    from llm import breaker

    monkeypatch.setattr(breaker, "_cache_down_until", 0.0)


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic(api_key=ANTHROPIC_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    server = FakeOllama().start()
    yield server
    server.stop()


@pytest.fixture
def anthropic_on(llm_settings: Any, fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    """Anthropic configured and pointed at the fake."""
    llm_settings.ANTHROPIC_API_KEY = ANTHROPIC_KEY
    llm_settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    return fake_anthropic


@pytest.fixture
def ollama_on(llm_settings: Any, fake_ollama: FakeOllama) -> FakeOllama:
    llm_settings.OLLAMA_HOST = fake_ollama.url
    return fake_ollama


@pytest.fixture
def refused_url() -> str:
    """A URL on which nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def scoping_session(user: Any) -> ScopingSession:
    return ScopingSession.objects.create(owner=user, project_name="Claims triage")


@pytest.fixture
def llm_events(caplog: pytest.LogCaptureFixture) -> Callable[[], list[dict[str, Any]]]:
    """The ``llm_call`` events so far, as structlog handed them to the logging system."""
    caplog.set_level(logging.INFO, logger="llm")

    def events() -> list[dict[str, Any]]:
        return [
            record.msg
            for record in caplog.records
            if record.name == "llm" and isinstance(record.msg, dict) and record.msg.get("event") == "llm_call"
        ]

    return events
