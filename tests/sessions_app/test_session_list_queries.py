"""The session list's queries stay flat in the number of sessions a user has: the progress is a correlated
subquery (never a join aggregated over every stage state), and the paginator counts the bare owner-filtered rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import StageState, StageStatus
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db


def test_list_shows_each_sessions_progress(api, user):
    done, fresh = make_session(user, project_name="Two stages done"), make_session(user, project_name="Fresh")
    StageState.objects.filter(session=done, stage__in=(1, 2)).update(status=StageStatus.COMPLETED)
    rows = {row["project_name"]: row for row in api.get("/api/v1/sessions").json()["results"]}
    assert rows["Two stages done"]["progress_percent"] == 40
    assert rows["Fresh"]["progress_percent"] == 0
    assert fresh.pk != done.pk


def test_list_queries_never_join_the_stage_states(api, user):
    for n in range(3):
        make_session(user, project_name=f"P{n}")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/sessions").status_code == 200
    sql = [q["sql"].upper() for q in queries.captured_queries if "SCOPINGSESSION" in q["sql"].upper()]
    count = next(q for q in sql if "COUNT(" in q)
    page = next(q for q in sql if "COUNT(" not in q or "ORDER BY" in q)
    assert "STAGESTATE" not in count  # the paginator counts sessions only
    assert "GROUP BY" not in page.split("(SELECT")[0]  # progress is a subquery, not an aggregate over a join
    # The only join is the acting user's memberships (which sessions are theirs), never the stage states.
    assert page.count("JOIN") == 1 and "MEMBERSHIP" in page.split("JOIN")[1].split()[0]
