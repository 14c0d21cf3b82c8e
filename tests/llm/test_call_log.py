"""One ``LLMCall`` row and one ``llm_call`` event per attempt, with exact figures and no prompt text."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connections

from llm.gateway import complete
from llm.models import CallStatus, LLMCall
from llm.types import LLMRequest, Purpose
from sessions_app.models import ScopingSession
from tests.fakes import anthropic as fa
from tests.fakes.http import FakeResponse, ReceivedRequest
from tests.llm.factories import assessment, quality_request

SECRET_ANSWER = "Our confidential plan: cut claim processing from 14 to 7 days"
EVENT_FIELDS = {
    "provider",
    "model",
    "session_id",
    "stage",
    "purpose",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost_usd",
    "latency_ms",
    "status",
    "retry_count",
    "request_id",
}


@pytest.mark.django_db
def test_each_attempt_is_one_event_with_the_listed_fields(anthropic_on, scoping_session, llm_events):
    anthropic_on.queue(
        fa.rate_limited(retry_after="0"),
        fa.json_message(assessment(), input_tokens=2000, output_tokens=300, request_id="req_abc"),
    )

    complete(quality_request(SECRET_ANSWER, session=scoping_session, stage=2))

    events = llm_events()
    assert len(events) == 2
    assert all(set(event) >= EVENT_FIELDS for event in events)
    failed, ok = events
    assert (failed["status"], failed["retry_count"], failed["cost_usd"]) == ("transient_error", 0, 0.0)
    assert ok == ok | {
        "provider": "anthropic",
        "model": "claude-haiku-4-5",
        "session_id": str(scoping_session.pk),
        "stage": 2,
        "purpose": "quality_check",
        "input_tokens": 2000,
        "output_tokens": 300,
        "total_tokens": 2300,
        "cost_usd": 0.0035,  # 2000 × $1 + 300 × $5 per million
        "status": "ok",
        "retry_count": 1,
        "request_id": "req_abc",
    }
    assert ok["llm_call_id"] == LLMCall.objects.get(status=CallStatus.OK).pk


@pytest.mark.django_db
def test_no_prompt_or_answer_text_in_logs(anthropic_on, llm_events, llm_settings):
    llm_settings.LLM_LOG_PROMPT_LENGTHS = True
    anthropic_on.queue(fa.json_message(assessment(example_answer="Model text that must not be logged")))

    complete(quality_request(SECRET_ANSWER))

    (event,) = llm_events()
    dumped = json.dumps(event, default=str)
    assert "confidential" not in dumped
    assert "must not be logged" not in dumped
    assert event["prompt_chars"] > len(SECRET_ANSWER)  # the setting adds lengths only
    assert event["system_chars"] > 0


@pytest.mark.django_db
def test_prompt_lengths_are_off_by_default(anthropic_on, llm_events):
    anthropic_on.queue(fa.json_message(assessment()))

    complete(quality_request())

    assert "prompt_chars" not in llm_events()[0]


def test_event_renders_as_one_json_line(anthropic_on, llm_events, db):
    """The project's JSON renderer can serialise every field (no Decimal or UUID surprises)."""
    import structlog

    anthropic_on.queue(fa.json_message(assessment()))
    complete(quality_request())

    rendered = structlog.processors.JSONRenderer()(None, "info", dict(llm_events()[0]))
    assert json.loads(rendered)["event"] == "llm_call"


@pytest.mark.django_db
def test_offline_calls_are_logged_too(llm_events):
    complete(quality_request("Use AI for predictions"))

    (event,) = llm_events()
    assert (event["provider"], event["model"], event["cost_usd"]) == ("offline", "offline-heuristics-v1", 0.0)


@pytest.mark.django_db
def test_a_database_failure_does_not_fail_the_call(anthropic_on, llm_events, monkeypatch):
    from django.db import DatabaseError

    def broken_create(**kwargs):
        raise DatabaseError("database is down")

    monkeypatch.setattr(LLMCall.objects, "create", broken_create)
    anthropic_on.queue(fa.json_message(assessment()))

    assert complete(quality_request()).provider == "anthropic"
    assert llm_events()[0]["llm_call_id"] is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_are_each_logged_correctly(anthropic_on, make_user):
    """Several threads call the gateway at once; every attempt lands on the right session with its own usage."""
    callers = 6
    owner = make_user()
    sessions = [ScopingSession.objects.create(owner=owner, project_name=f"P{i}") for i in range(callers)]
    seen_once: set[int] = set()
    seen_lock = threading.Lock()

    def responder(request: ReceivedRequest) -> FakeResponse:
        # The caller number travels in the prompt; odd callers get one 429 before their answer.
        number = int(request.json["messages"][0]["content"].split("caller-")[1].split()[0])
        with seen_lock:
            first_time = number not in seen_once
            seen_once.add(number)
        if number % 2 and first_time:
            return fa.rate_limited(retry_after="0")
        return fa.message(f"answer {number}", input_tokens=100 * (number + 1), output_tokens=10 * (number + 1))

    anthropic_on.respond_with(responder)
    results: dict[int, object] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(callers)

    def call(number: int) -> None:
        try:
            start.wait()
            request = LLMRequest(
                purpose=Purpose.CHARTER,
                system="s",
                messages=[{"role": "user", "content": f"caller-{number} says hi"}],
                session=sessions[number],
                stage=(number % 5) + 1,
            )
            results[number] = complete(request)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert LLMCall.objects.count() == callers + callers // 2  # one extra (rate-limited) attempt per odd caller
    for number, session in enumerate(sessions):
        assert results[number].text == f"answer {number}"
        rows = list(LLMCall.objects.filter(session=session).order_by("attempt"))
        assert {row.completion_id for row in rows} == {results[number].completion_id}
        assert all(row.stage == (number % 5) + 1 and row.user_id == owner.pk for row in rows)
        ok = rows[-1]
        assert (ok.status, ok.input_tokens, ok.output_tokens) == ("ok", 100 * (number + 1), 10 * (number + 1))
        expected_cost = (Decimal(100 * (number + 1)) * 1 + Decimal(10 * (number + 1)) * 5) / 1_000_000
        assert ok.cost_usd == expected_cost
        if number % 2:
            assert [(r.status, r.retry_number) for r in rows] == [("transient_error", 0), ("ok", 1)]
        else:
            assert len(rows) == 1
