"""Usage aggregates: per session by stage and provider, owner-scoped; the call log outlives the session."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from llm.models import CallStatus, LLMCall
from llm.selectors import session_usage, usage_totals
from sessions_app.models import ScopingSession

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def log_call(*, session=None, user=None, stage=None, provider="anthropic", status=CallStatus.OK, at=None, **fields):
    return LLMCall.objects.create(
        completion_id=uuid.uuid4(),
        attempt=1,
        provider=provider,
        model="claude-haiku-4-5" if provider == "anthropic" else "llama3.2",
        purpose="quality_check",
        session=session,
        user=user or (session.owner if session else None),
        stage=stage,
        status=status,
        created_at=at or datetime.datetime(2026, 3, 10, 12, tzinfo=UTC),
        **fields,
    )


def test_session_usage_by_stage_and_provider(user, scoping_session):
    log_call(session=scoping_session, stage=1, input_tokens=100, output_tokens=10, cost_usd=Decimal("0.00015"))
    log_call(session=scoping_session, stage=1, status=CallStatus.TRANSIENT_ERROR)
    log_call(session=scoping_session, stage=2, input_tokens=50, output_tokens=5, cost_usd=Decimal("0.000075"))
    log_call(session=scoping_session, stage=2, provider="ollama", input_tokens=400, output_tokens=40)
    log_call(session=scoping_session, input_tokens=7, cache_read_input_tokens=1000, cost_usd=Decimal("0.000107"))
    other = ScopingSession.objects.create(owner=user, project_name="Other")
    log_call(session=other, stage=1, input_tokens=999, cost_usd=Decimal("1"))

    usage = session_usage(session=scoping_session)

    assert usage.totals.calls == 5
    assert usage.totals.failed_calls == 1
    assert usage.totals.input_tokens == 557
    assert usage.totals.total_tokens == 557 + 55 + 1000
    assert usage.totals.cost_usd == Decimal("0.000332")
    assert set(usage.by_stage) == {None, 1, 2}
    assert (usage.by_stage[1].calls, usage.by_stage[1].cost_usd) == (2, Decimal("0.00015"))
    assert usage.by_stage[2].input_tokens == 450
    assert usage.by_provider["ollama"].cost_usd == 0
    assert usage.by_provider["anthropic"].calls == 4


def test_cannot_read_other_users_session_usage(other_api, scoping_session):
    response = other_api.get(f"/api/v1/sessions/{scoping_session.pk}/usage")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_empty_session_usage_is_zero(user, scoping_session):
    usage = session_usage(session=scoping_session)

    assert usage.totals.calls == 0
    assert usage.totals.cost_usd == 0
    assert usage.by_stage == {}


def test_calls_survive_session_deletion_for_cost_accounting(user, scoping_session):
    log_call(session=scoping_session, input_tokens=10, cost_usd=Decimal("0.00001"))

    scoping_session.delete()

    row = LLMCall.objects.get()
    assert row.session_id is None and row.user_id == user.pk
    assert usage_totals(LLMCall.objects.filter(user=user)).cost_usd == Decimal("0.00001")
