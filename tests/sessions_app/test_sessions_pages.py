"""Dashboard and session pages, full-page and HTMX."""

from __future__ import annotations

import pytest

from sessions_app.models import ScopingSession
from sessions_app.team.services import owners_join
from tests.helpers import HTMX
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db


def test_dashboard_requires_login(client):
    response = client.get("/sessions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("suffix", ["", "rename/", "delete/"])
def test_session_pages_require_login(client, user, suffix):
    session = make_session(user)
    response = client.get(f"/sessions/{session.id}/{suffix}")
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


def test_empty_state_for_new_user(web):
    response = web.get("/sessions/")
    assert b"No sessions yet" in response.content


def test_dashboard_lists_only_own_sessions_newest_first(web, user, other_user):
    make_session(user, project_name="Older")
    make_session(user, project_name="Newer")
    make_session(other_user, project_name="Someone else's")
    html = web.get("/sessions/").content.decode()
    assert html.index("Newer") < html.index("Older")
    assert "Someone else" not in html
    assert '<div id="empty-state" class="empty" hidden>' in html  # the empty state is there for htmx, hidden


def test_dashboard_paginates(web, user):
    owners_join(
        ScopingSession.objects.bulk_create([ScopingSession(owner=user, project_name=f"Project {n}") for n in range(25)])
    )
    first = web.get("/sessions/")
    assert len(first.context["page"].object_list) == 20
    assert b"Page 1 of 2" in first.content
    assert len(web.get("/sessions/?page=2").context["page"].object_list) == 5


def test_htmx_create_returns_row_and_fresh_form(web, user):
    response = web.post("/sessions/new/", {"project_name": "Fraud alerts", "description": "Card fraud"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    session = ScopingSession.objects.get(owner=user)
    assert f'id="session-{session.id}"' in html
    assert 'hx-swap-oob="true"' in html and 'id="new-session-form"' in html
    assert "<html" not in html


def test_htmx_create_with_blank_name_shows_error_in_form(web):
    response = web.post("/sessions/new/", {"project_name": "   "}, **HTMX)
    assert response["HX-Retarget"] == "#new-session-form"
    assert b"This field is required" in response.content
    assert not ScopingSession.objects.exists()


def test_plain_post_create_redirects_to_dashboard(web):
    response = web.post("/sessions/new/", {"project_name": "No JS"}, follow=True)
    assert response.redirect_chain[-1][0] == "/sessions/"
    assert b"No JS" in response.content


def test_detail_page_shows_session(web, user):
    session = make_session(user, project_name="Churn", description="Who leaves and why")
    html = web.get(f"/sessions/{session.id}/").content.decode()
    assert "Churn" in html and "Who leaves and why" in html and "Business Translation" in html


def test_htmx_rename(web, user):
    session = make_session(user, project_name="Old name")
    response = web.post(f"/sessions/{session.id}/rename/", {"project_name": "New name"}, **HTMX)
    assert response.status_code == 200 and b"New name" in response.content
    html = response.content.decode()
    assert 'id="breadcrumbs" hx-swap-oob="true"' in html and "<title>New name" in html  # crumbs and tab follow
    session.refresh_from_db()
    assert session.project_name == "New name"


def test_rename_rejects_blank(web, user):
    session = make_session(user, project_name="Keep")
    response = web.post(f"/sessions/{session.id}/rename/", {"project_name": " "}, **HTMX)
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.project_name == "Keep"


def test_delete_needs_confirmation_then_deletes(web, user):
    session = make_session(user, project_name="Doomed")
    confirm = web.get(f"/sessions/{session.id}/delete/")
    assert b"cannot be undone" in confirm.content
    assert ScopingSession.objects.filter(pk=session.pk).exists()
    response = web.post(f"/sessions/{session.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/sessions/"
    assert not ScopingSession.objects.filter(pk=session.pk).exists()


def test_htmx_delete_from_dashboard_removes_row(web, user):
    first, last = make_session(user), make_session(user)
    response = web.post(f"/sessions/{first.id}/delete/", {"from": "dashboard"}, **HTMX)
    assert response.status_code == 200 and b'hx-swap-oob="true" hidden' in response.content  # still sessions
    response = web.post(f"/sessions/{last.id}/delete/", {"from": "dashboard"}, **HTMX)
    html = response.content.decode()
    assert 'hx-swap-oob="true">' in html and "No sessions yet" in html  # the last one: the empty state returns
    assert not ScopingSession.objects.exists()


def test_cannot_view_other_users_session_page(client, other_user, user):
    session = make_session(user)
    client.force_login(other_user)
    response = client.get(f"/sessions/{session.id}/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_cannot_rename_other_users_session_page(client, other_user, user):
    session = make_session(user, project_name="Mine")
    client.force_login(other_user)
    assert client.post(f"/sessions/{session.id}/rename/", {"project_name": "Theirs"}).status_code == 404
    session.refresh_from_db()
    assert session.project_name == "Mine"


def test_cannot_delete_other_users_session_page(client, other_user, user):
    session = make_session(user)
    client.force_login(other_user)
    assert client.get(f"/sessions/{session.id}/delete/").status_code == 404
    assert client.post(f"/sessions/{session.id}/delete/").status_code == 404
    assert ScopingSession.objects.filter(pk=session.pk).exists()


def test_malformed_session_url_is_404(web):
    assert web.get("/sessions/not-a-uuid/").status_code == 404
