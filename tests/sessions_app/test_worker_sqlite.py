"""The embedded SQLite default with real worker processes: two workers on one database file, each with its
reaper and the heartbeat of a long model call writing beside the task loop, and no "database is locked".

This runs whatever the test database is: the workers and this test share a throwaway SQLite file of their own
(pytest-django's SQLite test database lives in this process's memory, which another process cannot open).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.fakes import anthropic as fa
from tests.fakes.anthropic import FakeAnthropic
from tests.sessions_app.test_interview_api import STRONG
from tests.sessions_app.test_interview_runs import assessment
from tests.sessions_app.worker_processes import (  # noqa: F401 (the fixtures)
    ROOT,
    STUCK_AFTER_S,
    WorkerProcess,
    fake_claude_fixture,
    start_worker_fixture,
    wait_until,
    worker_env,
)

USERS = 2
CREATE_CHECKS = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from accounts.models import User
from sessions_app.interview.services import answer_submit
from sessions_app.sessions.services import session_create
run_ids = []
for n in range({USERS}):
    owner = User.objects.create_user(email=f"worker{{n}}@example.com", password="a-long-test-password-42", name="W")
    session = session_create(owner=owner, project_name="Churn")
    submitted = answer_submit(session=session, stage_number=1, question_id="S1Q1", answer={STRONG!r})
    run_ids.append(str(submitted.run.pk))
print("RUN_IDS=" + ",".join(run_ids))
"""


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def statuses(database: Path, run_ids: list[str]) -> dict[str, str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        rows = db.execute(
            f"SELECT id, status FROM sessions_app_stagerun WHERE id IN ({','.join('?' * len(run_ids))})",
            [run_id.replace("-", "") for run_id in run_ids],
        ).fetchall()
    return {row[0]: row[1] for row in rows}


def test_two_workers_with_heartbeats_and_reapers_share_one_sqlite_file(
    tmp_path: Path, fake_claude: FakeAnthropic, start_worker: Callable[..., WorkerProcess]
):
    database = tmp_path / "uaip.sqlite3"
    url = f"sqlite:///{database}"
    # Both model calls outlast the stuck limit: the heartbeats must keep both runs alive through the reapers.
    fake_claude.queue(*[fa.json_message(assessment(9), delay=STUCK_AFTER_S * 2) for _ in range(USERS)])
    output = manage(worker_env(fake_claude.url, database_url=url), "shell", "-c", CREATE_CHECKS)
    workers = [start_worker(database_url=url, wait=False) for _ in range(2)]
    for worker in workers:
        worker.wait_started()
    run_ids = next(line for line in output.splitlines() if line.startswith("RUN_IDS=")).split("=", 1)[1].split(",")

    done = wait_until(
        lambda: (
            (found := statuses(database, run_ids))
            and all(s not in ("queued", "running") for s in found.values())
            and found
        ),
        "both runs end",
        worker=workers[0],
    )
    assert sorted(done.values()) == ["succeeded"] * USERS, [w.output[-3000:] for w in workers]
    assert len(fake_claude.message_requests) == USERS  # each run was done once
    for worker in workers:
        assert worker.alive
        assert "database is locked" not in worker.output
        assert "run_heartbeat_failed" not in worker.output and "run_reaper_failed" not in worker.output
    assert all(
        json.loads(line).get("event") != "run_crashed"
        for w in workers
        for line in w.output.splitlines()
        if line.startswith("{")
    )
