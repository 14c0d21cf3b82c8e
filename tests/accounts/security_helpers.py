"""Helpers for the account-security tests: real logins through the API and the login page, reset links."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import TEST_PASSWORD

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"
LOGOUT_ALL = "/api/v1/auth/logout-all"
PASSWORD = "/api/v1/auth/password"
RESET = "/api/v1/auth/password-reset"
RESET_CONFIRM = "/api/v1/auth/password-reset/confirm"
ACCOUNT = "/api/v1/me"
EXPORT = "/api/v1/me/export"
NEW_PASSWORD = "a-brand-new-passphrase-77"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/)")


def api_login(email: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    """Tokens from the real login endpoint (a new "device" each call)."""
    response = APIClient().post(LOGIN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def refresh_status(refresh: str) -> int:
    return APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code


def me_status(token: str) -> int:
    return bearer(token).get(ME).status_code


def browser_login(email: str, password: str = TEST_PASSWORD) -> Client:
    """A separate browser logged in through the login form."""
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content
    return client


def logged_in(client: Client) -> bool:
    """Whether this browser is still logged in (the dashboard redirects to the login page otherwise)."""
    return client.get("/sessions/").status_code == 200


def reset_link(message_body: str) -> re.Match[str]:
    match = RESET_LINK.search(message_body)
    assert match, message_body
    return match
