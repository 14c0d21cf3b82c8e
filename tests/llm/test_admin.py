"""The LLMCall admin: read-only list with filters and totals for the current selection."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import Client

from llm.models import CallStatus, LLMCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user) -> Client:
    admin = make_user(email="admin@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def log_call(provider: str, status: str, input_tokens: int, cost: str) -> LLMCall:
    return LLMCall.objects.create(
        completion_id=uuid.uuid4(),
        attempt=1,
        provider=provider,
        model="m",
        purpose="quality_check",
        status=status,
        input_tokens=input_tokens,
        cost_usd=Decimal(cost),
    )


def test_changelist_shows_totals_for_the_filtered_rows(admin_client):
    log_call("anthropic", CallStatus.OK, 1200, "0.0012")
    log_call("anthropic", CallStatus.TRANSIENT_ERROR, 0, "0")
    log_call("ollama", CallStatus.OK, 500, "0")

    everything = admin_client.get("/admin/llm/llmcall/")
    anthropic_only = admin_client.get("/admin/llm/llmcall/", {"provider": "anthropic"})
    failed_only = admin_client.get("/admin/llm/llmcall/", {"status": CallStatus.TRANSIENT_ERROR})

    assert everything.status_code == 200
    assert everything.context["usage_totals"].calls == 3
    assert everything.context["usage_totals"].input_tokens == 1700
    assert anthropic_only.context["usage_totals"].cost_usd == Decimal("0.0012")
    assert anthropic_only.context["usage_totals"].failed_calls == 1
    assert failed_only.context["usage_totals"].calls == 1
    assert b"Totals for this selection" in everything.content


def test_calls_are_read_only_in_the_admin(admin_client):
    call = log_call("anthropic", CallStatus.OK, 1, "0.000001")

    assert admin_client.get("/admin/llm/llmcall/add/").status_code == 403
    detail = admin_client.get(f"/admin/llm/llmcall/{call.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
