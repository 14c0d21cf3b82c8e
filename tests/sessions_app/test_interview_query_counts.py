"""The interview's per-request SQL budget (issue 16): the stage page, a free-text submit and a run poll.

Counted statements exclude the test transaction's SAVEPOINT/RELEASE pairs (in production ``atomic()`` is a plain
transaction whose BEGIN/COMMIT Django does not log). The run-duration estimates are cached (see
``runs.selectors.run_estimate_seconds`` and ``interview.estimates``), so each budget is for a warm cache: the
first request after a cache expiry pays one aggregate query on top. The task row a free-text submit enqueues is
written on commit, after the counted request, by the task backend.

Raise a budget only in the commit that needs it, and say why here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

pytestmark = pytest.mark.django_db

# django session, user, session, stage rows, latest answers, active run, checkpoints, acks; the team (issue 15):
# the members (who is expected where) and the unresolved comments per stage.
STAGE_PAGE_QUERIES = 10
SUBMIT_QUERIES = (
    # user, session (guard), lock, stage rows, current answer, INSERT, UPDATE session, active run, INSERT run; the
    # activity log's last entry and the INSERT of the new one (issue 15), under the same lock.
    12
)
POLL_QUERIES = 2  # user, run
TEXT_ANSWER = {"question_id": "S1Q1", "answer": "About 2.3% of our 240,000 subscribers cancel each month."}


@pytest.fixture(autouse=True)
def local_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


def statements(call: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    return len(sql), result


@pytest.mark.parametrize("stage", [1, 3, 5])
def test_stage_page_of_a_complete_interview(client, user, stage):
    session = make_session(user, project_name="Budget")
    complete_interview(session)
    client.force_login(user)
    url = f"/sessions/{session.id}/stages/{stage}/"
    assert client.get(url).status_code == 200  # warms the estimate cache
    count, response = statements(lambda: client.get(url))
    assert response.status_code == 200
    assert count <= STAGE_PAGE_QUERIES, f"stage {stage} page: {count} queries"


def test_free_text_submit_and_poll(api, user):
    session = make_session(user, project_name="Budget")
    typed = {"question_id": "S1Q11", "answer": "classification"}  # an answer before: the session is under way
    assert api.post(f"/api/v1/sessions/{session.id}/stages/1/answers", typed, format="json").status_code == 201
    count, response = statements(
        lambda: api.post(f"/api/v1/sessions/{session.id}/stages/1/answers", TEXT_ANSWER, format="json")
    )
    assert response.status_code == 202, response.json()
    assert count <= SUBMIT_QUERIES, f"free-text submit: {count} queries"

    run_url = f"/api/v1/runs/{response.json()['run_id']}"
    api.get(run_url)  # warms the estimate cache
    count, poll = statements(lambda: api.get(run_url))
    assert poll.status_code == 200
    assert count <= POLL_QUERIES, f"poll: {count} queries"
