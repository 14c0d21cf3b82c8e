"""Provider health: a live check (``manage.py llm_health``, worker start) and the cached view of it.

The live check makes one tiny real request per provider *and model* (every tier's model: the balanced tier's
model can be retired while the fast one works). Its results, and the outcome of every gateway call, are cached
per provider, and ``GET /api/v1/health`` reads only that cache and the circuit breakers (``llm.breaker``):
never a live LLM call.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from llm import breaker, calllog
from llm.errors import ProviderError
from llm.models import CallStatus
from llm.pricing import cost_usd
from llm.providers import Provider, listed_providers
from llm.types import Purpose, Tier, TokenUsage

OK = "ok"
DEGRADED = "degraded"  # usable, but at least one configured model is not (e.g. a retired model id)
DOWN = "down"
NOT_CONFIGURED = "not_configured"
UNKNOWN = "unknown"
BREAKER_KEY_PREFIX = "breaker:"
BREAKER_OPEN = "open"
CACHE_PREFIX = "llm:health:"


@dataclass(frozen=True)
class ProviderHealth:
    provider: str
    status: str  # ok / degraded / down / not_configured
    detail: str = ""
    latency_ms: int | None = None
    models: dict[str, str] = field(default_factory=dict)  # model → "ok" or why it failed

    @property
    def usable(self) -> bool:
        return self.status in (OK, DEGRADED)

    def line(self) -> str:
        """``anthropic: ok 412 ms`` / ``anthropic: down (authentication error)``."""
        if self.status == OK:
            return f"{self.provider}: ok" + (f" {self.latency_ms} ms" if self.latency_ms is not None else "")
        label = "not configured" if self.status == NOT_CONFIGURED else self.status
        return f"{self.provider}: {label}" + (f" ({self.detail})" if self.detail else "")


def remember(provider: str, status: str, detail: str = "") -> None:
    """Cache one provider's latest known state (from a check or from real traffic)."""
    with contextlib.suppress(Exception):  # a cache outage must not break an LLM call
        cache.set(
            f"{CACHE_PREFIX}{provider}",
            {"status": status, "detail": detail},
            settings.LLM_HEALTH_CACHE_SECONDS,
        )


def _detail_for_user(exc: ProviderError) -> str:
    return "authentication error" if exc.error_type == "auth" else exc.describe()


def _ping(provider: Provider, model: str, timeout: float) -> tuple[ProviderError | None, int]:
    """One tiny real request for ``model``, logged as a ``health`` call."""
    started = time.monotonic()
    error: ProviderError | None = None
    usage = TokenUsage()
    request_id = ""
    try:
        reply = provider.ping(model=model, timeout=timeout)
        if reply is not None:
            usage, request_id = reply.usage, reply.request_id
    except ProviderError as exc:
        error = exc
    except Exception as exc:  # a health check reports, it never crashes
        error = ProviderError("unexpected", type(exc).__name__, transient=False)
    latency_ms = int((time.monotonic() - started) * 1000)
    if not provider.offline:
        cost: Decimal | None = Decimal(0)
        if error is None:
            cost = cost_usd(model, usage, local=provider.is_local)
        elif not error.usage_known and not provider.is_local:
            cost = None
        calllog.record(
            calllog.Attempt(
                completion_id=uuid.uuid4(),
                attempt=1,
                retry_number=0,
                provider=provider.name,
                model=model,
                purpose=Purpose.HEALTH,
                tier=Tier.FAST,
                session_id=None,
                user_id=None,
                stage=None,
                status=CallStatus.OK if error is None else CallStatus.PERMANENT_ERROR,
                usage=usage,
                cost_usd=cost,
                latency_ms=latency_ms,
                request_id=request_id or (error.request_id if error else ""),
                error_type=error.error_type if error else "",
                error_message=error.message if error else "",
            )
        )
    return error, latency_ms


def check_provider(provider: Provider, *, timeout: float | None = None) -> ProviderHealth:
    """Ping every model ``provider`` is configured with (``LLM_HEALTH_TIMEOUT`` each), never retrying.

    A model-level failure (a 404 for a retired id, a model not pulled) makes the provider ``degraded`` while
    another model works, and opens that model's circuit; a provider-level failure (bad key, outage) stops the
    check there: ``down``, or ``degraded`` when an earlier model already answered.
    """
    reason = provider.unconfigured_reason()
    if reason is not None:
        return ProviderHealth(provider.name, NOT_CONFIGURED, reason)
    timeout = settings.LLM_HEALTH_TIMEOUT if timeout is None else timeout
    models: dict[str, str] = {}
    latency_ms: int | None = None
    for model in provider.models():
        error, latency = _ping(provider, model, timeout)
        latency_ms = latency if latency_ms is None else max(latency_ms, latency)
        if error is None:
            models[model] = OK
            if not provider.offline:
                breaker.record_success(provider.name, model)
            continue
        detail = _detail_for_user(error)
        models[model] = detail
        if error.blame != "model":
            if OK not in models.values():
                return ProviderHealth(provider.name, DOWN, detail, latency_ms, models)
            break  # an earlier model answered: usable, but the rest is not checked against an outage
        breaker.trip(provider.name, model, detail)
    failed = {model: detail for model, detail in models.items() if detail != OK}
    if not failed:
        return ProviderHealth(provider.name, OK, "", latency_ms, models)
    if len(models) == 1:
        detail = next(iter(failed.values()))  # "down (model missing)"
    else:
        detail = "; ".join(f"{model}: {why}" for model, why in failed.items())
    status = DOWN if len(failed) == len(models) else DEGRADED
    return ProviderHealth(provider.name, status, detail, latency_ms, models)


def check_providers(*, timeout: float | None = None) -> list[ProviderHealth]:
    """Check every provider in ``LLM_PROVIDERS`` and cache the results."""
    results = [check_provider(provider, timeout=timeout) for provider in listed_providers()]
    for result in results:
        remember(result.provider, result.status, result.detail)
    return results


def cached_status() -> dict[str, str]:
    """For ``/api/v1/health``, from the cache only: ``{provider: status}``, then one ``"breaker:<scope>": "open"``
    entry per open circuit (scope ``anthropic`` for the whole provider, ``anthropic/<model>`` for one model).

    Status is ``ok``/``degraded``/``down``/``not_configured``/``unknown`` (until checked). Values stay strings so
    the endpoint's schema (``name → status``) holds.
    """
    status: dict[str, str] = {}
    circuits: dict[str, str] = {}
    for provider in listed_providers():
        if provider.unconfigured_reason() is not None:
            status[provider.name] = NOT_CONFIGURED
            continue
        if provider.offline:
            status[provider.name] = OK
            continue
        try:
            entry = cache.get(f"{CACHE_PREFIX}{provider.name}")
        except Exception:  # the health endpoint must answer even when the cache does not
            entry = None
        status[provider.name] = entry["status"] if entry else UNKNOWN
        for circuit in breaker.open_circuits(provider.name, provider.models()):
            circuits[f"{BREAKER_KEY_PREFIX}{circuit.scope}"] = BREAKER_OPEN
    return {**status, **circuits}
