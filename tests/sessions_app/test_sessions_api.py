"""Scoping-session CRUD through the API: happy path, validation, isolation, pagination."""

from __future__ import annotations

import uuid

import pytest

from sessions_app.models import ScopingSession
from sessions_app.team.services import owners_join
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db

LIST = "/api/v1/sessions"


def detail(session_id) -> str:
    return f"/api/v1/sessions/{session_id}"


def test_full_crud_flow(api, user):
    created = api.post(LIST, {"project_name": "  Churn prediction  ", "description": "Retail churn"}, format="json")
    assert created.status_code == 201
    body = created.json()
    session_id = body["session_id"]
    assert body["project_name"] == "Churn prediction"
    assert body["status"] == "in_progress" and body["current_stage"] == 1 and body["progress_percent"] == 0
    assert body["user_id"] == str(user.pk)

    fetched = api.get(detail(session_id))
    assert fetched.status_code == 200 and fetched.json()["description"] == "Retail churn"

    patched = api.patch(detail(session_id), {"project_name": "Churn v2"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["project_name"] == "Churn v2"
    assert patched.json()["description"] == "Retail churn"

    listed = api.get(LIST).json()
    assert listed["count"] == 1 and listed["results"][0]["session_id"] == session_id

    assert api.delete(detail(session_id)).status_code == 204
    assert api.get(detail(session_id)).status_code == 404
    assert not ScopingSession.objects.exists()


def test_owner_comes_from_token_not_body(api, user, other_user):
    response = api.post(
        LIST, {"project_name": "Mine", "user_id": str(other_user.pk), "owner": str(other_user.pk)}, format="json"
    )
    assert response.status_code == 201
    assert ScopingSession.objects.get().owner == user


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "project_name"),
        ({"project_name": ""}, "project_name"),
        ({"project_name": "    "}, "project_name"),
        ({"project_name": "x" * 201}, "project_name"),
        ({"project_name": "ok", "description": "y" * 5001}, "description"),
        ({"project_name": None}, "project_name"),
    ],
)
def test_create_rejects_bad_input(api, payload, field):
    response = api.post(LIST, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert not ScopingSession.objects.exists()


def test_create_accepts_limits(api):
    response = api.post(LIST, {"project_name": "x" * 200, "description": "y" * 5000}, format="json")
    assert response.status_code == 201


def test_patch_rejects_blank_name(api, user):
    session = make_session(user, project_name="Keep me")
    response = api.patch(detail(session.id), {"project_name": " "}, format="json")
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.project_name == "Keep me"


def test_malformed_json_is_400_json(api):
    response = api.post(LIST, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("session_id", ["not-a-uuid", "12345", str(uuid.uuid4())])
def test_unknown_or_malformed_id_is_404(api, session_id):
    for method in ("get", "patch", "delete"):
        response = getattr(api, method)(detail(session_id), {"project_name": "x"}, format="json")
        assert response.status_code == 404, method
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_cannot_get_other_users_session(other_api, user):
    session = make_session(user)
    assert other_api.get(detail(session.id)).status_code == 404


def test_cannot_patch_other_users_session(other_api, user):
    session = make_session(user, project_name="Original")
    assert other_api.patch(detail(session.id), {"project_name": "Hijacked"}, format="json").status_code == 404
    session.refresh_from_db()
    assert session.project_name == "Original"


def test_cannot_delete_other_users_session(other_api, user):
    session = make_session(user)
    assert other_api.delete(detail(session.id)).status_code == 404
    assert ScopingSession.objects.filter(pk=session.pk).exists()


def test_cannot_list_other_users_sessions(api, other_api, user, other_user):
    make_session(user, project_name="Mine")
    make_session(other_user, project_name="Theirs")
    names = [row["project_name"] for row in api.get(LIST).json()["results"]]
    assert names == ["Mine"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_list_requires_authentication(anon_api, method):
    response = getattr(anon_api, method)(LIST, {"project_name": "x"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_detail_requires_authentication(anon_api, user, method):
    session = make_session(user)
    assert getattr(anon_api, method)(detail(session.id)).status_code == 401


def test_pagination_across_pages_newest_first(api, user):
    ids = [str(make_session(user, project_name=f"Project {n:02d}").id) for n in range(35)]
    first = api.get(LIST).json()
    assert first["count"] == 35 and len(first["results"]) == 20 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 15 and second["next"] is None
    seen = [row["session_id"] for row in first["results"] + second["results"]]
    assert seen == list(reversed(ids))


def test_page_size_is_capped_at_100(api, user):
    owners_join(
        ScopingSession.objects.bulk_create([ScopingSession(owner=user, project_name=f"P{n}") for n in range(120)])
    )
    body = api.get(LIST, {"page_size": 500}).json()
    assert len(body["results"]) == 100 and body["count"] == 120


def test_page_out_of_range_is_404(api, user):
    make_session(user)
    assert api.get(LIST, {"page": 9}).status_code == 404


def test_status_filter(api, user):
    make_session(user, project_name="Open")
    make_session(user, project_name="Done", status="completed")
    body = api.get(LIST, {"status": "completed"}).json()
    assert [row["project_name"] for row in body["results"]] == ["Done"]
    assert api.get(LIST, {"status": "bogus"}).status_code == 400


def test_session_login_works_for_browsable_api(client, user):
    client.force_login(user)
    make_session(user, project_name="Via cookie")
    response = client.get(LIST, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Via cookie" in response.content
