"""The shared cache, soft on failure: Redis being down must not take the site down with it.

The cache holds rate-limit counters, cached health results and the LLM circuit breaker: all of it can be lost.
:class:`FailSoftRedisCache` is Django's Redis backend whose every operation, when Redis cannot be reached, logs a
warning (at most once per ``WARN_EVERY`` seconds per process), counts the failure (:func:`failures`, reported by
``GET /api/v1/health``) and answers like an empty cache: reads miss, writes are dropped, ``incr`` raises the
``ValueError`` of a missing key. Rate limits then fail open (``RATELIMIT_FAIL_OPEN``) and the health check reports
``cache: down`` with the overall status ``degraded``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = structlog.get_logger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY = 30.0  # seconds between two warnings of one process

_lock = threading.Lock()
_failures = 0
_last_warning = 0.0


def failures() -> int:
    """How many cache operations this process could not carry out since it started."""
    return _failures


def _record(operation: str, exc: BaseException) -> None:
    global _failures, _last_warning
    with _lock:
        _failures += 1
        count = _failures
        warn = time.monotonic() - _last_warning >= WARN_EVERY
        if warn:
            _last_warning = time.monotonic()
    if warn:
        logger.warning("cache_unavailable", operation=operation, error=type(exc).__name__, failures=count)


def _soft[T](operation: str, action: Callable[[], T], fallback: Callable[[], T]) -> T:
    try:
        return action()
    except UNREACHABLE as exc:
        _record(operation, exc)
        return fallback()


class FailSoftRedisCache(RedisCache):
    """Django's ``RedisCache``; an unreachable Redis reads as an empty cache instead of raising."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return _soft("add", lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version), lambda: False)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _soft("get", lambda: super(FailSoftRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        _soft("set", lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version), lambda: None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return _soft("touch", lambda: super(FailSoftRedisCache, self).touch(key, timeout, version), lambda: False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _soft("delete", lambda: super(FailSoftRedisCache, self).delete(key, version), lambda: False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _soft("get_many", lambda: super(FailSoftRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return _soft("has_key", lambda: super(FailSoftRedisCache, self).has_key(key, version), lambda: False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key {key!r} not found (the cache is unreachable).")

        return _soft("incr", lambda: super(FailSoftRedisCache, self).incr(key, delta, version), missing)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return _soft(
            "set_many", lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version), lambda: list(data)
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        _soft("delete_many", lambda: super(FailSoftRedisCache, self).delete_many(keys, version), lambda: None)

    def clear(self) -> None:
        _soft("clear", lambda: super(FailSoftRedisCache, self).clear(), lambda: None)

    def count_in_window(self, key: Any, timeout: int) -> int | None:
        """Count one more hit on a rate-limit counter in one round trip: ``SET key 0 EX timeout NX`` and ``INCR
        key`` pipelined. The count after this hit, or ``None`` when Redis cannot be reached."""

        def count() -> int:
            name = self.make_and_validate_key(key)
            pipe = self._cache.get_client(name, write=True).pipeline(transaction=False)
            pipe.set(name, 0, ex=timeout, nx=True)
            pipe.incr(name)
            return int(pipe.execute()[1])

        return _soft("count_in_window", count, lambda: None)

    def ping(self) -> bool:
        """A real round trip to Redis (never soft): ``True`` when it answered."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except UNREACHABLE:
            return False


def cache_status() -> str:
    """``ok``, ``down`` (Redis does not answer) or ``local`` (a per-process cache: development and tests)."""
    cache = caches["default"]
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "local"
    return "ok" if ping() else "down"
