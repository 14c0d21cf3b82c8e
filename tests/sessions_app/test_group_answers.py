"""Less clicking (issue 12): a whole group saved in one request, and an item of a repeatable group removed —
through the services, the API and the page endpoints the stage page's scripts call."""

from __future__ import annotations

import pytest

from sessions_app.interview import selectors
from sessions_app.interview.question_bank import stage
from sessions_app.models import Answer, StageState, StageStatus
from tests.helpers import HTMX
from tests.sessions_app.churn_answers import STAGE_1
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_stage, store_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(user):
    return make_session(user, project_name="Clinic waiting list")


@pytest.fixture
def at_stage_2(session):
    """Stages 1 and 2 complete, stage 2 with two KPIs (items 0 and 1)."""
    for number in (1, 2):
        store_answers(session, number)
        complete_stage(session, number)
    session.refresh_from_db()
    assert StageState.objects.get(session=session, stage=2).status == StageStatus.COMPLETED
    return session


def batch_url(session, stage: int = 1) -> str:
    return f"/api/v1/sessions/{session.id}/stages/{stage}/answers/batch"


def item_url(session, stage: int, group: str, item: int) -> str:
    return f"/api/v1/sessions/{session.id}/stages/{stage}/groups/{group}/items/{item}"


def current(session, stage: int) -> dict[tuple[str, int], object]:
    return {key: row.value["value"] for key, row in selectors.latest_answers(session, stage).items()}


# --- Save group -------------------------------------------------------------------------------------------


def test_a_batch_saves_typed_answers_starts_one_check_and_queues_the_next_text(api, session):
    answers = [
        {"question_id": "S1Q1", "answer": STAGE_1[("S1Q1", 0)]},
        {"question_id": "S1Q2", "answer": STAGE_1[("S1Q2", 0)]},
        {"question_id": "S1Q5", "answer": "partly"},
        {"question_id": "S1Q8", "answer": STAGE_1[("S1Q8", 0)]},
    ]
    response = api.post(batch_url(session), {"answers": answers}, format="json")
    assert response.status_code == 200, response.json()
    results = {r["question_id"]: r for r in response.json()["results"]}
    assert [r["question_id"] for r in response.json()["results"]] == ["S1Q1", "S1Q2", "S1Q5", "S1Q8"]  # as sent
    assert results["S1Q5"]["status"] == "saved" and results["S1Q8"]["status"] == "saved"
    assert results["S1Q1"]["status"] == "checking" and results["S1Q1"]["run_id"]
    # One check per user at a time: the second text is not saved, and says when to send it again.
    assert results["S1Q2"]["status"] == "queued" and results["S1Q2"]["retry_after"] >= 1
    saved = current(session, 1)
    assert saved[("S1Q5", 0)] == "partly" and saved[("S1Q1", 0)] == STAGE_1[("S1Q1", 0)]
    assert ("S1Q2", 0) not in saved


def test_a_refused_answer_does_not_stop_the_rest_and_a_repeat_changes_nothing(api, session):
    first = api.post(batch_url(session), {"answers": [{"question_id": "S1Q5", "answer": "partly"}]}, format="json")
    assert first.json()["results"][0]["status"] == "saved"
    answers = [{"question_id": "S1Q5", "answer": "partly"}, {"question_id": "S1Q9", "answer": "not-a-choice"}]
    response = api.post(batch_url(session), {"answers": answers}, format="json")
    assert response.status_code == 200
    again, refused = response.json()["results"]
    assert again["status"] == "unchanged"
    assert refused["status"] == "invalid" and refused["errors"]
    assert Answer.objects.filter(session=session, question_id="S1Q5").count() == 1  # no second row
    assert not Answer.objects.filter(session=session, question_id="S1Q9").exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([], "answers"),
        ([{"question_id": "S1Q5", "answer": "yes"}, {"question_id": "S1Q5", "answer": "no"}], "answers"),
    ],
)
def test_a_batch_must_name_each_answer_once(api, session, answers, field):
    response = api.post(batch_url(session), {"answers": answers}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_someone_elses_session_is_not_found(other_api, session):
    response = other_api.post(
        batch_url(session), {"answers": [{"question_id": "S1Q5", "answer": "yes"}]}, format="json"
    )
    assert response.status_code == 404
    assert not Answer.objects.filter(session=session).exists()


def test_the_page_saves_a_group_and_sends_back_each_block(web, session):
    response = web.post(
        f"/sessions/{session.id}/stages/1/answers/group/",
        {"entry": ["S1Q5:0", "S1Q9:0"], "S1Q5:0:value": "no", "S1Q9:0:value": "not-a-choice"},
        **HTMX,
    )
    assert response.status_code == 200
    results = {r["anchor"]: r for r in response.json()["results"]}
    assert results["S1Q5"]["status"] == "saved" and 'id="S1Q5"' in results["S1Q5"]["html"]
    assert results["S1Q9"]["status"] == "invalid" and "field-error" in results["S1Q9"]["html"]
    assert current(session, 1)[("S1Q5", 0)] == "no"


# --- Removing an item -------------------------------------------------------------------------------------


def test_removing_the_second_kpi_keeps_its_history_and_reopens_the_stage(api, at_stage_2):
    session = at_stage_2
    rows_before = Answer.objects.filter(session=session, stage=2).count()
    response = api.delete(item_url(session, 2, "kpis", 1))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(body["removed"]) == ["S2Q1", "S2Q15", "S2Q2", "S2Q3", "S2Q4", "S2Q5"]
    assert body["current_stage"] == 2 and body["progress_percent"] == 20  # stage 1 done, stage 2 open again
    assert [stage["status"] for stage in body["stages"]][:2] == ["completed", "open"]
    answers = current(session, 2)
    assert not [key for key in answers if key[1] == 1]  # item 1 reads as unanswered
    assert answers[("S2Q1", 0)]  # item 0 untouched
    assert Answer.objects.filter(session=session, stage=2).count() == rows_before + 6  # removal rows, no deletes
    assert StageState.objects.get(session=session, stage=2).status == StageStatus.OPEN


def test_the_only_item_cannot_be_removed_and_a_missing_one_is_a_400(api, at_stage_2):
    session = at_stage_2
    assert api.delete(item_url(session, 2, "kpis", 1)).status_code == 200
    only = api.delete(item_url(session, 2, "kpis", 0))
    assert only.status_code == 400 and "only item" in str(only.json())
    missing = api.delete(item_url(session, 2, "kpis", 3))
    assert missing.status_code == 400 and "no item #4" in str(missing.json())
    assert api.delete(item_url(session, 2, "not-a-group", 0)).status_code == 404


def test_the_page_removes_an_item_and_says_so(web, at_stage_2):
    session = at_stage_2
    page = web.get(f"/sessions/{session.id}/stages/2/")
    title = stage(2).group("kpis").title.lower()
    assert f"Remove {title} #2" in page.content.decode()
    assert f"Remove {title} #1" in page.content.decode()  # either of two items can go
    response = web.post(f"/sessions/{session.id}/stages/2/groups/kpis/items/1/remove/", follow=True)
    assert response.status_code == 200
    assert "Removed" in response.content.decode()
    assert not [key for key in current(session, 2) if key[1] == 1]
