"""Health endpoint, JSON errors under /api/, HTML error pages elsewhere, request ids."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import path

from uaip import urls as project_urls


def test_health_reports_database_ok(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy" and body["database"] == "ok" and body["version"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database cannot be cut off")
def test_health_is_503_when_database_is_unreachable(client):
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
    try:
        response = client.get("/api/v1/health")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["database"] == "unreachable"


def test_every_response_carries_a_request_id(client, db):
    first = client.get("/api/v1/health")["X-Request-ID"]
    second = client.get("/api/v1/health")["X-Request-ID"]
    assert first and second and first != second


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_web_path_is_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_wrong_method_on_api_is_json_405(api):
    response = api.put("/api/v1/sessions", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [
    *project_urls.urlpatterns,
    path("api/v1/explode", _explode),
    path("explode/", _explode),
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_unhandled_error_under_api_is_json_500_without_traceback(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/v1/explode")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert b"Traceback" not in response.content and b"boom" not in response.content


@override_settings(ROOT_URLCONF=__name__)
def test_unhandled_error_on_page_is_plain_500_page(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/explode/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content and b"boom" not in response.content


def test_openapi_schema_and_swagger_ui_are_served_locally(client, db):
    schema = client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for expected in ("/api/v1/sessions", "/api/v1/sessions/{session_id}", "/api/v1/auth/login", "/api/v1/health"):
        assert expected in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
