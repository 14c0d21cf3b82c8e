"""The admin is for staff only and lists users and sessions with search."""

from __future__ import annotations

import pytest

from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user(email="ops@example.com", is_staff=True, is_superuser=True)


def test_non_staff_cannot_use_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_user_admin_searches_by_email(client, staff, make_user):
    make_user(email="findme@example.com")
    make_user(email="hidden@example.com")
    client.force_login(staff)
    html = client.get("/admin/accounts/user/", {"q": "findme"}).content.decode()
    assert "findme@example.com" in html and "hidden@example.com" not in html


def test_session_admin_lists_and_filters(client, staff, user):
    make_session(user, project_name="Admin visible")
    make_session(user, project_name="Finished one", status="completed")
    client.force_login(staff)
    html = client.get("/admin/sessions_app/scopingsession/", {"status__exact": "completed"}).content.decode()
    assert "Finished one" in html and "Admin visible" not in html
    assert "owner@example.com" in html
    assert client.get("/admin/sessions_app/scopingsession/", {"q": "owner@example"}).status_code == 200


def test_admin_can_add_user_with_hashed_password(client, staff):
    from accounts.models import User

    client.force_login(staff)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "NewStaff@Example.com",
            "name": "New",
            "password1": "a-long-test-password-42",
            "password2": "a-long-test-password-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    created = User.objects.get(email="newstaff@example.com")
    assert created.check_password("a-long-test-password-42")
