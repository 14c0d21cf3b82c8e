"""The worker as it runs in production: real ``manage.py db_worker`` processes against this test run's PostgreSQL
database, checking answers through the real Anthropic client against the fake server of ``tests/fakes``.

- A worker killed (SIGKILL) in the middle of a model call: another worker's reaper settles the run as failed and
  retryable within the reaper window, the answer becomes ``check_failed`` and the user can start a new run.
- A model call longer than the stuck limit is not taken for a dead worker: the heartbeat keeps it alive.
- The database goes away (connections terminated, connections refused for a while): the same worker process
  waits, comes back and runs the next task.

PostgreSQL only: on SQLite pytest-django's test database lives in this process's memory, which another process
cannot open. The subprocesses get short run limits through the environment (``RUN_*`` settings); this process
keeps the defaults, so nothing here is settled by the request path instead of the worker's reaper.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from psycopg import sql

from sessions_app.models import Answer, AnswerStatus, RunStatus, StageRun
from sessions_app.runs.lifecycle import WORKER_STOPPED
from tests.fakes import anthropic as fa
from tests.sessions_app.factories import make_session
from tests.sessions_app.test_interview_api import STRONG, answers_url
from tests.sessions_app.test_interview_runs import assessment
from tests.sessions_app.worker_processes import (  # noqa: F401 (the fixtures)
    REAP_EVERY_S,
    STUCK_AFTER_S,
    fake_claude_fixture,
    start_worker_fixture,
    wait_until,
)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database"),
    pytest.mark.django_db(transaction=True),  # committed rows: the worker processes must see them
]

# No heartbeat for the limit, then at most one sweep; the rest is slack for a busy machine.
SETTLE_DEADLINE_S = STUCK_AFTER_S + REAP_EVERY_S + 15


def run_status(run_id: str) -> str:
    """Read straight from the table: ``run_get`` would settle a stale run itself."""
    return StageRun.objects.filter(pk=run_id).values_list("status", flat=True).get()


@pytest.fixture
def session(user):
    return make_session(user, project_name="Churn")


def submit(api, session, question_id: str) -> tuple[str, int]:
    response = api.post(answers_url(session), {"question_id": question_id, "answer": STRONG}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    return body["run_id"], body["answer"]["answer_id"]


def answer_status(answer_id: int) -> str:
    return Answer.objects.filter(pk=answer_id).values_list("status", flat=True).get()


def terminate_other_backends() -> int:
    """What a PostgreSQL restart does to the worker's connections (this process's own connection survives)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def allow_connections(allowed: bool) -> None:
    """Refuse (or accept again) new connections to the test database, as a server that is down does. PostgreSQL
    takes this only from a connection to another database: the server's ``postgres`` one."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(db["NAME"]), sql.SQL("true" if allowed else "false")
            )
        )


# --- a worker killed mid-run ----------------------------------------------------------------------------------


def test_killed_worker_run_is_settled_by_another_worker_and_the_user_can_go_on(api, session, fake_claude, start_worker):
    fake_claude.queue(fa.slow(120))  # the model call the first worker is in when it is killed
    first = start_worker()
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(
        lambda: fake_claude.message_requests and run_status(run_id) == RunStatus.RUNNING,
        "the first worker is in the model call",
        worker=first,
    )

    first.kill()
    killed_at = time.monotonic()
    second = start_worker()
    settled = wait_until(
        lambda: run_status(run_id) != RunStatus.RUNNING and time.monotonic(),
        "the killed worker's run is settled",
        deadline_s=SETTLE_DEADLINE_S,
        worker=second,
    )

    run = StageRun.objects.get(pk=run_id)
    assert run.status == RunStatus.FAILED and run.error == WORKER_STOPPED, second.output
    assert settled - killed_at < 60  # the promise to users: a dead worker's run is settled within a minute
    assert answer_status(answer_id) == AnswerStatus.CHECK_FAILED
    task_row = DBTaskResult.objects.get(args_kwargs__args__0=run_id)
    assert task_row.status == TaskResultStatus.FAILED  # not left "running", and never taken again
    assert len(fake_claude.message_requests) == 1  # the settled run was not executed again

    fake_claude.queue(fa.json_message(assessment(9)))
    next_run_id, next_answer_id = submit(api, session, "S1Q2")  # the slot is free: no 429
    wait_until(lambda: run_status(next_run_id) == RunStatus.SUCCEEDED, "the new run succeeds", worker=second)
    assert answer_status(next_answer_id) == AnswerStatus.ACCEPTED
    assert second.alive


def test_model_call_longer_than_the_stuck_limit_is_not_reaped(api, session, fake_claude, start_worker):
    fake_claude.queue(fa.json_message(assessment(9), delay=STUCK_AFTER_S * 2.5))  # a slow model
    worker = start_worker()
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(lambda: run_status(run_id) not in (RunStatus.QUEUED, RunStatus.RUNNING), "the run ends", worker=worker)
    run = StageRun.objects.get(pk=run_id)
    assert run.status == RunStatus.SUCCEEDED, (run.error, worker.output[-4000:])
    assert (run.finished_at - run.started_at).total_seconds() > STUCK_AFTER_S  # it did outlast the limit
    assert answer_status(answer_id) == AnswerStatus.ACCEPTED


# --- the database goes away -----------------------------------------------------------------------------------


def test_worker_survives_terminated_connections(api, session, fake_claude, start_worker):
    worker = start_worker(DB_CONN_MAX_AGE="60")  # persistent connections, as in production
    wait_until(lambda: terminate_other_backends() > 0, "the worker's connections are terminated", worker=worker)
    fake_claude.queue(fa.json_message(assessment(9)))
    run_id, _ = submit(api, session, "S1Q1")
    wait_until(lambda: run_status(run_id) == RunStatus.SUCCEEDED, "the worker runs the new task", worker=worker)
    assert worker.alive


def test_worker_waits_for_a_database_that_refuses_connections_then_goes_on(api, session, fake_claude, start_worker):
    worker = start_worker(DB_CONN_MAX_AGE="60")
    try:
        allow_connections(False)
        terminate_other_backends()
        wait_until(
            lambda: worker.output.count("worker_database_unavailable") >= 2 or not worker.alive,
            "the worker retries the database",
            worker=worker,
        )
        assert worker.alive, worker.output[-4000:]
    finally:
        allow_connections(True)
    fake_claude.queue(fa.json_message(assessment(9)))
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(lambda: run_status(run_id) == RunStatus.SUCCEEDED, "the same worker runs the new task", worker=worker)
    assert worker.alive and "worker_database_back" in worker.output
    assert answer_status(answer_id) == AnswerStatus.ACCEPTED


def test_database_down_during_a_model_call_fails_that_run_and_the_worker_goes_on(
    api, session, fake_claude, start_worker
):
    fake_claude.queue(fa.json_message(assessment(9), delay=1.5))  # the database goes away during this call
    worker = start_worker(DB_CONN_MAX_AGE="60")
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(lambda: fake_claude.message_requests, "the worker is in the model call", worker=worker)
    try:
        allow_connections(False)
        terminate_other_backends()
        # The reply arrives, the run's next write fails: the worker waits for the database.
        wait_until(lambda: "worker_database_unavailable" in worker.output, "the worker waits", worker=worker)
    finally:
        allow_connections(True)
    wait_until(
        lambda: run_status(run_id) not in (RunStatus.QUEUED, RunStatus.RUNNING),
        "the run is settled",
        deadline_s=SETTLE_DEADLINE_S,
        worker=worker,
    )
    run = StageRun.objects.get(pk=run_id)
    assert run.status == RunStatus.FAILED and "press Retry" in run.error
    assert answer_status(answer_id) == AnswerStatus.CHECK_FAILED
    assert worker.alive, worker.output[-4000:]

    fake_claude.queue(fa.json_message(assessment(9)))
    next_run_id, _ = submit(api, session, "S1Q2")
    wait_until(lambda: run_status(next_run_id) == RunStatus.SUCCEEDED, "the worker runs the next task", worker=worker)


def test_a_live_run_outlasting_an_outage_longer_than_the_stuck_limit_still_succeeds(
    api, session, fake_claude, start_worker
):
    """Its heartbeats could not be written during the outage; once the database is back the reaper must not take
    it for a run whose worker died."""
    fake_claude.queue(fa.json_message(assessment(9), delay=STUCK_AFTER_S * 3))  # longer than the outage
    # Sweeps far more often than beats: once the database is back, the reaper looks before the next heartbeat.
    worker = start_worker(DB_CONN_MAX_AGE="60", RUN_HEARTBEAT_SECONDS=str(STUCK_AFTER_S / 3), RUN_REAP_SECONDS="0.1")
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(lambda: fake_claude.message_requests, "the worker is in the model call", worker=worker)
    try:
        allow_connections(False)
        terminate_other_backends()
        outage_ends = time.monotonic() + STUCK_AFTER_S * 1.5
        wait_until(lambda: time.monotonic() > outage_ends, "the outage lasts longer than the stuck limit")
        assert "run_reaper_failed" in worker.output  # the reaper did notice the outage
    finally:
        allow_connections(True)
    wait_until(lambda: run_status(run_id) != RunStatus.RUNNING, "the run ends", worker=worker)
    run = StageRun.objects.get(pk=run_id)
    assert run.status == RunStatus.SUCCEEDED, (run.error, worker.output[-4000:])
    assert answer_status(answer_id) == AnswerStatus.ACCEPTED


def test_a_queued_run_wakes_an_idle_worker_at_once(api, session, fake_claude, start_worker):
    """LISTEN/NOTIFY: with a polling interval of a minute, the run still starts as soon as it is queued."""
    worker = start_worker(interval=60)
    time.sleep(0.5)  # let the worker go idle into its minute-long sleep
    fake_claude.queue(fa.json_message(assessment(9)))
    run_id, answer_id = submit(api, session, "S1Q1")
    wait_until(
        lambda: run_status(run_id) == RunStatus.SUCCEEDED, "the woken worker runs it", deadline_s=20, worker=worker
    )
    assert answer_status(answer_id) == AnswerStatus.ACCEPTED
