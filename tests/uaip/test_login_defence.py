"""One brute-force defence for every login path: a per-IP ceiling, and (account, IP) locks that nobody can use to
keep the owner out (accounts/backends.py, django-axes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

Login = Callable[[str, str, str], int]


def web_login(email: str, password: str, ip: str) -> int:
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": email, "password": password}).status_code


def api_login(email: str, password: str, ip: str) -> int:
    response = APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/auth/login", {"email": email, "password": password}, format="json"
    )
    return response.status_code


def admin_login(email: str, password: str, ip: str) -> int:
    response = Client(REMOTE_ADDR=ip).post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "next": "/admin/"}
    )
    return response.status_code


# What each path answers for a right password: the web and admin logins redirect, the API gives tokens.
PATHS = {"web": (web_login, 302), "api": (api_login, 200), "admin": (admin_login, 302)}


@pytest.fixture
def staff(make_user):
    return make_user(email="operator@example.com", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("path", PATHS)
def test_wrong_passwords_lock_the_account_from_that_address_only(path, staff):
    login, ok = PATHS[path]
    # The failure that reaches the limit is already answered with the lock.
    statuses = [login(staff.email, "wrong-password-x", "10.1.1.1") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert set(statuses[:-1]) <= {200, 401} and statuses[-1] == 429  # the form again / 401, then locked
    assert login(staff.email, TEST_PASSWORD, "10.1.1.1") == 429
    assert login(staff.email, TEST_PASSWORD, "10.2.2.2") == ok


@pytest.mark.parametrize("path", PATHS)
def test_failures_from_many_addresses_never_lock_the_owner_out(path, staff):
    login, ok = PATHS[path]
    for n in range(30):
        login(staff.email, f"guess-{n}", f"10.9.{n}.1")
    assert login(staff.email, TEST_PASSWORD, "192.0.2.10") == ok


def test_lockout_answer_says_how_long_and_carries_retry_after(user):
    client = APIClient(REMOTE_ADDR="10.3.3.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/login", {"email": user.email, "password": "nope-nope"}, format="json")
    response = client.post("/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    body = response.json()
    assert body["code"] == "throttled"
    assert "failed logins" in body["detail"] and "15 minutes" in body["detail"]


def test_lockout_page_is_readable(user):
    client = Client(REMOTE_ADDR="10.3.3.4")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.email, "password": "nope-nope"})
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert b"15 minutes" in response.content
    assert b"Back to the login page" in response.content  # not "my sessions": nobody is logged in


def test_a_successful_login_resets_the_failures(user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api_login(user.email, "wrong-one", "10.4.4.4")
    assert api_login(user.email, TEST_PASSWORD, "10.4.4.4") == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api_login(user.email, "wrong-two", "10.4.4.4")
    assert api_login(user.email, TEST_PASSWORD, "10.4.4.4") == 200


def test_address_case_does_not_split_the_count(user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_login(user.email.upper() if n % 2 else user.email, "wrong-case", "10.5.5.5")
    assert api_login(user.email, TEST_PASSWORD, "10.5.5.5") == 429


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "auth_ip": "3/h"})
@pytest.mark.parametrize("path", PATHS)
def test_per_ip_ceiling_covers_every_login_path(path, staff, make_user):
    login, ok = PATHS[path]
    for n in range(3):
        login(f"nobody{n}@example.com", "spray-password", "10.6.6.6")
    assert login(staff.email, TEST_PASSWORD, "10.6.6.6") == 429
    assert login(staff.email, TEST_PASSWORD, "10.7.7.7") == ok


def test_admin_login_cannot_be_guessed_endlessly(staff):
    """30 wrong passwords on the admin's login: from the AXES_FAILURE_LIMIT-th on, every one is refused."""
    statuses = [admin_login(staff.email, f"guess-{n}", "10.8.8.8") for n in range(30)]
    assert statuses.count(200) == settings.AXES_FAILURE_LIMIT - 1
    assert set(statuses[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}


def test_browsable_api_login_is_the_site_login(client):
    response = client.get("/api-auth/login/?next=/api/v1/sessions")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/sessions"


def test_registering_with_someone_elses_address_does_not_block_their_login(user):
    for n in range(12):
        APIClient(REMOTE_ADDR=f"10.10.{n}.1").post(
            "/api/v1/auth/register", {"email": user.email, "password": TEST_PASSWORD}, format="json"
        )
    assert api_login(user.email, TEST_PASSWORD, "192.0.2.20") == 200
    assert web_login(user.email, TEST_PASSWORD, "192.0.2.20") == 302


def test_registrations_are_limited_per_address_and_ip(db):
    client = APIClient(REMOTE_ADDR="10.11.0.1")
    limit = int(settings.RATE_LIMITS["register_pair"].split("/")[0])
    statuses = [
        client.post("/api/v1/auth/register", {"email": "taken@example.com", "password": "x"}, format="json").status_code
        for _ in range(limit + 1)
    ]
    assert statuses[:limit] == [400] * limit and statuses[limit] == 429
    other = client.post(
        "/api/v1/auth/register", {"email": "fresh@example.com", "password": TEST_PASSWORD}, format="json"
    )
    assert other.status_code == 201


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "api_anonymous": "3/h"})
def test_unauthenticated_api_calls_are_counted_per_ip(db):
    client = APIClient(REMOTE_ADDR="10.12.0.1")
    assert [client.get("/api/v1/sessions").status_code for _ in range(3)] == [401] * 3
    refused = client.get("/api/v1/sessions")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert APIClient(REMOTE_ADDR="10.12.0.2").get("/api/v1/sessions").status_code == 401


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "auth_ip": "3/h"})
def test_successful_logins_never_use_up_the_ceiling(user):
    """An office behind one address logs in all day; only failures count against the address."""
    assert [api_login(user.email, TEST_PASSWORD, "10.13.0.1") for _ in range(8)] == [200] * 8
    assert [web_login(user.email, TEST_PASSWORD, "10.13.0.1") for _ in range(4)] == [302] * 4
