"""The API against its own OpenAPI schema: schemathesis with every check (as `--checks all`), through WSGI.

Requests go to ``uaip.wsgi.application`` in this process, inside the test's transaction, authenticated with a real
JWT of a user whose session has all five stages complete and a charter, so the session-scoped operations run on real
ids. Each operation gets a bounded number of examples so the whole run stays within a few minutes.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from sessions_app.charter.services import charter_generate
from sessions_app.interview import services as interview_services
from sessions_app.interview.registry import REGISTRY
from sessions_app.models import ConsistencyReview, RunStatus, ScopingSession
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from tests.uaip.answers_from_schema import answer_bodies

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAX_EXAMPLES = 12
MAX_RESPONSE_SECONDS = 30
SCHEMA_URL = "/api/v1/schema?format=json"
FINDING_KEY = "rules.schemathesis.example"


@contextlib.contextmanager
def _one_connection_for_the_test() -> Iterator[None]:
    """Django closes "old" connections at every request boundary; here each request runs inside the test's
    transaction (as the test client arranges for its own requests), so the connection must stay open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _finished_session(user: Any, capture: Any) -> tuple[ScopingSession, str]:
    """A session with every stage complete and a generated charter; returns it and the charter run's id."""
    session = make_session(user, project_name="Kestrel churn")
    complete_interview(session)
    with override_settings(TASKS=IMMEDIATE), capture(execute=True):
        run = charter_generate(session=session)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    # A finding to acknowledge (the churn answers are consistent, so the check itself found none).
    ConsistencyReview.objects.create(
        session=session,
        findings=[
            {
                "key": FINDING_KEY,
                "check": "example",
                "stages": [1, 3],
                "severity": "medium",
                "description": "Stage 1 names a feature that no stage-3 source provides.",
                "recommendation": "Add the source, or drop the feature.",
                "source": "rules",
            }
        ],
    )
    return session, str(run.pk)


# What the cases' path parameters are replaced with: this test's real ids (see `use_real_ids`).
REAL_IDS: dict[str, str] = {}
# Per operation: deleting the finished session would leave nothing for the rest; a concern key names one
# concern of one stage.
OPERATION_IDS: dict[str, dict[str, str]] = {}


def _load_schema() -> Any:
    from uaip.wsgi import application

    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": MAX_EXAMPLES,
                # The API refuses NUL characters in text (a 400 for any string field), as DRF does.
                "allow-x00": False,
                "database": "none",
                # The same examples on every run, so that a red build points at a change (random runs: see the
                # commit that added this test).
                "deterministic": True,
            }
        }
    )
    # Every check, as `--checks all`; rendering the PDF takes seconds, more on a busy two-core CI machine.
    config.projects.override.checks.update(included_check_names=["all"], max_response_time=MAX_RESPONSE_SECONDS)
    with override_settings(ALLOWED_HOSTS=["localhost"]):  # the host schemathesis's WSGI client sends
        return schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=config)


# The team's writes (issue 15) take values no schema can say are valid — an invitation's signed token, a member or
# thread id of this session, a question id or charter section as a comment's target, a reviewer's role for a
# sign-off — so a schema-valid case is refused by design (400/403/404). They are tested in
# tests/sessions_app/test_team.py and test_permissions_matrix.py; their reads stay fuzzed here.
TEAM_WRITES = r"/(members|invitations|comments|charter/signoffs)"
schema = _load_schema().exclude(path_regex=TEAM_WRITES, method_regex="^(POST|PATCH|DELETE)$")


ANSWERS_OPERATION = "sessions_stages_answers_create"
BATCH_OPERATION = "sessions_stages_answers_batch_create"
REGISTER_OPERATION = "auth_register_create"
# Stage number → valid answer bodies, built from the stage's own question schema (see `use_real_data`).
ANSWER_BODIES: dict[int, list[dict[str, Any]]] = {}
_answers_sent = itertools.count()


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    """Real ids in the path, so session-scoped operations reach real objects; schemathesis revalidates the case.

    Whether an answer is valid depends on its question, which the API describes in ``GET …/stages/{n}`` rather
    than in the request schema: a case meant to be valid gets an answer built from that description (the same
    builder as ``test_the_question_schema_is_enough_to_send_a_valid_answer``). Invalid cases are left as generated.
    """
    if not REAL_IDS:
        return
    operation_id = case.operation.definition.raw.get("operationId", "")
    ids = {**REAL_IDS, **OPERATION_IDS.get(operation_id, {})}
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if operation_id == REGISTER_OPERATION and positive and isinstance(case.body, dict):
        # Django's password validators (length, common, similar to the address) are not a schema: a valid case
        # gets a password that passes them, as a real user's would.
        case.body["password"] = f"Kestrel-{next(_answers_sent)}-harbour-lantern"
    if operation_id == ANSWERS_OPERATION and positive:
        bodies = ANSWER_BODIES.get(int(case.path_parameters["stage_number"]))
        if bodies:
            case.body = dict(bodies[next(_answers_sent) % len(bodies)])
    if operation_id == BATCH_OPERATION and positive:  # the same valid answers, as one "Save group" request
        bodies = ANSWER_BODIES.get(int(case.path_parameters["stage_number"]))
        if bodies:
            case.body = {"answers": [dict(bodies[next(_answers_sent) % len(bodies)])]}


@pytest.fixture
def real_ids(user: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> Iterator[None]:
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis's WSGI client, the test client
    session, run_id = _finished_session(user, django_capture_on_commit_callbacks)
    _, gate = interview_services.stage_evaluate(session=session, stage_number=1)
    checkpoint = session.checkpoints.order_by("created_at").first()
    assert checkpoint is not None and gate.concerns
    throwaway = make_session(user, project_name="To be deleted")
    client = APIClient()
    client.force_authenticate(user)
    for number in REGISTRY.numbers:
        ANSWER_BODIES[number] = answer_bodies(client.get(f"/api/v1/sessions/{session.pk}/stages/{number}").json())
    REAL_IDS.update(session_id=str(session.pk), run_id=run_id, checkpoint_id=str(checkpoint.pk), key=FINDING_KEY)
    OPERATION_IDS.update(
        sessions_destroy={"session_id": str(throwaway.pk)},
        sessions_stages_concerns_acknowledge_create={"stage_number": "1", "key": gate.concerns[0].key},
    )
    with _one_connection_for_the_test():
        yield
    REAL_IDS.clear()
    OPERATION_IDS.clear()
    ANSWER_BODIES.clear()


@pytest.mark.django_db
@schema.parametrize()
# One data set per operation, shared by its examples (each example may change it, as a client would).
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: schemathesis.Case, user: Any, real_ids: None) -> None:
    token = RefreshToken.for_user(user).access_token
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
