"""The account page (change password, log out everywhere, export, delete) and the password-reset pages, through
the browser's front door: plain form posts, no JavaScript."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import User
from sessions_app.models import Answer, ScopingSession
from tests.accounts.security_helpers import (
    NEW_PASSWORD,
    api_login,
    browser_login,
    logged_in,
    me_status,
    refresh_status,
    reset_link,
)
from tests.conftest import TEST_PASSWORD
from tests.helpers import find_all, html_of
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db


def test_header_links_to_the_account_page_next_to_log_out(user):
    page = browser_login(user.email).get("/sessions/")
    assert find_all(html_of(page), "a", href="/accounts/")


def test_account_page_offers_the_four_actions_as_plain_forms_and_links(user):
    response = browser_login(user.email).get("/accounts/")
    assert response.status_code == 200
    root = html_of(response)
    assert find_all(root, "form", method="post", action="/accounts/password/")
    assert find_all(root, "form", method="post", action="/accounts/logout-all/")
    assert find_all(root, "a", href="/accounts/export/")
    assert find_all(root, "a", href="/accounts/delete/")
    assert [i for i in find_all(root, "input") if dict(i.attributes).get("name") == "current_password"]


def test_account_page_needs_a_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_change_page_keeps_this_browser_and_logs_out_the_others(user):
    here, elsewhere = browser_login(user.email), browser_login(user.email)
    device = api_login(user.email)
    response = here.post(
        "/accounts/password/",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert logged_in(here) and not logged_in(elsewhere)
    assert refresh_status(device["refresh"]) == 401 and me_status(device["token"]) == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_page_shows_a_wrong_current_password_in_place(user):
    here = browser_login(user.email)
    response = here.post(
        "/accounts/password/",
        {"current_password": "not-it-at-all", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert b"That is not your current password." in response.content
    assert b"Traceback" not in response.content
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_page_refuses_two_different_new_passwords(user):
    response = browser_login(user.email).post(
        "/accounts/password/",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": "something-else-1"},
    )
    assert response.status_code == 400 and b"The two passwords differ." in response.content


def test_logout_everywhere_button_logs_out_other_browsers_and_api_tokens_but_not_this_one(user):
    here, elsewhere = browser_login(user.email), browser_login(user.email)
    device = api_login(user.email)
    response = here.post("/accounts/logout-all/")
    assert response.status_code == 302
    assert logged_in(here) and not logged_in(elsewhere)
    assert me_status(device["token"]) == 401 and refresh_status(device["refresh"]) == 401


def test_logout_everywhere_is_post_only(user):
    assert browser_login(user.email).get("/accounts/logout-all/").status_code == 405


# --- Password reset pages ---------------------------------------------------------------------------------------


def test_login_page_links_to_forgot_your_password(client):
    root = html_of(client.get("/accounts/login/"))
    links = find_all(root, "a", href="/accounts/password-reset/")
    assert links and "Forgot your password?" in str(links[0])


def test_password_reset_pages_from_the_e_mail_to_a_new_password(client, user, mailoutbox):
    elsewhere = browser_login(user.email)
    response = client.post("/accounts/password-reset/", {"email": user.email})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    assert "Reset your UAIP password" in mailoutbox[0].subject
    link = reset_link(mailoutbox[0].body)

    form_page = client.get(link[1])
    assert form_page.status_code == 200 and b"Choose a new password" in form_page.content
    done = client.post(link[1], {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"

    assert not logged_in(elsewhere)
    assert logged_in(browser_login(user.email, NEW_PASSWORD))
    reused = client.get(link[1])
    assert reused.status_code == 400 and b"This link does not work" in reused.content


def test_password_reset_page_answers_the_same_for_an_unknown_address_and_sends_nothing(client, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_password_reset_page_with_a_broken_link_says_so(client, user):
    response = client.get("/accounts/reset/MTIz/not-a-token/")
    assert response.status_code == 400 and b"Ask for a new one" in response.content
    posted = client.post("/accounts/reset/MTIz/not-a-token/", {"new_password": NEW_PASSWORD})
    assert posted.status_code == 400
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# --- Export and delete pages ------------------------------------------------------------------------------------


def test_export_download_holds_my_answers_and_not_another_users(user, other_user):
    mine = make_session(user, project_name="My churn project")
    Answer.objects.create(session=mine, stage=1, question_id="S1Q5", value={"value": "partly"})
    theirs = make_session(other_user, project_name="Their secret project")
    Answer.objects.create(session=theirs, stage=1, question_id="S1Q5", value={"value": "their-secret-answer"})
    response = browser_login(user.email).get("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="uaip-export-')
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert [s["project_name"] for s in data["sessions"]] == ["My churn project"]
    assert data["sessions"][0]["answers"][0]["value"] == {"value": "partly"}
    assert b"their-secret-answer" not in response.content and b"Their secret project" not in response.content


def test_delete_page_with_a_wrong_password_keeps_the_account(user):
    browser = browser_login(user.email)
    make_session(user)
    response = browser.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 400 and b"That is not your current password." in response.content
    assert User.objects.filter(pk=user.pk).exists() and ScopingSession.objects.filter(owner=user).exists()


def test_delete_page_deletes_the_account_and_only_its_sessions(user, other_user):
    browser = browser_login(user.email)
    assert browser.get("/accounts/delete/").status_code == 200
    make_session(user)
    kept = make_session(other_user, project_name="Not mine")
    response = browser.post("/accounts/delete/", {"password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(ScopingSession.objects.all()) == [kept]
    assert not logged_in(browser)
    assert Client().post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD}).status_code == 200
