"""The session API and dashboard cost a fixed number of SQL queries, however many sessions they show (no N+1).

Budgets, per request with a JWT:
- list: the user (JWT authentication), COUNT(*) for the paginator, one SELECT for the page;
- get: the user, the session;
- create: the user, the INSERT.
If a feature legitimately needs another query (say, a prefetch of stage runs for the progress column), raise
the budget here in the same commit and say why; the "same cost for 5 and 50 rows" tests must keep passing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.models import ScopingSession
from sessions_app.team.services import owners_join

pytestmark = pytest.mark.django_db

LIST = "/api/v1/sessions"
LIST_QUERIES = 3
GET_QUERIES = 2
# The user, then in one transaction (savepoint + release) the session, its five stage rows, the owner's membership
# and the first activity entry (issue 15).
CREATE_QUERIES = 7


def add_sessions(owner, count: int, *, prefix: str = "Project") -> list[ScopingSession]:
    return owners_join(
        ScopingSession.objects.bulk_create(
            ScopingSession(owner=owner, project_name=f"{prefix} {n}", description="d" * 200) for n in range(count)
        )
    )


def queries_for(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_list_page_of_50_has_fixed_query_budget(api, user, other_user, django_assert_max_num_queries):
    add_sessions(user, 60)
    add_sessions(other_user, 10, prefix="Not mine")
    with django_assert_max_num_queries(LIST_QUERIES):
        response = api.get(LIST, {"page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]

    with django_assert_max_num_queries(LIST_QUERIES):
        second = api.get(LIST, {"page_size": 50, "page": 2})
    assert len(second.json()["results"]) == 10


def test_listing_5_or_50_sessions_costs_the_same_queries(api, user):
    add_sessions(user, 5)

    def list_page():
        response = api.get(LIST, {"page_size": 50})
        assert response.status_code == 200
        return response.json()["results"]

    assert len(list_page()) == 5
    five = queries_for(list_page)
    add_sessions(user, 45, prefix="More")
    assert len(list_page()) == 50
    fifty = queries_for(list_page)
    assert five == fifty, f"listing 5 sessions took {five} queries, 50 took {fifty}: a query per row?"


def test_get_has_fixed_query_budget(api, user, django_assert_max_num_queries):
    session = add_sessions(user, 1)[0]
    with django_assert_max_num_queries(GET_QUERIES):
        response = api.get(f"{LIST}/{session.id}")
    assert response.status_code == 200 and response.json()["session_id"] == str(session.id)


def test_create_has_fixed_query_budget(api, user, django_assert_max_num_queries):
    add_sessions(user, 30)  # existing sessions must not matter either
    with django_assert_max_num_queries(CREATE_QUERIES):
        response = api.post(LIST, {"project_name": "Churn", "description": "Why customers leave"}, format="json")
    assert response.status_code == 201
    assert ScopingSession.objects.filter(owner=user, project_name="Churn").exists()


def test_dashboard_with_5_or_20_sessions_costs_the_same_queries(client, user):
    client.force_login(user)
    add_sessions(user, 5)

    def dashboard():
        response = client.get("/sessions/")
        assert response.status_code == 200
        return response

    assert dashboard().content.count(b'class="session-row"') == 5
    five = queries_for(dashboard)
    add_sessions(user, 15, prefix="More")
    assert dashboard().content.count(b'class="session-row"') == 20
    twenty = queries_for(dashboard)
    assert five == twenty, f"the dashboard took {five} queries for 5 rows and {twenty} for 20: a query per row?"
