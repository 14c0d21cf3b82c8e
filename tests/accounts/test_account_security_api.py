"""Password change, password reset and "log out everywhere": the services and the API. Each one revokes every
refresh token, every access token issued before and every other web session of the account."""

from __future__ import annotations

import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import services
from accounts.models import User
from tests.accounts.security_helpers import (
    LOGOUT_ALL,
    ME,
    NEW_PASSWORD,
    PASSWORD,
    RESET,
    RESET_CONFIRM,
    api_login,
    bearer,
    browser_login,
    logged_in,
    me_status,
    refresh_status,
    reset_link,
)
from tests.conftest import TEST_PASSWORD, bearer_client

pytestmark = pytest.mark.django_db


# --- Services ---------------------------------------------------------------------------------------------------


def test_password_change_service_refuses_a_wrong_current_password(user):
    with pytest.raises(ValidationError) as caught:
        services.password_change(user=user, current_password="not-my-password", new_password=NEW_PASSWORD)
    assert caught.value.message_dict == {"current_password": [services.WRONG_PASSWORD]}
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_service_lists_every_validator_message(user):
    with pytest.raises(ValidationError) as caught:
        services.password_change(user=user, current_password=TEST_PASSWORD, new_password="12345")
    messages = caught.value.message_dict["new_password"]
    assert any("too short" in m for m in messages) and any("numeric" in m for m in messages)


