"""Provider health: a live check (``manage.py llm_health``, worker start) and the cached view of it.

The live check makes one tiny real request per provider. Its results, and the outcome of every gateway
call, are cached per provider, and ``GET /api/v1/health`` reads only that cache: never a live LLM call.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from llm import calllog
from llm.errors import ProviderError
from llm.models import CallStatus
from llm.pricing import cost_usd
from llm.providers import Provider, listed_providers
from llm.types import Purpose, Tier, TokenUsage

OK = "ok"
DOWN = "down"
NOT_CONFIGURED = "not_configured"
UNKNOWN = "unknown"
CACHE_PREFIX = "llm:health:"


@dataclass(frozen=True)
class ProviderHealth:
    provider: str
    status: str  # ok / down / not_configured
    detail: str = ""
    latency_ms: int | None = None

    @property
    def usable(self) -> bool:
        return self.status == OK

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


def check_provider(provider: Provider, *, timeout: float | None = None) -> ProviderHealth:
    """One tiny real request to ``provider`` (``LLM_HEALTH_TIMEOUT``), logged as a ``health`` call."""
    reason = provider.unconfigured_reason()
    if reason is not None:
        return ProviderHealth(provider.name, NOT_CONFIGURED, reason)
    timeout = settings.LLM_HEALTH_TIMEOUT if timeout is None else timeout
    model = provider.model_for(Tier.FAST)
    started = time.monotonic()
    error: ProviderError | None = None
    usage = TokenUsage()
    request_id = ""
    try:
        reply = provider.ping(timeout=timeout)
        if reply is not None:
            usage, request_id = reply.usage, reply.request_id
    except ProviderError as exc:
        error = exc
    except Exception as exc:  # a health check reports, it never crashes
        error = ProviderError("unexpected", type(exc).__name__, transient=False)
    latency_ms = int((time.monotonic() - started) * 1000)
    if not provider.offline:
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
                cost_usd=cost_usd(model, usage, local=provider.is_local) if error is None else Decimal(0),
                latency_ms=latency_ms,
                request_id=request_id or (error.request_id if error else ""),
                error_type=error.error_type if error else "",
                error_message=error.message if error else "",
            )
        )
    if error is not None:
        return ProviderHealth(provider.name, DOWN, _detail_for_user(error), latency_ms)
    return ProviderHealth(provider.name, OK, "", latency_ms)


def check_providers(*, timeout: float | None = None) -> list[ProviderHealth]:
    """Check every provider in ``LLM_PROVIDERS`` and cache the results."""
    results = [check_provider(provider, timeout=timeout) for provider in listed_providers()]
    for result in results:
        remember(result.provider, result.status, result.detail)
    return results


def cached_status() -> dict[str, str]:
    """``{provider: status}`` for ``/api/v1/health``, from the cache only (``unknown`` until checked)."""
    status: dict[str, str] = {}
    for provider in listed_providers():
        if provider.unconfigured_reason() is not None:
            status[provider.name] = NOT_CONFIGURED
        elif provider.offline:
            status[provider.name] = OK
        else:
            try:
                entry = cache.get(f"{CACHE_PREFIX}{provider.name}")
            except Exception:  # the health endpoint must answer even when the cache does not
                entry = None
            status[provider.name] = entry["status"] if entry else UNKNOWN
    return status
