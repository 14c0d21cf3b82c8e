"""Outages answer 503 or degrade, never 500, and everything comes back by itself: Redis stopped (a private
redis-server started by the test), PostgreSQL connections terminated or the server unreachable."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from tests.conftest import TEST_PASSWORD
from tests.faults import PrivateRedis
from tests.helpers import HTMX
from uaip import cache as fail_soft


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    cache_settings = {
        "BACKEND": "uaip.cache.FailSoftRedisCache",
        "LOCATION": server.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={"default": cache_settings, "django_structlog": cache_settings}):
        yield server
    server.stop()


@pytest.mark.django_db
def test_with_redis_stopped_reads_writes_and_logins_still_work(redis_server, api, user):
    assert api.get("/api/v1/sessions").status_code == 200
    assert caches["default"].ping()
    redis_server.stop()
    before = fail_soft.failures()

    assert api.get("/api/v1/sessions").status_code == 200
    assert api.post("/api/v1/sessions", {"project_name": "Made while Redis is down"}, format="json").status_code == 201
    login = APIClient().post("/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert login.status_code == 200
    assert fail_soft.failures() > before  # counted, and logged as cache_unavailable


@pytest.mark.django_db
def test_with_redis_stopped_pages_still_work(redis_server, web):
    redis_server.stop()
    assert web.get("/sessions/").status_code == 200
    response = web.post("/sessions/new/", {"project_name": "Page while Redis is down"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_health_says_degraded_while_redis_is_down_and_healthy_after(redis_server, client):
    assert client.get("/api/v1/health").json()["cache"] == "ok"
    redis_server.stop()
    response = client.get("/api/v1/health")
    assert response.status_code == 200  # the site works; a load balancer must not take it out
    assert response.json()["status"] == "degraded" and response.json()["cache"] == "down"
    redis_server.start()
    body = client.get("/api/v1/health").json()
    assert body["status"] == "healthy" and body["cache"] == "ok"


@pytest.mark.django_db
def test_limits_count_again_once_redis_is_back(redis_server, api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "session_write": "2/h"}
    redis_server.stop()
    for n in range(4):  # fails open while the counters cannot be kept
        assert api.post("/api/v1/sessions", {"project_name": f"P{n}"}, format="json").status_code == 201
    redis_server.start()
    statuses = [api.post("/api/v1/sessions", {"project_name": f"Q{n}"}, format="json").status_code for n in range(3)]
    assert statuses == [201, 201, 429]


# --- PostgreSQL ---------------------------------------------------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL connections")


class Unreachable:
    """Point the connection at a port where nothing listens, as while the server is down; put it back after."""

    def __enter__(self) -> None:
        self.original = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")

    def __exit__(self, *exc: object) -> None:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.original)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_database_down_answers_503_json_with_retry_after(api):
    with Unreachable():
        response = api.get("/api/v1/sessions")
        created = api.post("/api/v1/sessions", {"project_name": "During the outage"}, format="json")
    for answer in (response, created):
        assert answer.status_code == 503
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["code"] == "service_unavailable"
        assert int(answer["Retry-After"]) >= 1
    assert api.get("/api/v1/sessions").status_code == 200  # back by itself


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_database_down_shows_a_plain_page_not_a_500(web):
    web.raise_request_exception = False  # answer as a server would, rather than re-raise in the test
    with Unreachable():
        page = web.get("/sessions/")
        login_page = web.get("/accounts/login/")
        htmx = web.post("/sessions/new/", {"project_name": "x"}, **HTMX)
    assert page.status_code == 503 and b"Back in a moment" in page.content and b"Traceback" not in page.content
    assert login_page.status_code in (200, 302, 503)  # may not need the database at all
    assert htmx.status_code == 503 and htmx["HX-Retarget"] == "#messages" and b"<html" not in htmx.content
    assert web.get("/sessions/").status_code == 200


# Terminated connections (what a PostgreSQL restart does) are tested against gunicorn in tests/deploy/test_outages.py:
# the test client keeps Django's per-request connection checks switched off.
