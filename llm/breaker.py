"""A circuit breaker per provider and per (provider, model), shared by every process through Django's cache.

After an auth error (the provider), a not-found or unpriced model (that model), a Retry-After longer than we
wait, or ``LLM_BREAKER_FAILURES`` consecutive outage errors (that model), the gateway skips it for
``LLM_BREAKER_COOLDOWN`` seconds instead of paying for a known outage on every call. A success closes it.
The cache is Redis in production, so the web process and the workers see the same state.

The breaker fails open: if the cache cannot be read or written it behaves as closed and never raises, so a
cache outage costs at most the retries the breaker would have saved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache

logger = structlog.get_logger("llm")

PREFIX = "llm:breaker:"
WHOLE_PROVIDER = "*"
CACHE_RETRY_SECONDS = 30.0  # after a cache failure this process leaves the cache alone (no connect wait per call)
_cache_down_until = 0.0


@dataclass(frozen=True)
class OpenCircuit:
    provider: str
    model: str  # WHOLE_PROVIDER when the provider itself is open
    reason: str
    until: float  # epoch seconds

    @property
    def scope(self) -> str:
        return self.provider if self.model == WHOLE_PROVIDER else f"{self.provider}/{self.model}"

    def describe(self) -> str:
        seconds = max(0, int(self.until - time.time()))
        return f"skipped (circuit open for {self.scope}: {self.reason}, {seconds} s left)"


def _key(provider: str, model: str) -> str:
    return f"{PREFIX}{provider}:{model}"


def _cache_usable() -> bool:
    return time.monotonic() >= _cache_down_until


def _cache_failed(action: str, key: str) -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning("llm_breaker_cache_unavailable", action=action, key=key, retry_in_s=CACHE_RETRY_SECONDS)


def _read(key: str) -> dict[str, Any] | None:
    if not _cache_usable():
        return None
    try:
        value = cache.get(key)
    except Exception:  # fail open
        _cache_failed("read", key)
        return None
    return value if isinstance(value, dict) else None


def _write(key: str, value: dict[str, Any], timeout: float) -> None:
    if not _cache_usable():
        return
    try:
        cache.set(key, value, max(1, int(timeout + 0.999)))
    except Exception:  # fail open: the breaker is an optimisation, never a failure of its own
        _cache_failed("write", key)


def _delete(key: str) -> None:
    if not _cache_usable():
        return
    try:
        cache.delete(key)
    except Exception:
        _cache_failed("delete", key)


def _open_entry(provider: str, model: str) -> OpenCircuit | None:
    entry = _read(_key(provider, model))
    if not entry:
        return None
    until = float(entry.get("open_until") or 0)
    if until <= time.time():
        return None
    return OpenCircuit(provider, model, str(entry.get("reason", "")), until)


def open_circuit(provider: str, model: str) -> OpenCircuit | None:
    """The open circuit that stops a call to ``model`` at ``provider`` (the provider's own first), or None."""
    return _open_entry(provider, WHOLE_PROVIDER) or _open_entry(provider, model)


def trip(provider: str, model: str, reason: str, *, seconds: float | None = None) -> None:
    """Open the circuit of ``model`` (``WHOLE_PROVIDER`` for the provider) for ``seconds`` (default cool-down)."""
    cooldown = float(settings.LLM_BREAKER_COOLDOWN if seconds is None else seconds)
    if cooldown <= 0:
        return
    until = time.time() + cooldown
    _write(_key(provider, model), {"failures": 0, "open_until": until, "reason": reason}, cooldown)
    logger.warning("llm_breaker_open", provider=provider, model=model, reason=reason, seconds=round(cooldown, 1))


def record_outage(provider: str, model: str, reason: str) -> None:
    """Count one outage error; the ``LLM_BREAKER_FAILURES``-th in a row opens the circuit of ``model``."""
    key = _key(provider, model)
    entry = _read(key) or {}
    failures = int(entry.get("failures", 0)) + 1
    if failures >= settings.LLM_BREAKER_FAILURES:
        trip(provider, model, f"{failures} outage errors in a row ({reason})")
        return
    # The count lives as long as a cool-down: failures far apart are not "in a row".
    _write(key, {"failures": failures, "open_until": 0, "reason": reason}, settings.LLM_BREAKER_COOLDOWN)


def record_success(provider: str, model: str) -> None:
    """A working answer closes the model's circuit and the provider's (an auth fix, an outage over)."""
    for scope in (model, WHOLE_PROVIDER):
        if _read(_key(provider, scope)) is not None:
            _delete(_key(provider, scope))


def open_circuits(provider: str, models: list[str]) -> list[OpenCircuit]:
    """The open circuits of ``provider`` and of the given models, for the health view."""
    found = [_open_entry(provider, WHOLE_PROVIDER), *(_open_entry(provider, m) for m in dict.fromkeys(models))]
    return [circuit for circuit in found if circuit is not None]
