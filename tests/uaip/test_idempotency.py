"""Idempotency-Key on the three API POSTs that create something: sessions, answers, charter generations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIClient

from accounts.models import IdempotencyRecord
from sessions_app.models import Answer, ScopingSession, StageRun
from tests.helpers import HTMX, find_all, html_of
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from uaip.idempotency import request_fingerprint

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions"
KEY = "3f1c2a9e-5b7d-4c61-9e0f-idempotency-test"


def create(api: APIClient, body: dict | None = None, key: str | None = KEY):
    headers = {} if key is None else {"Idempotency-Key": key}
    return api.post(SESSIONS, body or {"project_name": "Churn prediction"}, format="json", headers=headers)


def test_without_the_header_every_post_creates_a_session(api, user):
    assert create(api, key=None).status_code == 201
    assert create(api, key=None).status_code == 201
    assert ScopingSession.objects.filter(owner=user).count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_repeat_with_the_same_key_and_body_replays_the_first_response(api, user):
    first = create(api)
    second = create(api)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert ScopingSession.objects.filter(owner=user).count() == 1
    assert IdempotencyRecord.objects.filter(user=user, key=KEY).count() == 1


def test_the_same_key_with_another_body_is_refused(api, user):
    create(api)
    response = create(api, {"project_name": "Something else"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert ScopingSession.objects.filter(owner=user).count() == 1


def test_key_order_in_the_body_does_not_make_another_request(api, user):
    create(api, {"project_name": "Churn", "description": "Why"})
    replay = create(api, {"description": "Why", "project_name": "Churn"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"


def fingerprint_of(path: str, body: dict) -> str:
    """The fingerprint the API computes for a JSON POST of ``body`` to ``path``."""
    raw = RequestFactory().post(path, body, content_type="application/json")
    return request_fingerprint(Request(raw, parsers=[JSONParser()]))


def test_a_duplicate_while_the_first_is_still_running_gets_409(api, user):
    # The first request's record, as it stands while its handler runs: no response yet.
    IdempotencyRecord.objects.create(
        user=user,
        key=KEY,
        fingerprint=fingerprint_of(SESSIONS, {"project_name": "Churn prediction"}),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    response = create(api)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert not ScopingSession.objects.filter(owner=user).exists()


def test_a_request_left_running_by_a_dead_process_is_taken_over(api, user, settings):
    record = IdempotencyRecord.objects.create(
        user=user, key=KEY, fingerprint="0" * 64, expires_at=timezone.now() + timedelta(hours=1)
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_LOCK_SECONDS + 5)
    )
    assert create(api).status_code == 201
    assert ScopingSession.objects.filter(owner=user).count() == 1


@pytest.mark.parametrize(("length", "status"), [(255, 201), (256, 400)])
def test_keys_longer_than_255_characters_are_refused(api, length, status):
    response = create(api, key="k" * length)
    assert response.status_code == status
    if status == 400:
        assert response.json()["code"] == "idempotency_key_invalid"
        assert not ScopingSession.objects.exists()


def test_a_blank_key_is_refused(api):
    response = create(api, key="   ")
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"


def test_keys_belong_to_one_user(api, other_api, user, other_user):
    mine, theirs = create(api), create(other_api)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["session_id"] != theirs.json()["session_id"]
    assert not theirs.has_header("Idempotent-Replayed")


def test_a_failed_request_stores_nothing_so_the_key_can_be_retried(api, user):
    refused = create(api, {"project_name": ""})
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert create(api).status_code == 201


def test_an_expired_key_works_again_and_expired_records_are_pruned(api, user):
    create(api)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    IdempotencyRecord.objects.create(
        user=user,
        key="old-other-key",
        fingerprint="0" * 64,
        response_status=201,
        response_body="{}",
        expires_at=timezone.now() - timedelta(hours=1),
    )
    again = create(api)
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert ScopingSession.objects.filter(owner=user).count() == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [KEY]


def test_prune_command_deletes_only_expired_records(user, capsys):
    now = timezone.now()
    IdempotencyRecord.objects.create(user=user, key="old", fingerprint="0" * 64, expires_at=now - timedelta(hours=1))
    IdempotencyRecord.objects.create(user=user, key="new", fingerprint="0" * 64, expires_at=now + timedelta(hours=1))
    call_command("prune_idempotency_records")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1 expired idempotency record." in capsys.readouterr().out


def test_answer_submit_replays_and_stores_one_answer(api, user):
    session = make_session(user)
    url = f"/api/v1/sessions/{session.pk}/stages/1/answers"
    body = {"question_id": "S1Q5", "answer": "partly"}
    first = api.post(url, body, format="json", headers={"Idempotency-Key": KEY})
    second = api.post(url, body, format="json", headers={"Idempotency-Key": KEY})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Answer.objects.filter(session=session, question_id="S1Q5").count() == 1
    other = api.post(url, {**body, "answer": "yes"}, format="json", headers={"Idempotency-Key": KEY})
    assert other.status_code == 409


def test_charter_generate_replays_and_queues_one_run(api, user):
    session = make_session(user)
    complete_interview(session)
    url = f"/api/v1/sessions/{session.pk}/charter"
    first = api.post(url, headers={"Idempotency-Key": KEY})
    second = api.post(url, headers={"Idempotency-Key": KEY})
    assert first.status_code == second.status_code == 202, first.content
    assert first.json() == second.json()
    assert StageRun.objects.filter(session=session, kind="charter").count() == 1
    # Without the key the same POST is a second request (and meets the one-active-run rule).
    assert api.post(url).status_code == 429


def test_the_schema_documents_the_header_on_the_three_operations(api):
    schema = api.get("/api/v1/schema?format=json").json()
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation.get("parameters", []))
    }
    assert documented == {
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions/{session_id}/stages/{stage_number}/answers", "post"),
        ("/api/v1/sessions/{session_id}/charter", "post"),
    }
    answers = schema["paths"]["/api/v1/sessions/{session_id}/stages/{stage_number}/answers"]["post"]
    assert "409" in answers["responses"] and "idempotency_key_reused" in answers["responses"]["409"]["description"]


# --- The "new session" page form -------------------------------------------------------------------------------


def dashboard_token(web) -> str:
    inputs = [dict(i.attributes) for i in find_all(html_of(web.get("/sessions/")), "input")]
    [token] = [i["value"] for i in inputs if i.get("name") == "submit_token"]
    assert token
    return token


def test_the_new_session_form_sent_twice_creates_one_session(web, user):
    token = dashboard_token(web)
    body = {"project_name": "Churn prediction", "description": "", "submit_token": token}
    assert web.post("/sessions/new/", body).status_code == 302
    again = web.post("/sessions/new/", body, follow=True)
    assert ScopingSession.objects.filter(owner=user).count() == 1
    assert "That form was already sent" in again.content.decode()


def test_the_new_session_form_sent_twice_by_htmx_swaps_nothing_the_second_time(web, user):
    body = {"project_name": "Churn prediction", "submit_token": dashboard_token(web)}
    assert web.post("/sessions/new/", body, **HTMX).status_code == 200
    assert web.post("/sessions/new/", body, **HTMX).status_code == 204
    assert ScopingSession.objects.filter(owner=user).count() == 1


def test_each_rendering_of_the_form_has_its_own_token_and_a_refused_form_can_be_sent_again(web, user):
    first, second = dashboard_token(web), dashboard_token(web)
    assert first != second
    assert web.post("/sessions/new/", {"project_name": "", "submit_token": first}).status_code == 400
    assert web.post("/sessions/new/", {"project_name": "Fixed name", "submit_token": first}).status_code == 302
    assert web.post("/sessions/new/", {"project_name": "Another", "submit_token": second}).status_code == 302
    assert ScopingSession.objects.filter(owner=user).count() == 2


def test_a_post_without_a_token_still_works(web, user):
    assert web.post("/sessions/new/", {"project_name": "No token"}).status_code == 302
    assert web.post("/sessions/new/", {"project_name": "No token"}).status_code == 302
    assert ScopingSession.objects.filter(owner=user).count() == 2
