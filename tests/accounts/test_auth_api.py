"""Register, login, refresh, logout and me through the JWT API."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def register(client: APIClient, email: str = "ada@example.com", password: str = TEST_PASSWORD, name: str = "Ada"):
    return client.post(REGISTER, {"email": email, "password": password, "name": name}, format="json")


def test_register_returns_tokens_and_creates_user(anon_api):
    response = register(anon_api)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user_id", "email", "name", "token", "refresh", "expires_in"}
    assert body["email"] == "ada@example.com" and body["name"] == "Ada"
    assert body["expires_in"] == 15 * 60
    user = User.objects.get(pk=body["user_id"])
    assert user.check_password(TEST_PASSWORD)
    assert AccessToken(body["token"])["user_id"] == str(user.pk)


def test_registered_token_authenticates_me(anon_api):
    token = register(anon_api).json()["token"]
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = anon_api.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"


def test_register_stores_email_lower_case_and_rejects_case_variant(anon_api):
    assert register(anon_api, email="Grace@Example.COM").status_code == 201
    assert User.objects.filter(email="grace@example.com").exists()
    duplicate = register(anon_api, email="grace@example.com")
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()["errors"]


def test_register_duplicate_email_is_field_error(anon_api, user):
    response = register(anon_api, email=user.email)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["email"] == ["An account with this e-mail address already exists."]


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("short", "too short"), ("password123", "too common"), ("98127364519283", "entirely numeric")],
)
def test_register_weak_password_lists_validator_messages(anon_api, password, fragment):
    response = register(anon_api, password=password)
    assert response.status_code == 400
    messages = response.json()["errors"]["password"]
    assert any(fragment in message for message in messages), messages
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "", "two@@example.com"])
def test_register_malformed_email_is_400(anon_api, email):
    response = register(anon_api, email=email)
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_login_returns_tokens(anon_api, user):
    response = anon_api.post(LOGIN, {"email": "OWNER@example.com", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user_id", "token", "refresh", "expires_in"}
    assert body["user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("email", "password"), [("owner@example.com", "wrong-password-123"), ("nobody@example.com", TEST_PASSWORD)]
)
def test_login_bad_credentials_is_401(anon_api, user, email, password):
    response = anon_api.post(LOGIN, {"email": email, "password": password}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_login_inactive_user_is_401(anon_api, make_user):
    make_user(email="gone@example.com", is_active=False)
    response = anon_api.post(LOGIN, {"email": "gone@example.com", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 401


def test_me_without_token_is_401(anon_api):
    response = anon_api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(anon_api, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = anon_api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_tampered_token_is_401(anon_api, user, other_user):
    token = str(AccessToken.for_user(user))
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["user_id"] = str(other_user.pk)
    forged = jwt.encode(claims, "a-different-key-that-is-long-enough-to-sign-with", algorithm="HS256")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert anon_api.get(ME).status_code == 401
    header, payload, signature = token.split(".")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")
    assert anon_api.get(ME).status_code == 401


def test_token_signed_with_the_server_key_works(anon_api, user):
    """Counterpart of the tampering test: the same claims signed with the real key are accepted."""
    claims = jwt.decode(str(AccessToken.for_user(user)), options={"verify_signature": False})
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon_api.get(ME).status_code == 200


def test_refresh_rotates_and_blacklists_the_old_refresh(anon_api, user):
    tokens = anon_api.post(LOGIN, {"email": user.email, "password": TEST_PASSWORD}, format="json").json()
    rotated = anon_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert rotated.status_code == 200
    body = rotated.json()
    assert set(body) == {"token", "refresh", "expires_in"}
    assert body["refresh"] != tokens["refresh"]
    reused = anon_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert reused.status_code == 401
    assert anon_api.post(REFRESH, {"refresh": body["refresh"]}, format="json").status_code == 200


def test_refresh_with_garbage_is_401(anon_api):
    response = anon_api.post(REFRESH, {"refresh": "not-a-token"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_blacklists_refresh(anon_api, user):
    tokens = anon_api.post(LOGIN, {"email": user.email, "password": TEST_PASSWORD}, format="json").json()
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['token']}")
    assert anon_api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert anon_api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


def test_logout_cannot_blacklist_another_users_token(api, anon_api, other_user):
    theirs = anon_api.post(LOGIN, {"email": other_user.email, "password": TEST_PASSWORD}, format="json").json()
    assert api.post(LOGOUT, {"refresh": theirs["refresh"]}, format="json").status_code == 403
    assert anon_api.post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200


def test_logout_requires_authentication(anon_api):
    assert anon_api.post(LOGOUT, {"refresh": "x"}, format="json").status_code == 401
