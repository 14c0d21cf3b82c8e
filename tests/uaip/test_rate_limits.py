"""Rate limits: 429 with Retry-After on the API and on pages; counted in the shared cache."""

from __future__ import annotations

import socket

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from tests.conftest import TEST_PASSWORD
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def limits(**overrides: str) -> dict[str, str]:
    return {**settings.RATE_LIMITS, **overrides}


def assert_throttled(response) -> None:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert response.json()["code"] == "throttled"


@override_settings(RATE_LIMITS=limits(session_write="3/h"))
def test_session_create_limit_returns_429_with_retry_after(api):
    for n in range(3):
        assert api.post("/api/v1/sessions", {"project_name": f"P{n}"}, format="json").status_code == 201
    assert_throttled(api.post("/api/v1/sessions", {"project_name": "one too many"}, format="json"))


@override_settings(RATE_LIMITS=limits(session_write="1/h"))
def test_reads_do_not_count_against_the_write_limit(api):
    for _ in range(10):
        assert api.get("/api/v1/sessions").status_code == 200
    assert api.post("/api/v1/sessions", {"project_name": "still allowed"}, format="json").status_code == 201


@override_settings(RATE_LIMITS=limits(session_write="2/h"))
def test_write_limit_is_per_user(api, other_api):
    for n in range(2):
        api.post("/api/v1/sessions", {"project_name": f"P{n}"}, format="json")
    assert api.post("/api/v1/sessions", {"project_name": "x"}, format="json").status_code == 429
    assert other_api.post("/api/v1/sessions", {"project_name": "x"}, format="json").status_code == 201


@override_settings(RATE_LIMITS=limits(api="5/h"))
def test_global_api_limit(api):
    for _ in range(5):
        assert api.get("/api/v1/auth/me").status_code == 200
    assert_throttled(api.get("/api/v1/sessions"))


@override_settings(RATE_LIMITS=limits(api="1/h"))
def test_health_is_never_throttled(client):
    for _ in range(5):
        assert client.get("/api/v1/health").status_code == 200


@override_settings(RATE_LIMITS=limits(auth_ip="3/h"))
def test_login_limit_per_ip(anon_api, user):
    for _ in range(3):
        anon_api.post("/api/v1/auth/login", {"email": user.email, "password": "wrong-password-1"}, format="json")
    response = anon_api.post("/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert_throttled(response)


def test_no_limit_counts_an_address_alone(db):
    """A limit on the e-mail address alone would let anyone lock its owner out (tests/uaip/test_login_defence.py)."""
    assert "auth_email" not in settings.RATE_LIMITS


@override_settings(RATE_LIMITS=limits(auth_ip="2/h"))
def test_register_limit_per_ip(anon_api):
    for n in range(2):
        anon_api.post("/api/v1/auth/register", {"email": f"u{n}@example.com", "password": TEST_PASSWORD}, format="json")
    assert_throttled(
        anon_api.post("/api/v1/auth/register", {"email": "u9@example.com", "password": TEST_PASSWORD}, format="json")
    )


@override_settings(RATE_LIMITS=limits(auth_ip="2/h"))
def test_login_page_limit_shows_readable_page(client, user):
    for _ in range(2):
        client.post("/accounts/login/", {"username": user.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"too many login attempts" in response.content.lower()


@override_settings(RATE_LIMITS=limits(session_write="1/h"))
def test_htmx_create_over_limit_shows_message_in_place(web):
    assert web.post("/sessions/new/", {"project_name": "First"}, **HTMX).status_code == 200
    response = web.post("/sessions/new/", {"project_name": "Second"}, **HTMX)
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#messages"
    assert b"wait" in response.content and b"<html" not in response.content


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


REDIS_CACHE = {"BACKEND": "uaip.cache.FailSoftRedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
@override_settings(
    CACHES={"default": REDIS_CACHE, "django_structlog": REDIS_CACHE}, RATE_LIMITS=limits(session_write="2/h")
)
def test_limits_are_shared_through_redis(api):
    """Counters live in Redis, so a second web process (its own connection) sees the same count."""
    caches["default"].clear()
    try:
        for n in range(2):
            assert api.post("/api/v1/sessions", {"project_name": f"P{n}"}, format="json").status_code == 201
        from django.core.cache.backends.redis import RedisCache

        second_process_view = RedisCache(REDIS_CACHE["LOCATION"], {})
        counters = [key for key in second_process_view._cache.get_client().keys("*rl:*")]
        assert counters, "rate-limit counters should be stored in Redis"
        assert api.post("/api/v1/sessions", {"project_name": "over"}, format="json").status_code == 429
    finally:
        caches["default"].clear()


def _command_calls(client, *names: str) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in names}


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
@override_settings(CACHES={"default": REDIS_CACHE, "django_structlog": REDIS_CACHE})
def test_a_limit_costs_one_redis_round_trip_and_keeps_django_ratelimits_keys(rf, user):
    """One pipelined SET NX + INCR(BY) per counted request (cache.add + cache.incr would add an EXISTS), and the
    counter is the one django-ratelimit's own get_usage reads, so uncounted peeks (the login check) agree."""
    from django_ratelimit.core import get_usage

    from uaip.ratelimits import usage, user_or_ip

    cache = caches["default"]
    cache.clear()
    client = cache._cache.get_client(write=True)
    request = rf.get("/api/v1/sessions")
    request.user = user
    try:
        before = _command_calls(client, "set", "exists", "incrby")
        counts = [usage(request, limit_name="api", key=user_or_ip)["count"] for _ in range(3)]
        after = _command_calls(client, "set", "exists", "incrby")
        assert counts == [1, 2, 3]
        assert {name: after[name] - before[name] for name in after} == {"set": 3, "exists": 0, "incrby": 3}
        peek = get_usage(request, group="uaip.api", key=user_or_ip, rate=settings.RATE_LIMITS["api"], increment=False)
        assert peek["count"] == 3
    finally:
        cache.clear()


@override_settings(
    CACHES={
        "default": {**REDIS_CACHE, "LOCATION": "redis://127.0.0.1:1/15", "OPTIONS": {"socket_connect_timeout": 0.2}}
    }
)
def test_a_counter_redis_cannot_give_fails_open(rf, user):
    from uaip.ratelimits import usage, user_or_ip

    request = rf.get("/api/v1/sessions")
    request.user = user
    assert usage(request, limit_name="api", key=user_or_ip) is None
