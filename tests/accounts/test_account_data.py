"""Export my data and delete my account: the selector, the service and the API (`/api/v1/me…`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from accounts.selectors import account_export
from sessions_app.models import Answer, Charter, Checkpoint, ScopingSession, StageRun
from tests.accounts.security_helpers import ACCOUNT, EXPORT, api_login, bearer, me_status
from tests.conftest import TEST_PASSWORD
from tests.sessions_app.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def my_session(user) -> ScopingSession:
    """A session of ``user`` with an answer in two versions, a checkpoint and a charter."""
    session = make_session(user, project_name="Kestrel churn")
    Answer.objects.create(session=session, stage=1, question_id="S1Q1", value="First draft of the problem.")
    Answer.objects.create(session=session, stage=1, question_id="S1Q1", value="Second, sharper problem.", attempt=2)
    Checkpoint.objects.create(session=session, stage=1, data={"answers": {"S1Q1": "Second, sharper problem."}})
    Charter.objects.create(
        session=session, version=1, content={"project_name": "Kestrel churn"}, markdown="# Charter", decision="revise"
    )
    return session


@pytest.fixture
def their_session(other_user) -> ScopingSession:
    session = make_session(other_user, project_name="Other owner's project")
    Answer.objects.create(session=session, stage=1, question_id="S1Q1", value="Another user's confidential answer.")
    return session


def test_export_holds_every_answer_version_stage_state_checkpoint_and_charter(user, my_session, their_session):
    data = account_export(user=user)
    assert data["account"]["email"] == user.email and "password" not in data["account"]
    [session] = data["sessions"]
    assert session["id"] == my_session.pk and session["project_name"] == "Kestrel churn"
    assert [a["value"] for a in session["answers"]] == ["First draft of the problem.", "Second, sharper problem."]
    assert all(a["created_at"] for a in session["answers"])
    assert [s["stage"] for s in session["stage_states"]] == [1, 2, 3, 4, 5]
    assert session["checkpoints"][0]["data"] == {"answers": {"S1Q1": "Second, sharper problem."}}
    assert session["charters"][0]["version"] == 1 and session["charters"][0]["markdown"] == "# Charter"


def test_export_api_is_my_data_as_json_and_nothing_of_another_user(user, my_session, their_session):
    response = bearer(api_login(user.email)["token"]).get(EXPORT)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert [s["project_name"] for s in body["sessions"]] == ["Kestrel churn"]
    assert len(body["sessions"][0]["answers"]) == 2
    assert "Another user's confidential answer." not in response.content.decode()


def test_export_api_needs_a_token(anon_api):
    assert anon_api.get(EXPORT).status_code == 401


def test_delete_service_refuses_a_wrong_password(user, my_session):
    with pytest.raises(ValidationError) as caught:
        services.account_delete(user=user, password="not-my-password")
    assert caught.value.message_dict == {"password": [services.WRONG_PASSWORD]}
    assert ScopingSession.objects.filter(pk=my_session.pk).exists()


def test_delete_api_removes_the_user_and_only_their_sessions(user, my_session, their_session):
    StageRun.objects.create(session=my_session, owner=user, kind="charter", status="succeeded")
    device = api_login(user.email)
    response = bearer(device["token"]).delete(ACCOUNT, {"password": TEST_PASSWORD}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(ScopingSession.objects.all()) == [their_session]
    assert not Answer.objects.filter(session_id=my_session.pk).exists()
    assert Answer.objects.filter(session=their_session).count() == 1
    assert not StageRun.objects.exists() and not Charter.objects.exists()
    assert me_status(device["token"]) == 401


def test_delete_api_with_a_wrong_password_is_403_and_a_missing_one_400_and_nothing_is_deleted(user, my_session):
    client = bearer(api_login(user.email)["token"])
    wrong = client.delete(ACCOUNT, {"password": "not-my-password"}, format="json")
    assert wrong.status_code == 403 and wrong.json() == {"detail": services.WRONG_PASSWORD, "code": "wrong_password"}
    missing = client.delete(ACCOUNT, {}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()["errors"]
    assert User.objects.filter(pk=user.pk).exists() and ScopingSession.objects.filter(pk=my_session.pk).exists()


def test_account_api_reads_the_same_account_as_auth_me(user):
    client = bearer(api_login(user.email)["token"])
    assert client.get(ACCOUNT).json() == client.get("/api/v1/auth/me").json()
