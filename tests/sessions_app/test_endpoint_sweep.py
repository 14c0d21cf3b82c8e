"""A hostile sweep of every session- or run-scoped URL: every method, as every role, a stranger and an anonymous
visitor, with no body, a body of the wrong types, a body that is not JSON and a query string of junk, on a
session with a complete interview and a charter. Whatever the request, the answer is never a 5xx; the API's
errors are JSON with a ``detail`` and a ``code``; an anonymous visitor is sent to the login page (web) or gets
401 (API).

The URLs come from the URL patterns (as in the permissions matrix), so a new endpoint is swept without anyone
adding it here. Rate limits are off: they would stop the sweep before it reaches the handlers.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from sessions_app.models import MemberRole, Membership, RunKind, StageRun
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from tests.sessions_app.test_permissions_matrix import SAMPLE_VALUES, _url, scoped_urls

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITES = {"POST", "PUT", "PATCH"}
# Every field name the endpoints read, each with a value of the wrong type.
WRONG_TYPES: dict[str, Any] = {
    "question_id": 5,
    "answer": [1, {"x": None}],
    "answers": {"S1Q1": 1},
    "expected_version": "soon",
    "role": "god",
    "function": ["x"],
    "email": 42,
    "comment": {"a": 1},
    "body": None,
    "target_kind": ["answer"],
    "target": 7,
    "reason": 3.5,
    "name": {"x": 1},
    "project_name": [],
    "description": 9,
    "status": "maybe",
}
JUNK_QUERY = {
    "page": "-1",
    "page_size": "many",
    "cursor": "%%%",
    "target_kind": "nothing",
    "target": "S9Q99#99",
    "status": "??",
    "kind": "x" * 300,
    "member": "not-a-uuid",
    "user": "0",
    "appendix": "maybe",
    "version": "-3",
}
FORM = {key: json.dumps(value) for key, value in WRONG_TYPES.items()}
# Calls that would end the sweep's own setup (the session deleted, a member gone); tested where they belong.
DESTRUCTIVE = {
    ("sessions:delete", "POST"),
    ("api:session-detail", "DELETE"),
    ("team:member_remove", "POST"),
    ("api:member-detail", "DELETE"),
}
WHO = ("viewer", "reviewer", "editor", "owner", "stranger", "anonymous")


@pytest.fixture
def swept(make_user, run_tasks, settings):
    settings.RATELIMIT_ENABLE = False
    owner = make_user(email="owner@example.com", name="Olive Owner")
    session = make_session(owner, project_name="Harbour crane maintenance")
    complete_interview(session)
    people = {"owner": owner, "stranger": make_user(email="stranger@example.com", name="Stan Stranger")}
    for role in ("editor", "reviewer", "viewer"):
        people[role] = make_user(email=f"{role}@example.com", name=role.title())
        Membership.objects.create(session=session, user=people[role], role=role)
    generated = run_tasks(_api(owner).post, f"/api/v1/sessions/{session.id}/charter")
    assert generated.status_code == 202, generated.content
    run = StageRun.objects.filter(session=session, kind=RunKind.CHARTER).latest("created_at")
    thread = _api(people["reviewer"]).post(
        f"/api/v1/sessions/{session.id}/comments",
        {"target_kind": "answer", "target": "S1Q1", "body": "Which year is the baseline?"},
        format="json",
    )
    assert thread.status_code == 201, thread.content
    values = {
        **SAMPLE_VALUES,
        "session_id": str(session.pk),
        "run_id": str(run.pk),
        "checkpoint_id": str(session.checkpoints.values_list("pk", flat=True).first() or uuid.uuid4()),
        "invitation_id": str(uuid.uuid4()),
        "user_id": str(people["viewer"].pk),
        "thread_id": thread.json()["thread_id"],
    }
    return session, people, values


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def _web(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _requests(api: bool, method: str) -> list[dict[str, Any]]:
    """The bodies one method is tried with."""
    if method == "GET":
        return [{}, {"data": JUNK_QUERY}]
    if method not in WRITES:
        return [{}]
    if api:
        return [
            {},
            {"data": json.dumps(WRONG_TYPES), "content_type": "application/json"},
            {"data": b'{"answer": "unterminated', "content_type": "application/json"},
        ]
    return [{}, {"data": FORM}, {"data": b"\xff\xfe not a form", "content_type": "application/x-www-form-urlencoded"}]


@pytest.mark.django_db
def test_no_request_to_a_scoped_url_gets_a_5xx(swept):
    session, people, values = swept
    clients = {(who, api): (_api if api else _web)(people.get(who)) for who in WHO for api in (True, False)}
    failures: list[str] = []
    for name, regex in scoped_urls():
        url = _url(regex, values)
        api = url.startswith("/api/")
        for who in WHO:
            client = clients[(who, api)]
            for method in METHODS:
                if (name, method) in DESTRUCTIVE:
                    continue
                for request in _requests(api, method):
                    response = getattr(client, method.lower())(url, **request)
                    shown = f"{who} {method} {url} {sorted(request)} → {response.status_code}"
                    if response.status_code >= 500:
                        failures.append(shown)
                    elif who == "anonymous":
                        expected = 401 if api else 302
                        if response.status_code != expected:
                            failures.append(f"{shown} (expected {expected})")
                    elif api and response.status_code >= 400:
                        body = _json(response)
                        if not isinstance(body, dict) or not {"detail", "code"} <= body.keys():
                            failures.append(f"{shown}: not a JSON error body: {response.content[:120]!r}")
    assert failures == [], "\n".join(failures[:40])
    assert Membership.objects.filter(session=session, role=MemberRole.OWNER).count() == 1


def _json(response) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


@pytest.mark.django_db
def test_an_unknown_format_is_406_naming_the_formats_for_anyone(swept):
    session, people, _ = swept
    for user in (people["viewer"], None):
        response = _api(user).get(f"/api/v1/sessions/{session.id}", {"format": "exe"})
        assert response.status_code == 406
        assert response.json() == {
            "detail": "There is no format 'exe' here; use one of: api, json.",
            "code": "not_acceptable",
        }
    assert _api(people["viewer"]).get(f"/api/v1/sessions/{session.id}", {"format": "json"}).status_code == 200
