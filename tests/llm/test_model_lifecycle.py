"""Model lifecycle: the SDK's deprecation data in the system check, every tier's model in the health check, and
a 404 for one model that never marks the whole provider down."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from llm import breaker
from llm.checks import check_llm_settings, end_of_life
from llm.gateway import complete
from llm.health import cached_status, check_providers
from llm.models import CallStatus, LLMCall
from llm.pricing import price_for
from llm.types import LLMRequest, Purpose, Tier
from tests.fakes import anthropic as fa
from tests.llm.factories import assessment, quality_request

TODAY = datetime.date(2026, 12, 2)


@pytest.fixture
def today(monkeypatch):
    """The check compares with today's date: pin it so the test does not change meaning next month."""
    monkeypatch.setattr("llm.checks.timezone.localdate", lambda: TODAY)
    return TODAY


def narrative_request() -> LLMRequest[None]:
    return LLMRequest(
        purpose=Purpose.CHARTER, system="Write.", messages=[{"role": "user", "content": "Facts."}], tier=Tier.BALANCED
    )


def test_end_of_life_comes_from_the_installed_sdk():
    from anthropic._data import DEPRECATED_MODELS

    listed = next(iter(DEPRECATED_MODELS))
    assert isinstance(end_of_life(listed), datetime.date)
    assert end_of_life("claude-sonnet-4-5") == datetime.date(2026, 11, 30)
    assert end_of_life("claude-haiku-4-5") is None
    assert end_of_life("claude-x", {"claude-x": "March 1st, 2027"}) == datetime.date(2027, 3, 1)


def test_a_retired_model_fails_the_system_check(llm_settings, today):
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-haiku-4-5", "balanced": "claude-sonnet-4-5"}

    messages = check_llm_settings()

    assert [m.id for m in messages] == ["llm.E005"]
    assert "claude-sonnet-4-5" in messages[0].msg and "2026-11-30" in messages[0].msg
    with pytest.raises(SystemCheckError, match=r"llm\.E005"):
        call_command("check")


def test_a_model_within_sixty_days_of_end_of_life_warns(llm_settings, today):
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-haiku-4-5", "balanced": "claude-opus-4-5"}

    messages = check_llm_settings()

    assert [(m.id, m.level >= 30) for m in messages] == [("llm.W001", True)]  # a warning, not an error
    assert "2027-01-22" in messages[0].msg and "51 days" in messages[0].msg


def test_a_model_further_from_end_of_life_passes(llm_settings, today):
    llm_settings.LLM_DEPRECATION_WARNING_DAYS = 30
    llm_settings.LLM_ANTHROPIC_MODELS = {"fast": "claude-haiku-4-5", "balanced": "claude-opus-4-5"}

    assert check_llm_settings() == []


def test_default_models_are_priced_and_current_models_have_rows():
    from django.conf import settings

    for model in settings.LLM_ANTHROPIC_MODELS.values():
        price_for(model)
    for model in ("claude-haiku-5-5", "claude-sonnet-5-5", "claude-sonnet-5", "claude-opus-5", "claude-opus-4-6"):
        assert price_for(model).output > 0


@pytest.mark.django_db
def test_health_pings_every_tier_and_a_retired_model_only_degrades(anthropic_on):
    anthropic_on.retired_models = {"claude-sonnet-4-6"}
    anthropic_on.queue(fa.message("ok"))

    (anthropic, *_rest) = check_providers()

    assert [r.json["model"] for r in anthropic_on.message_requests] == ["claude-haiku-4-5", "claude-sonnet-4-6"]
    assert (anthropic.status, anthropic.usable) == ("degraded", True)
    assert anthropic.detail == "claude-sonnet-4-6: not found (HTTP 404)"
    status = cached_status()
    assert status["anthropic"] == "degraded"
    assert status["breaker:anthropic/claude-sonnet-4-6"] == "open"
    assert "breaker:anthropic" not in status


@pytest.mark.django_db
def test_a_404_on_the_balanced_model_never_marks_anthropic_down(anthropic_on):
    anthropic_on.retired_models = {"claude-sonnet-4-6"}

    first = complete(narrative_request())
    assert first.provider == "offline"
    row = LLMCall.objects.get(provider="anthropic")
    assert (row.model, row.status, row.error_type) == ("claude-sonnet-4-6", CallStatus.PERMANENT_ERROR, "not_found")
    assert cached_status()["anthropic"] != "down"

    # The fast tier still goes to Anthropic; the balanced one skips its retired model without a request.
    anthropic_on.queue(fa.json_message(assessment()))
    assert complete(quality_request()).provider == "anthropic"
    assert complete(narrative_request()).provider == "offline"
    assert [r.json["model"] for r in anthropic_on.message_requests] == ["claude-sonnet-4-6", "claude-haiku-4-5"]
    assert breaker.open_circuit("anthropic", "claude-sonnet-4-6") is not None
    assert breaker.open_circuit("anthropic", "claude-haiku-4-5") is None


@pytest.mark.django_db
def test_the_default_models_raise_no_sdk_deprecation_warning(anthropic_on, llm_settings):
    import warnings

    from uaip import settings as configured  # the module's values, not the fixture's overrides

    llm_settings.LLM_ANTHROPIC_MODELS = dict(configured.LLM_ANTHROPIC_MODELS)
    anthropic_on.queue(fa.json_message(assessment()), fa.message("A narrative."))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        complete(quality_request())
        complete(narrative_request())

    assert [w for w in caught if issubclass(w.category, DeprecationWarning) and "end-of-life" in str(w.message)] == []
    assert len(anthropic_on.message_requests) == 2


@pytest.mark.django_db
def test_an_outage_on_the_second_model_leaves_the_provider_usable(anthropic_on):
    anthropic_on.queue(fa.message("ok"), fa.overloaded())

    (anthropic, *_rest) = check_providers()

    assert (anthropic.status, anthropic.usable) == ("degraded", True)
    assert anthropic.detail == "claude-sonnet-4-6: overloaded (HTTP 529)"