def test_password_change_service_raises_the_epoch_and_blacklists_every_refresh_token(user):
    api_login(user.email), api_login(user.email)
    services.password_change(user=user, current_password=TEST_PASSWORD, new_password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.session_epoch == 1 and user.check_password(NEW_PASSWORD)
    tokens = OutstandingToken.objects.filter(user=user)
    assert tokens.count() == 2 and not tokens.filter(blacklistedtoken__isnull=True).exists()


def test_logout_everywhere_service_changes_the_session_hash(user):
    before = user.get_session_auth_hash()
    services.user_logout_everywhere(user=user)
    assert user.get_session_auth_hash() != before
    assert User.objects.get(pk=user.pk).get_session_auth_hash() == user.get_session_auth_hash()


def test_password_reset_request_service_sends_nothing_for_an_unknown_address(db, mailoutbox):
    assert services.password_reset_request(email="nobody@example.com", base_url="http://testserver/") is False
    assert mailoutbox == []


def test_password_reset_user_refuses_a_tampered_token(user, mailoutbox):
    services.password_reset_request(email=user.email, base_url="http://testserver")
    link = reset_link(mailoutbox[0].body)
    assert services.password_reset_user(uidb64=link["uid"], token=link["token"]) == user
    assert services.password_reset_user(uidb64=link["uid"], token=link["token"][:-1] + "x") is None
    assert services.password_reset_user(uidb64="not-base64!", token=link["token"]) is None


# --- Password change through the API ----------------------------------------------------------------------------


def test_password_change_api_answers_new_tokens_and_revokes_the_old_ones(user):
    device = api_login(user.email)
    other_device = api_login(user.email)
    response = bearer(device["token"]).post(
        PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    fresh = response.json()
    assert set(fresh) == {"token", "refresh", "expires_in"}
    assert me_status(fresh["token"]) == 200 and refresh_status(fresh["refresh"]) == 200
    for old in (device, other_device):
        assert refresh_status(old["refresh"]) == 401
        assert me_status(old["token"]) == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_api_logs_out_other_browsers(user):
    browser = browser_login(user.email)
    device = api_login(user.email)
    bearer(device["token"]).post(
        PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert not logged_in(browser)


def test_password_change_api_refuses_a_wrong_current_password(user):
    device = api_login(user.email)
    response = bearer(device["token"]).post(
        PASSWORD, {"current_password": "wrong-wrong-wrong", "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": services.WRONG_PASSWORD, "code": "wrong_password"}
    assert me_status(device["token"]) == 200  # nothing was revoked


def test_password_change_api_weak_password_lists_the_validator_messages(user):
    device = api_login(user.email)
    response = bearer(device["token"]).post(
        PASSWORD, {"current_password": TEST_PASSWORD, "new_password": "password123"}, format="json"
    )
    assert response.status_code == 400
    assert any("too common" in m for m in response.json()["errors"]["new_password"])


def test_password_change_api_needs_a_token(anon_api):
    response = anon_api.post(PASSWORD, {"current_password": "x", "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


# --- Password reset through the API -----------------------------------------------------------------------------


def test_password_reset_api_for_an_unknown_address_is_202_and_sends_nothing(anon_api, mailoutbox, user):
    response = anon_api.post(RESET, {"email": "nobody@example.com"}, format="json")
    assert response.status_code == 202
    known = anon_api.post(RESET, {"email": user.email}, format="json")
    assert known.status_code == 202 and known.json() == response.json()  # the same answer either way
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_password_reset_api_link_sets_the_password_once_and_revokes_everything(anon_api, mailoutbox, user):
    device = api_login(user.email)
    browser = browser_login(user.email)
    assert anon_api.post(RESET, {"email": "OWNER@example.com"}, format="json").status_code == 202
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    link = reset_link(mailoutbox[0].body)

    body = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}
    assert anon_api.post(RESET_CONFIRM, body, format="json").status_code == 204

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert refresh_status(device["refresh"]) == 401 and me_status(device["token"]) == 401
    assert not logged_in(browser)
    assert api_login(user.email, NEW_PASSWORD)["token"]
    again = anon_api.post(RESET_CONFIRM, {**body, "new_password": "yet-another-passphrase-9"}, format="json")
    assert again.status_code == 400 and again.json()["errors"] == {"token": [services.RESET_LINK_INVALID]}


def test_password_reset_confirm_api_refuses_a_made_up_token(anon_api, user):
    body = {"uid": "MTIz", "token": "abc-123", "new_password": NEW_PASSWORD}
    response = anon_api.post(RESET_CONFIRM, body, format="json")
    assert response.status_code == 400 and "token" in response.json()["errors"]


def test_password_reset_confirm_api_keeps_the_link_when_the_new_password_is_weak(anon_api, mailoutbox, user):
    anon_api.post(RESET, {"email": user.email}, format="json")
    link = reset_link(mailoutbox[0].body)
    weak = anon_api.post(
        RESET_CONFIRM, {"uid": link["uid"], "token": link["token"], "new_password": "short"}, format="json"
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    strong = {"uid": link["uid"], "token": link["token"], "new_password": NEW_PASSWORD}
    assert anon_api.post(RESET_CONFIRM, strong, format="json").status_code == 204


# --- Log out everywhere -----------------------------------------------------------------------------------------


def test_logout_all_api_revokes_every_token_of_every_device(user):
    phone, laptop = api_login(user.email), api_login(user.email)
    assert bearer(phone["token"]).post(LOGOUT_ALL).status_code == 204
    for device in (phone, laptop):
        assert me_status(device["token"]) == 401
        assert refresh_status(device["refresh"]) == 401
    assert me_status(api_login(user.email)["token"]) == 200  # logging in again works


def test_logout_all_api_refuses_access_tokens_issued_before_it_even_without_an_epoch_claim(user):
    legacy = bearer_client(user)  # a token as minted before the epoch claim existed
    assert legacy.get(ME).status_code == 200
    assert bearer(api_login(user.email)["token"]).post(LOGOUT_ALL).status_code == 204
    response = legacy.get(ME)
    assert response.status_code == 401 and response.json()["code"] == "token_not_valid"


def test_logout_all_api_ends_other_web_sessions(user):
    browser = browser_login(user.email)
    assert logged_in(browser)
    bearer(api_login(user.email)["token"]).post(LOGOUT_ALL)
    assert not logged_in(browser)


def test_logout_all_api_through_the_browsable_api_keeps_that_browser_logged_in(user):
    browser, other = browser_login(user.email), browser_login(user.email)
    response = browser.post(LOGOUT_ALL)  # the session cookie authenticates (the test client skips CSRF)
    assert response.status_code == 204
    assert logged_in(browser) and not logged_in(other)


def test_logout_all_api_needs_a_token():
    assert APIClient().post(LOGOUT_ALL).status_code == 401


def test_logout_all_of_one_user_leaves_other_users_logged_in(user, other_user):
    theirs = api_login(other_user.email)
    bearer(api_login(user.email)["token"]).post(LOGOUT_ALL)
    assert me_status(theirs["token"]) == 200 and refresh_status(theirs["refresh"]) == 200


class BrokenMailServer(BaseEmailBackend):
    """A mail backend whose server hangs up, as an unreachable SMTP server does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_password_reset_api_answers_the_same_when_the_mail_server_fails(anon_api, user, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenMailServer"}}
    response = anon_api.post(RESET, {"email": user.email}, format="json")
    assert response.status_code == 202
    assert response.json() == anon_api.post(RESET, {"email": "nobody@example.com"}, format="json").json()
