"""Rate limits, counted by django-ratelimit in the shared cache.

One function, :func:`enforce`, does the counting; the DRF throttles and the decorator for HTML views both call it,
so the API and the pages share the same limits and the same ``Retry-After`` figure.

django-ratelimit counts with ``cache.add`` then ``cache.incr``: three Redis round trips per limit (``SET NX``,
``EXISTS``, ``INCRBY``). With Redis, :func:`usage` keeps its keys, windows and answer but counts through
:meth:`uaip.cache.FailSoftRedisCache.count_in_window`, one pipelined round trip; other caches (development, tests)
go through ``get_usage`` unchanged.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django_ratelimit.core import ALL, EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate, get_usage
from django_ratelimit.exceptions import Ratelimited
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import BaseThrottle

KeyFunc = Callable[[str, Any], str]

# Methods that change data; reads are never counted against the write limits.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RateLimitExceeded(Ratelimited):
    """A limit was hit; ``retry_after`` is the number of seconds until the window frees."""

    def __init__(self, *, retry_after: int, limit_name: str) -> None:
        super().__init__(f"Too many requests ({limit_name}). Try again in {wait_text(retry_after)}.")
        self.retry_after = retry_after
        self.limit_name = limit_name


def wait_text(seconds: int) -> str:
    """A wait as people say it: "40 seconds", "3 minutes", "1 hour" (rounded up, so it is never too short)."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size * (2 if unit == "minute" else 1):
            count = -(-seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def by_ip(group: str, request: Any) -> str:
    """The key of a limit counted per client IP."""
    return f"ip:{client_ip(request)}"


def user_or_ip(group: str, request: Any) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return by_ip(group, request)


def client_ip(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the address the outermost
    of them saw, read from the right of ``X-Forwarded-For``. Entries further left are whatever the client sent, so
    they are never trusted; with no trusted proxy the header is ignored altogether."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    chain = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    if not chain:
        return remote
    candidate = chain[-proxies] if len(chain) >= proxies else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def usage(request: Any, *, limit_name: str, key: KeyFunc, increment: bool = True) -> dict[str, Any] | None:
    """Count this request against ``settings.RATE_LIMITS[limit_name]``; ``None`` when limits are off (or when
    the cache cannot count: limits fail open). The answer is ``get_usage``'s: count, limit, should_limit,
    time_left."""
    group, rate = f"uaip.{limit_name}", settings.RATE_LIMITS[limit_name]
    counter = getattr(caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")], "count_in_window", None)
    if counter is None or not increment or not getattr(settings, "RATELIMIT_ENABLE", True) or rate is None:
        return get_usage(request, group=group, key=key, rate=rate, increment=increment)
    limit, period = _split_rate(rate)
    value = key(group, request)
    window = _get_window(value, period)
    count = counter(_make_cache_key(group, window, rate, value, ALL), period + EXPIRATION_FUDGE)
    if count is None:
        if getattr(settings, "RATELIMIT_FAIL_OPEN", False):
            return None
        return {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": window - int(time.time())}


def enforce(request: Any, *, limit_name: str, key: KeyFunc = user_or_ip) -> None:
    """Count the request and raise :class:`RateLimitExceeded` when over the limit."""
    result = usage(request, limit_name=limit_name, key=key)
    if result is not None and result["should_limit"]:
        raise RateLimitExceeded(retry_after=max(1, int(result["time_left"])), limit_name=limit_name)


def limit_writes(limit_name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for HTML views: count POST/PUT/PATCH/DELETE per user against ``limit_name``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in WRITE_METHODS:
                enforce(request, limit_name=limit_name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class _LimitThrottle(BaseThrottle):
    """DRF throttle backed by django-ratelimit's counters (atomic cache increments)."""

    limit_name = ""
    methods: frozenset[str] | None = None

    def key(self, group: str, request: Any) -> str:
        return user_or_ip(group, request)

    def allow_request(self, request: Any, view: Any) -> bool:
        self._wait = 0
        if self.methods is not None and request.method not in self.methods:
            return True
        result = usage(request, limit_name=self.limit_name, key=self.key)
        if result is None or not result["should_limit"]:
            return True
        self._wait = max(1, int(result["time_left"]))
        return False

    def wait(self) -> float | None:
        return self._wait


class ApiThrottle(_LimitThrottle):
    """The global API allowance per user (or per IP before login)."""

    limit_name = "api"


class SessionWriteThrottle(_LimitThrottle):
    """Creating, renaming and deleting sessions, per user."""

    limit_name = "session_write"
    methods = WRITE_METHODS


class AnswerSubmitThrottle(_LimitThrottle):
    """Answer submissions per user (generous: a whole interview fits in one sitting)."""

    limit_name = "answer_submit"
    methods = WRITE_METHODS


class CharterGenerateThrottle(_LimitThrottle):
    """Charter generations per user (each one costs model tokens)."""

    limit_name = "charter_generate"
    methods = frozenset({"POST"})


def email_at_ip(email: str) -> KeyFunc:
    """The key for one (address, client IP) pair: a limit on it never locks the address out for everyone else."""
    normalized = email.strip().lower()
    return lambda group, request: f"email:{normalized}|ip:{client_ip(request)}"


def count_registration(request: Any, email: str) -> None:
    """Registrations share the per-IP ceiling with logins and have their own per (address, IP) limit."""
    enforce(request, limit_name="auth_ip", key=by_ip)
    enforce(request, limit_name="register_pair", key=email_at_ip(email))


def count_anonymous(request: Any) -> None:
    """Count an API call that carries no valid credentials against the per-IP anonymous allowance."""
    enforce(request, limit_name="api_anonymous", key=by_ip)


class CountedIsAuthenticated(IsAuthenticated):
    """``IsAuthenticated`` that also counts refused anonymous calls per IP: DRF checks permissions before
    throttles, so without this a flood of unauthenticated requests would never reach a limit."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if super().has_permission(request, view):
            return True
        count_anonymous(request)
        return False
