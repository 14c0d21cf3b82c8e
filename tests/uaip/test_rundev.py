"""``manage.py rundev`` (what ``make run`` starts): web server and task worker together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, ProcessLookupError):
        return "Z"


def _group_members(group_ids: list[int]) -> list[int]:
    """Every live process in these process groups (the children and what they started)."""
    listing = subprocess.run(["ps", "-eo", "pid=,pgid="], capture_output=True, text=True).stdout
    return [int(pid) for pid, pgid in (line.split() for line in listing.splitlines()) if int(pgid) in group_ids]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_rundev(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """Migrate, start ``manage.py rundev`` on a free port with its output in ``log``, and wait for the line that
    says it is running (printed only once the server answers)."""
    env = {**env, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "rundev", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and "UAIP is running at" not in log.read_text():
        time.sleep(0.1)
    if "UAIP is running at" not in log.read_text():
        stop_rundev(process)
        raise AssertionError(log.read_text())
    return process, port


def stop_rundev(process: subprocess.Popen) -> None:
    """SIGTERM, as Ctrl+C would; a rundev that does not stop within 20 s is killed and the test fails."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise


@pytest.mark.timeout(120)
def test_rundev_serves_the_app_and_runs_the_worker(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    log = tmp_path / "rundev.log"
    process, port = start_rundev(env, log)
    try:
        # The URL is printed only once the server answers: the first request right after it must get through.
        health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "healthy"
        children = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(process.pid)], capture_output=True, text=True
        ).stdout
        assert "db_worker" in children and "runserver" in children
        child_pids = [int(line.split()[0]) for line in children.strip().splitlines()]
        assert f"http://127.0.0.1:{port}/" in log.read_text()
    finally:
        stop_rundev(process)
    assert process.returncode is not None
    alive = [pid for pid in _group_members(child_pids) if "Z" not in _state(pid)]
    assert not alive, "the web server and worker must stop with rundev"
