"""Register, login and logout pages."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_register_page_creates_account_and_logs_in(client):
    response = client.post(
        "/accounts/register/",
        {
            "email": "Ada@Example.com",
            "name": "Ada",
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/sessions/"
    assert User.objects.get().email == "ada@example.com"
    assert response.context["user"].is_authenticated
    assert b"No sessions yet" in response.content


def test_register_page_shows_field_errors(client, user):
    response = client.post(
        "/accounts/register/",
        {
            "email": user.email,
            "password": "short",
            "password_confirm": "different",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password_confirm" in errors
    response = client.post(
        "/accounts/register/",
        {
            "email": user.email,
            "password": TEST_PASSWORD,
            "password_confirm": TEST_PASSWORD,
        },
    )
    assert "already exists" in str(response.context["form"].errors["email"])
    response = client.post(
        "/accounts/register/",
        {
            "email": "new@example.com",
            "password": "password123",
            "password_confirm": "password123",
        },
    )
    assert "too common" in str(response.context["form"].errors["password"])
    assert User.objects.count() == 1


def test_register_requires_csrf_token(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/register/", {"email": "x@example.com", "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.com").exists()


def test_login_lands_on_dashboard(client, user):
    response = client.post("/accounts/login/", {"username": "OWNER@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/sessions/"


def test_login_wrong_password_shows_error(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert b"Wrong e-mail address or password" in response.content
    assert not response.context["user"].is_authenticated


def test_logout_ends_the_session(client, user):
    client.force_login(user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/sessions/").status_code == 302


def test_logged_in_user_visiting_login_goes_to_dashboard(client, user):
    client.force_login(user)
    assert client.get("/accounts/login/")["Location"] == "/sessions/"
    assert client.get("/accounts/register/")["Location"] == "/sessions/"


def test_ensure_demo_user_creates_one_only_on_empty_database(db, capsys):
    from django.core.management import call_command

    call_command("ensure_demo_user")
    out = capsys.readouterr().out
    assert "demo@uaip.local" in out
    password = out.split("password:")[1].split()[0]
    assert User.objects.get().check_password(password)
    call_command("ensure_demo_user")
    assert User.objects.count() == 1


def test_createsuperuser_needs_only_an_email_and_a_password(db, monkeypatch):
    """`createsuperuser --noinput` as the README gives it, with no --name."""
    from django.core.management import call_command

    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-operator-password-81")
    call_command("createsuperuser", "--noinput", "--email", "ops@harbourfreight.example", verbosity=0)
    admin = User.objects.get(email="ops@harbourfreight.example")
    assert admin.is_superuser and admin.is_staff and admin.check_password("an-operator-password-81")
