"""Real ``manage.py db_worker`` processes for tests: started with short run limits, read while they run, stopped
(or killed) at the end. The worker talks to the fake Anthropic server of ``tests/fakes`` through the real client.

Fixtures (import ``fake_claude_fixture`` and ``start_worker_fixture``): ``fake_claude``, the fake server, and
``start_worker(database_url=None, **env)``, a started worker (all are stopped at the end); without
``database_url`` the worker uses this test run's PostgreSQL test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.fakes.anthropic import FakeAnthropic
from tests.llm.conftest import ANTHROPIC_KEY

ROOT = Path(__file__).resolve().parents[2]
# The subprocesses' limits: a heartbeat every 0.2 s, dead after 2 s without one, a reaper sweep every 0.5 s.
STUCK_AFTER_S, REAP_EVERY_S = 2.0, 0.5
DEADLINE_S = 30  # upper bound for any other outcome awaited here; every wait ends as soon as it holds


class WorkerProcess:
    """``manage.py db_worker`` in its own process group, its output in a file that can be read while it runs."""

    def __init__(self, env: dict[str, str], log_path: Path, *, interval: float = 0.1) -> None:
        self.log_path = log_path
        with log_path.open("wb") as out:
            self.popen = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    str(interval),
                    "--skip-llm-check",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_started(self) -> None:
        wait_until(lambda: "Starting worker" in self.output or not self.alive, "the worker starts", worker=self)
        assert self.alive, self.output

    def kill(self) -> None:
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=DEADLINE_S)

    def stop(self) -> int:
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode


def wait_until(condition: Callable[[], Any], what: str, *, deadline_s: float = DEADLINE_S, worker=None) -> Any:
    """Poll ``condition()`` until it returns something truthy; fail (with the worker's output) at the deadline."""
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    output = f"\nworker output:\n{worker.output[-6000:]}" if worker is not None else ""
    pytest.fail(f"not within {deadline_s:g} s: {what}{output}")


def shared_database_url() -> str:
    """This test run's PostgreSQL test database (``test_<name>``), for the worker processes."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(anthropic_url: str, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url or shared_database_url(),
        "DJANGO_DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "LOG_JSON": "1",
        "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
        "ANTHROPIC_BASE_URL": anthropic_url,
        "OLLAMA_HOST": "",
        "LLM_PROVIDERS": "anthropic",
        "LLM_OFFLINE_ENABLED": "0",
        "LLM_RETRY_ATTEMPTS": "1",
        "LLM_ANTHROPIC_TIMEOUT_FAST": "60",
        "LLM_ANTHROPIC_TIMEOUT_BALANCED": "60",
        "RUN_HEARTBEAT_SECONDS": "0.2",
        "RUN_STUCK_AFTER_SECONDS": str(STUCK_AFTER_S),
        "RUN_REAP_SECONDS": str(REAP_EVERY_S),
        "WORKER_DB_RETRY_SECONDS": "0.2",
        "WORKER_DB_RETRY_MAX_SECONDS": "1",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.fixture(name="fake_claude")
def fake_claude_fixture() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic(api_key=ANTHROPIC_KEY).start()
    yield server
    server.stop()  # also releases a reply still being held back


@pytest.fixture(name="start_worker")
def start_worker_fixture(fake_claude: FakeAnthropic, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(
        *, database_url: str | None = None, wait: bool = True, interval: float = 0.1, **extra_env: str
    ) -> WorkerProcess:
        env = worker_env(fake_claude.url, database_url=database_url, **extra_env)
        worker = WorkerProcess(env, tmp_path / f"worker{len(started) + 1}.log", interval=interval)
        started.append(worker)
        if wait:
            worker.wait_started()
        return worker

    yield start
    for worker in started:
        worker.stop()
