"""How a background run ends when it does not succeed: cancelled, failed, crashed, or left behind by a dead worker.
The answer it was checking never stays ``pending``; the user's one-run slot is freed; a settled run is never
executed again; a long handler keeps its run alive with a heartbeat."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from llm.errors import LLMUnavailable
from sessions_app.errors import RunRefused
from sessions_app.interview.services import answer_submit
from sessions_app.models import Answer, AnswerStatus, RunStatus, StageRun
from sessions_app.runs.executor import RunKindSpec, RunUsage, StageExecutor, execute_run
from sessions_app.runs.lifecycle import NO_WORKER, WORKER_STOPPED, WorkerLost, runs_reap
from sessions_app.runs.services import run_cancel
from sessions_app.runs.worker import RunReaper
from tests.sessions_app.factories import make_session
from tests.sessions_app.test_interview_api import STRONG, answers_url

TEST_KIND = "test_job"


@pytest.fixture
def session(user):
    return make_session(user, project_name="Churn")


def submitted_check(session) -> tuple[Answer, StageRun]:
    """A saved free-text answer and its queued check (no worker runs in these tests)."""
    submitted = answer_submit(session=session, stage_number=1, question_id="S1Q1", answer=STRONG)
    assert submitted.run is not None and submitted.answer.status == AnswerStatus.PENDING
    return submitted.answer, submitted.run


def as_running(run: StageRun, *, heartbeat_ago: dt.timedelta) -> StageRun:
    beat = timezone.now() - heartbeat_ago
    StageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=beat, heartbeat_at=beat)
    run.refresh_from_db()
    return run


def status_of(row: Answer | StageRun) -> str:
    row.refresh_from_db()
    return row.status


@pytest.fixture
def test_kind(monkeypatch):
    """Registers a handler for a test-only run kind: ``test_kind(handler)``; the run is an answer's check."""

    def register(handler: Any) -> None:
        monkeypatch.setitem(StageExecutor.kinds, TEST_KIND, RunKindSpec(handler=handler, kept="Your answer is saved"))

    return register


def job_run(session, answer: Answer) -> StageRun:
    return StageRun.objects.create(session=session, owner=session.owner, kind=TEST_KIND, stage=1, answer=answer)


# --- the answer of a run that ends without success ---------------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_a_check_leaves_its_answer_saved_and_check_failed(session):
    answer, run = submitted_check(session)
    cancelled = run_cancel(run=run)
    assert cancelled.status == RunStatus.CANCELLED and cancelled.step == "Cancelled"
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.CHECK_FAILED and answer.value["value"] == STRONG


@pytest.mark.django_db
def test_cancelling_through_the_api_releases_the_answer(api, session):
    answer, run = submitted_check(session)
    response = api.post(f"/api/v1/runs/{run.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert status_of(answer) == AnswerStatus.CHECK_FAILED


@pytest.mark.django_db
def test_cancelling_a_finished_run_changes_nothing(session):
    answer, run = submitted_check(session)
    StageRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED)
    Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.ACCEPTED)
    assert run_cancel(run=run).status == RunStatus.SUCCEEDED
    assert status_of(answer) == AnswerStatus.ACCEPTED


