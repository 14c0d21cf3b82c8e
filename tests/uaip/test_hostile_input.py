"""Hostile input is refused with a 4xx and a JSON body that says why, never a 5xx."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def post_raw(api: APIClient, path: str, body: bytes | str, content_type: str = "application/json"):
    return api.generic("POST", path, body, content_type=content_type)


def test_an_oversized_body_is_413_json(api):
    body = json.dumps({"project_name": "x", "description": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = post_raw(api, "/api/v1/sessions", body)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("megabytes", [3, 10])
def test_bodies_of_several_megabytes_never_500(api, megabytes):
    response = post_raw(api, "/api/v1/sessions", b"[" * (megabytes * 1024 * 1024))
    assert response.status_code in (400, 413)
    assert response.json()["code"] in ("too_large", "parse_error")


def test_an_oversized_form_post_to_a_page_is_refused_not_500(web):
    web.raise_request_exception = False
    response = web.post("/sessions/new/", {"project_name": "x", "description": "y" * (3 * 1024 * 1024)})
    assert 400 <= response.status_code < 500


def test_deeply_nested_json_is_400(api):
    depth = 100_000
    response = post_raw(api, "/api/v1/sessions", "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_moderately_nested_json_is_refused_before_the_view(api):
    body = {"project_name": "x", "description": "d"}
    node: dict[str, object] = body
    for _ in range(40):
        node["deeper"] = {}
        node = node["deeper"]  # type: ignore[assignment]
    response = api.post("/api/v1/sessions", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_a_lone_surrogate_is_400_naming_the_field(api):
    body = '{"project_name": "Triage \\ud800 model"}'  # valid JSON, text PostgreSQL cannot store
    response = post_raw(api, "/api/v1/sessions", body)
    assert response.status_code == 400
    assert "project_name" in response.json()["errors"]
    assert "cannot be stored" in response.json()["detail"]


def test_a_lone_surrogate_in_an_answer_is_400(api):
    session_id = api.post("/api/v1/sessions", {"project_name": "Surrogates"}, format="json").json()["session_id"]
    body = '{"question_id": "S1Q1", "answer": "We want \\udfff fewer missed fractures"}'
    response = post_raw(api, f"/api/v1/sessions/{session_id}/stages/1/answers", body)
    assert response.status_code == 400
    assert "answer" in response.json()["errors"]


def test_a_nul_character_is_400(api):
    response = post_raw(api, "/api/v1/sessions", '{"project_name": "a\\u0000b"}')
    assert response.status_code == 400
    assert "project_name" in response.json()["errors"]


def test_a_nul_in_a_page_form_is_refused_with_a_message(web):
    response = web.post("/sessions/new/", {"project_name": "a\x00b"})
    assert response.status_code in (200, 400)  # the form again, with the field's error
    assert b"Null characters are not allowed" in response.content


def test_ordinary_unicode_still_goes_through(api):
    response = api.post("/api/v1/sessions", {"project_name": "Tri­age 🚑 für Ärzte — 救急"}, format="json")
    assert response.status_code == 201


def test_refresh_for_a_deleted_user_is_401(db):
    user = User.objects.create_user(email="gone@example.com", password=TEST_PASSWORD)
    tokens = APIClient().post("/api/v1/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    refresh = tokens.json()["refresh"]
    user.delete()
    response = APIClient().post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
