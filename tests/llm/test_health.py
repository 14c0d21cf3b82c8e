"""``manage.py llm_health``, the cached status in ``/api/v1/health``, and the worker's start-up check."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from llm.health import cached_status, check_providers
from llm.models import LLMCall
from tests.fakes import anthropic as fa

pytestmark = pytest.mark.django_db


def run_llm_health(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("llm_health", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_llm_health_prints_one_line_per_provider(anthropic_on, ollama_on):
    anthropic_on.queue(fa.message("ok", input_tokens=8, output_tokens=1), fa.message("ok", input_tokens=8))

    code, output = run_llm_health()

    lines = output.splitlines()
    assert code == 0
    assert lines[0].startswith("anthropic: ok ") and lines[0].endswith(" ms")
    assert lines[1].startswith("ollama: ok ")
    assert lines[2].startswith("offline: ok")
    sent = [r.json for r in anthropic_on.message_requests]
    assert [(s["max_tokens"], s["model"]) for s in sent] == [(1, "claude-haiku-4-5"), (1, "claude-sonnet-4-6")]
    rows = LLMCall.objects.filter(provider="anthropic").order_by("id")
    assert [(r.purpose, r.model, r.input_tokens, r.status) for r in rows] == [
        ("health", "claude-haiku-4-5", 8, "ok"),
        ("health", "claude-sonnet-4-6", 8, "ok"),
    ]


def test_llm_health_reports_why_a_provider_is_down(anthropic_on, ollama_on, llm_settings):
    anthropic_on.api_key = "another-key"
    ollama_on.models = ["mistral:latest"]

    code, output = run_llm_health()

    assert code == 0  # offline is still usable
    assert "anthropic: down (authentication error)" in output
    assert "ollama: down (model missing)" in output


def test_llm_health_exits_1_when_nothing_is_usable(llm_settings, refused_url):
    llm_settings.LLM_OFFLINE_ENABLED = False
    llm_settings.OLLAMA_HOST = refused_url

    code, output = run_llm_health()

    assert code == 1
    assert "anthropic: not configured (ANTHROPIC_API_KEY is not set)" in output
    assert "ollama: down (connection)" in output
    assert "offline: not configured (LLM_OFFLINE_ENABLED is off)" in output


def test_health_check_uses_the_short_timeout(anthropic_on, llm_settings):
    llm_settings.LLM_HEALTH_TIMEOUT = 0.3
    anthropic_on.queue(fa.slow(5))

    (anthropic, *_rest) = check_providers()

    assert (anthropic.status, anthropic.detail) == ("down", "timeout")
    assert len(anthropic_on.message_requests) == 1  # a health check never retries


def test_cached_status_reads_only_the_cache(anthropic_on, ollama_on):
    assert cached_status() == {"anthropic": "unknown", "ollama": "unknown", "offline": "ok"}

    anthropic_on.queue(fa.message("ok"), fa.message("ok"))
    ollama_on.stop()
    check_providers()
    requests_after_check = len(anthropic_on.requests)

    assert cached_status() == {"anthropic": "ok", "ollama": "down", "offline": "ok"}
    assert len(anthropic_on.requests) == requests_after_check


def test_api_health_includes_cached_llm_status(anon_api, anthropic_on):
    response = anon_api.get("/api/v1/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy" and body["database"] == "ok"
    assert body["llm"] == {"anthropic": "unknown", "ollama": "not_configured", "offline": "ok"}
    assert anthropic_on.requests == []  # no live LLM call per health request


def test_gateway_calls_keep_the_cached_status_fresh(anthropic_on):
    from llm.gateway import complete
    from tests.llm.factories import assessment, quality_request

    anthropic_on.queue(fa.json_message(assessment()))
    complete(quality_request())
    assert cached_status()["anthropic"] == "ok"

    anthropic_on.queue(fa.unauthorized())
    complete(quality_request())
    assert cached_status()["anthropic"] == "down"
    assert cached_status()["breaker:anthropic"] == "open"  # a bad key: skipped until the cool-down ends


# --- the worker ------------------------------------------------------------------------------------------------


def test_our_db_worker_overrides_django_tasks_db():
    assert get_commands()["db_worker"] == "llm"


@pytest.mark.django_db(transaction=True)  # the real worker loop closes and reopens its DB connection
def test_worker_starts_with_offline_when_remote_providers_are_down(llm_settings, refused_url, caplog):
    llm_settings.OLLAMA_HOST = refused_url

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")

    events = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "llm_provider_health"]
    assert {(e["provider"], e["status"]) for e in events} == {
        ("anthropic", "not_configured"),
        ("ollama", "down"),
        ("offline", "ok"),
    }


def test_worker_refuses_to_start_when_nothing_is_usable(llm_settings, refused_url, monkeypatch):
    llm_settings.LLM_OFFLINE_ENABLED = False
    llm_settings.OLLAMA_HOST = refused_url
    llm_settings.LLM_WORKER_CHECK_ATTEMPTS = 3
    ran = []
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.Worker.run", lambda self: ran.append(1))

    with pytest.raises(CommandError, match="No LLM provider is usable after 3 checks"):
        call_command("db_worker", "--batch", "--no-reload")

    assert ran == []
    assert LLMCall.objects.filter(provider="ollama", purpose="health").count() == 3


def test_worker_retries_the_check_before_giving_up(llm_settings, anthropic_on, monkeypatch):
    llm_settings.LLM_OFFLINE_ENABLED = False
    llm_settings.LLM_WORKER_CHECK_ATTEMPTS = 3
    # Down at the first check (which stops at the first model), up at the second (both tiers' models).
    anthropic_on.queue(fa.overloaded(), fa.message("ok"), fa.message("ok"))
    ran = []
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.Worker.run", lambda self: ran.append(1))

    call_command("db_worker", "--batch", "--no-reload")

    assert ran == [1]
    assert len(anthropic_on.message_requests) == 3


def test_worker_options_still_work_and_check_can_be_skipped(llm_settings, monkeypatch):
    llm_settings.LLM_OFFLINE_ENABLED = False
    captured = {}

    def fake_run(self):
        captured.update(batch=self.batch, interval=self.interval, queues=self.queue_names)

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.Worker.run", fake_run)

    call_command("db_worker", "--batch", "--no-reload", "--interval", "0.5", "--queue-name", "llm", "--skip-llm-check")

    assert captured == {"batch": True, "interval": 0.5, "queues": ["llm"]}


def test_a_bad_request_does_not_mark_the_provider_down(anthropic_on):
    from llm.gateway import complete
    from tests.llm.factories import assessment, quality_request

    anthropic_on.queue(fa.json_message(assessment()))
    complete(quality_request())
    anthropic_on.queue(fa.bad_request("prompt is too long"))
    complete(quality_request())

    assert cached_status()["anthropic"] == "ok"
