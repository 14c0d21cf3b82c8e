"""The OpenAPI schema as a contract: every operation under /api/v1/ says what it takes and what it answers, with one
error body; the question schema is enough to send a valid answer; oversize bodies are a 413, not a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from sessions_app.models import Answer
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from tests.uaip.answers_from_schema import answer_bodies

METHODS = ("get", "post", "put", "patch", "delete")
BODY_ERRORS = {"400", "413", "415"}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, default=str))


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS and path.startswith("/api/v1/")
    ]


def resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_schema_validates_without_warnings(tmp_path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_json_body_has_a_known_shape(openapi) -> None:
    """No bare "object" for a body whose shape we know (the charter's JSON download is documented by its keys)."""
    for path, method, operation in operations(openapi):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(status, response.get("content", {})) for status, response in operation["responses"].items()]
        for where, content in bodies:
            for media, body in content.items():
                if media != "application/json":
                    continue
                schema = resolve(openapi, body["schema"])
                assert schema.get("properties"), f"{method.upper()} {path} {where}: {schema}"


def test_request_bodies_are_json_only(openapi) -> None:
    for path, method, operation in operations(openapi):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], f"{method.upper()} {path}"


def test_every_operation_declares_its_errors_with_the_shared_body(openapi) -> None:
    for path, method, operation in operations(openapi):
        label = f"{method.upper()} {path}"
        responses = operation["responses"]
        errors = {status: r for status, r in responses.items() if status.startswith("4")}
        if path != "/api/v1/health":  # health is never rate limited
            assert "429" in errors, label
        if operation.get("security") and {} not in operation["security"]:
            assert "401" in errors, label
        if "{session_id}" in path or "{run_id}" in path:
            assert "404" in errors, label
        if "requestBody" in operation:
            assert set(errors) >= BODY_ERRORS, label
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOutput"}, (
                f"{label} {status}"
            )


def test_conflict_bodies_are_in_the_error_schema(openapi) -> None:
    error = openapi["components"]["schemas"]["ErrorOutput"]
    assert set(error["required"]) == {"detail", "code"}
    assert {"errors", "gate", "missing", "current_stage", "active_run_id"} <= set(error["properties"])


def test_session_list_is_documented_as_a_page(openapi) -> None:
    ok = openapi["paths"]["/api/v1/sessions"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = resolve(openapi, ok)
    assert page["type"] == "object" and set(page["properties"]) == {"count", "next", "previous", "results"}
    assert resolve(openapi, page["properties"]["results"]["items"])["properties"]["session_id"]


def test_question_schema_lists_what_a_valid_answer_needs(openapi) -> None:
    question = openapi["components"]["schemas"]["QuestionOutput"]["properties"]
    for key in ("free_unit", "unit_required", "unit_choices", "min", "max", "whole_number", "per_item_of", "detail"):
        assert key in question, key
    assert {"condition", "limits"} <= set(question)
    assert "max_items" in openapi["components"]["schemas"]["GroupOutput"]["properties"]


@pytest.mark.django_db
def test_a_number_question_says_it_needs_a_unit(api, user) -> None:
    session = make_session(user)
    complete_interview(session)
    stage = api.get(f"/api/v1/sessions/{session.id}/stages/2").json()
    questions = {q["question_id"]: q for group in stage["groups"] for q in group["questions"]}
    baseline = questions["S2Q2"]  # "What is the KPI's baseline?": a number whose unit the user names
    assert baseline["type"] == "number" and baseline["free_unit"] and baseline["unit_required"]
    assert baseline["limits"]["max_unit_chars"] == 30
    bare = api.post(
        f"/api/v1/sessions/{session.id}/stages/2/answers", {"question_id": "S2Q2", "answer": 12}, format="json"
    )
    assert bare.status_code == 400 and "answer" in bare.json()["errors"]
    kpis = next(group for group in stage["groups"] if group["key"] == "kpis")
    assert kpis["repeatable"] and kpis["max_items"] == 10


@pytest.mark.django_db
def test_the_question_schema_is_enough_to_send_a_valid_answer(api, user, settings) -> None:
    """For every question of every stage, an answer built only from the stage's JSON is accepted."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "answer_submit": "1000/m"}  # every question in one go
    session = make_session(user)
    complete_interview(session)
    base = f"/api/v1/sessions/{session.id}"
    # From the last stage back: answering a completed stage makes it the current one, and later ones stale.
    for number in (5, 4, 3, 2, 1):
        stage = api.get(f"{base}/stages/{number}").json()
        for body in answer_bodies(stage):
            response = api.post(f"{base}/stages/{number}/answers", body, format="json")
            assert response.status_code in (201, 202), (body, response.json())
            if response.status_code == 202:  # one background check at a time: cancel it to answer on
                assert api.post(f"/api/v1/runs/{response.json()['run_id']}/cancel").status_code == 200
    assert Answer.objects.filter(session=session).count() > 100


@pytest.mark.django_db
def test_an_oversize_body_is_413_with_the_error_body(api, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"project_name": "Churn", "description": "x" * 2_000})
    response = api.post("/api/v1/sessions", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "1,000 bytes" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/sessions", {"project_name": 12}),
        ("/api/v1/sessions", {"project_name": "Churn", "description": 0}),
        ("/api/v1/auth/register", {"email": "a@example.com", "password": 12345678901.5, "name": "A"}),
    ],
)
def test_json_numbers_are_not_taken_for_text(api, url, body) -> None:
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) <= set(body)
