"""The client's address behind proxies: X-Forwarded-For only with TRUSTED_PROXY_COUNT, read from the right."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from tests.conftest import TEST_PASSWORD
from uaip.ratelimits import client_ip


def request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_gives_the_address_it_saw():
    assert client_ip(request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_addresses_the_client_wrote_itself_are_not_trusted():
    # nginx's $proxy_add_x_forwarded_for appends the real peer after whatever the client sent.
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_take_the_second_from_the_right():
    assert client_ip(request("10.0.0.3", "6.6.6.6, 198.51.100.8, 10.0.0.2")) == "198.51.100.8"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_garbage_in_the_header_falls_back_to_the_peer():
    assert client_ip(request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(request("10.0.0.2", "")) == "10.0.0.2"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1, RATE_LIMITS={**settings.RATE_LIMITS, "auth_ip": "3/h"})
def test_behind_the_proxy_each_client_has_its_own_login_ceiling(user):
    """Every request comes from the proxy's address; the ceiling must still be per client, not site-wide."""

    def login(client_address: str, password: str) -> int:
        api = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)
        return api.post("/api/v1/auth/login", {"email": user.email, "password": password}, format="json").status_code

    for _ in range(3):
        login("198.51.100.66", "spraying-it")
    assert login("198.51.100.66", TEST_PASSWORD) == 429
    assert login("198.51.100.77", TEST_PASSWORD) == 200