@pytest.mark.parametrize(
    ("raised", "error_part"),
    [
        (RunRefused("Answer the earlier stages first."), "Answer the earlier stages first."),
        (LLMUnavailable({"anthropic": "overloaded"}), "press Retry"),
        (RuntimeError("a bug"), "Something went wrong on our side"),
    ],
    ids=["refused", "llm_unavailable", "crashed"],
)
@pytest.mark.django_db
def test_a_failed_check_leaves_its_answer_check_failed(session, test_kind, raised, error_part):
    answer, queued = submitted_check(session)
    run_cancel(run=queued)  # frees the slot for the test run below
    Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.PENDING)

    def handler(run: StageRun) -> None:
        raise raised

    test_kind(handler)
    run = job_run(session, answer)
    StageExecutor().execute(str(run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and error_part in run.error
    assert status_of(answer) == AnswerStatus.CHECK_FAILED


# --- the reaper: runs whose worker is gone ---------------------------------------------------------------------


@pytest.mark.django_db
def test_reaper_fails_a_run_without_heartbeat_and_frees_the_users_slot(api, session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    answer, run = submitted_check(session)
    as_running(run, heartbeat_ago=dt.timedelta(seconds=31))
    assert runs_reap() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == WORKER_STOPPED and run.finished_at is not None
    assert status_of(answer) == AnswerStatus.CHECK_FAILED
    response = api.post(answers_url(session), {"question_id": "S1Q2", "answer": STRONG}, format="json")
    assert response.status_code == 202, response.json()


@pytest.mark.django_db
def test_reaper_leaves_a_run_with_a_recent_heartbeat(session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    answer, run = submitted_check(session)
    as_running(run, heartbeat_ago=dt.timedelta(seconds=20))
    assert runs_reap() == 0
    assert status_of(run) == RunStatus.RUNNING and status_of(answer) == AnswerStatus.PENDING


@pytest.mark.django_db
def test_reaper_fails_a_run_no_worker_took_and_releases_its_answer(session, settings):
    settings.RUN_QUEUE_TIMEOUT_SECONDS = 600
    answer, run = submitted_check(session)
    StageRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(seconds=601))
    assert runs_reap() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == NO_WORKER
    assert status_of(answer) == AnswerStatus.CHECK_FAILED


@pytest.mark.django_db
def test_reaped_run_is_not_executed_again(session, test_kind):
    answer, run = submitted_check(session)
    run_cancel(run=run)
    Answer.objects.filter(pk=answer.pk).update(status=AnswerStatus.PENDING)
    calls: list[str] = []
    test_kind(lambda run: calls.append(str(run.pk)))
    run = as_running(job_run(session, answer), heartbeat_ago=dt.timedelta(hours=1))
    assert runs_reap() == 1
    StageExecutor().execute(str(run.pk))  # the task delivered again, say
    assert calls == []
    assert status_of(run) == RunStatus.FAILED


def claimed_task_row(run: StageRun, *, started_ago: dt.timedelta) -> DBTaskResult:
    """The run's django-tasks-db row as a worker that then died left it: taken, ``RUNNING``."""
    result = execute_run.enqueue(str(run.pk))
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started_ago)
    row.refresh_from_db()
    return row


@pytest.mark.django_db
def test_reaper_settles_the_task_row_of_a_dead_worker(session, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, run = submitted_check(session)
    row = claimed_task_row(run, started_ago=dt.timedelta(minutes=2))
    as_running(run, heartbeat_ago=dt.timedelta(minutes=2))
    assert runs_reap() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert row.task_result.errors[0].exception_class_path == f"{WorkerLost.__module__}.WorkerLost"
    assert not DBTaskResult.objects.ready().exists()  # nothing will run it again


@pytest.mark.django_db
def test_reaper_ends_a_lost_run_and_its_task_row_together(session, settings):
    """Not left to the later sweep of old task rows: in between, a reader saw the run failed and its task running."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, run = submitted_check(session)
    row = claimed_task_row(run, started_ago=dt.timedelta(seconds=1))  # too young for the sweep of old task rows
    as_running(run, heartbeat_ago=dt.timedelta(minutes=2))
    assert runs_reap() == 1
    assert status_of(run) == RunStatus.FAILED and status_of(row) == TaskResultStatus.FAILED


@pytest.mark.django_db
def test_reaper_settles_the_task_row_of_a_run_that_ended_before_its_worker_recorded_it(session, settings):
    """The run succeeded, then the worker lost the database before it could mark the task done."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, run = submitted_check(session)
    row = claimed_task_row(run, started_ago=dt.timedelta(minutes=2))
    StageRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    assert runs_reap() == 0  # no run to fail
    assert status_of(row) == TaskResultStatus.FAILED
    assert status_of(run) == RunStatus.SUCCEEDED


@pytest.mark.django_db
def test_reaper_leaves_the_task_row_of_a_long_live_run(session, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.RUN_STUCK_AFTER_SECONDS = 30
    _, run = submitted_check(session)
    row = claimed_task_row(run, started_ago=dt.timedelta(minutes=10))
    as_running(run, heartbeat_ago=dt.timedelta(seconds=3))  # ten minutes in, still beating
    assert runs_reap() == 0
    assert status_of(row) == TaskResultStatus.RUNNING and status_of(run) == RunStatus.RUNNING


@pytest.mark.django_db
def test_reaper_fails_a_queued_run_whose_task_a_dead_worker_took(session, settings):
    """The worker took the task and died (or lost the database) before it started the run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.RUN_STUCK_AFTER_SECONDS = 30
    answer, run = submitted_check(session)
    StageRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    row = claimed_task_row(run, started_ago=dt.timedelta(minutes=2))
    assert runs_reap() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == WORKER_STOPPED
    assert status_of(answer) == AnswerStatus.CHECK_FAILED
    assert status_of(row) == TaskResultStatus.FAILED


@pytest.mark.django_db
def test_reaper_leaves_a_queued_run_whose_task_still_waits(session, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, run = submitted_check(session)
    StageRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))
    execute_run.enqueue(str(run.pk))  # READY: all workers are busy, say
    assert runs_reap() == 0
    assert status_of(run) == RunStatus.QUEUED


# --- without any worker: the request path settles the run it shows ---------------------------------------------


@pytest.mark.django_db
def test_polling_a_run_whose_worker_died_reports_it_failed(api, session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    answer, run = submitted_check(session)
    as_running(run, heartbeat_ago=dt.timedelta(minutes=5))
    body = api.get(f"/api/v1/runs/{run.pk}").json()
    assert body["status"] == "failed" and "press Retry" in body["error"]
    assert status_of(answer) == AnswerStatus.CHECK_FAILED


@pytest.mark.django_db
def test_polling_a_live_run_changes_nothing(api, session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    _, run = submitted_check(session)
    as_running(run, heartbeat_ago=dt.timedelta(seconds=5))
    assert api.get(f"/api/v1/runs/{run.pk}").json()["status"] == "running"


@pytest.mark.django_db
def test_a_new_answer_takes_the_slot_of_a_run_whose_worker_died(api, session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    first_answer, first = submitted_check(session)
    as_running(first, heartbeat_ago=dt.timedelta(minutes=5))
    response = api.post(answers_url(session), {"question_id": "S1Q2", "answer": STRONG}, format="json")
    assert response.status_code == 202, response.json()
    assert status_of(first) == RunStatus.FAILED and status_of(first_answer) == AnswerStatus.CHECK_FAILED


@pytest.mark.django_db
def test_a_new_answer_still_waits_for_a_live_run(api, session, settings):
    settings.RUN_STUCK_AFTER_SECONDS = 30
    _, first = submitted_check(session)
    as_running(first, heartbeat_ago=dt.timedelta(seconds=5))
    response = api.post(answers_url(session), {"question_id": "S1Q2", "answer": STRONG}, format="json")
    assert response.status_code == 429
    assert status_of(first) == RunStatus.RUNNING


# --- the heartbeat --------------------------------------------------------------------------------------------


def slow_job(*, lasting: float, seen: list[str]) -> Any:
    """A handler busy for ``lasting`` seconds (one long model call, say) while another worker's reaper sweeps."""
    reaper = RunReaper(every=0)

    def handler(run: StageRun) -> tuple[dict[str, Any], RunUsage | None] | None:
        until = time.monotonic() + lasting
        while time.monotonic() < until:
            reaper.reap_once()
            seen.append(status_of(run))
            time.sleep(0.05)
        return ({"done": True}, None) if status_of(run) == RunStatus.RUNNING else None

    return handler


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread and connection
def test_a_handler_longer_than_the_stuck_limit_is_kept_alive_by_the_heartbeat(user, settings, test_kind):
    settings.RUN_HEARTBEAT_SECONDS = 0.1
    settings.RUN_STUCK_AFTER_SECONDS = 0.6
    session = make_session(user)
    seen: list[str] = []
    test_kind(slow_job(lasting=2.0, seen=seen))
    run = StageRun.objects.create(session=session, owner=user, kind=TEST_KIND)
    StageExecutor().execute(str(run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.result == {"done": True}
    assert seen and set(seen) == {RunStatus.RUNNING}


@pytest.mark.django_db(transaction=True)
def test_without_heartbeats_the_same_handler_is_reaped(user, settings, test_kind):
    """What the heartbeat prevents (so the test above can fail): beats too rare for the stuck limit."""
    settings.RUN_HEARTBEAT_SECONDS = 60
    settings.RUN_STUCK_AFTER_SECONDS = 0.6
    session = make_session(user)
    seen: list[str] = []
    test_kind(slow_job(lasting=2.0, seen=seen))
    run = StageRun.objects.create(session=session, owner=user, kind=TEST_KIND)
    StageExecutor().execute(str(run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == WORKER_STOPPED
    assert RunStatus.FAILED in seen


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_never_revives_a_cancelled_run(user, settings, test_kind):
    settings.RUN_HEARTBEAT_SECONDS = 0.05
    session = make_session(user)
    cancelled_at: list[dt.datetime | None] = []

    def handler(run: StageRun) -> None:
        run_cancel(run=run)
        cancelled_at.append(StageRun.objects.get(pk=run.pk).heartbeat_at)
        time.sleep(0.5)  # several beats' time
        return None

    test_kind(handler)
    run = StageRun.objects.create(session=session, owner=user, kind=TEST_KIND)
    StageExecutor().execute(str(run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.heartbeat_at == cancelled_at[0]
