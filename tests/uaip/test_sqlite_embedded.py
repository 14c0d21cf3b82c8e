"""The embedded default as ``make run`` starts it: ``rundev`` (web server + ``db_worker``) on a SQLite file, with
several users answering at once over the API while their 20 background checks run and other requests read.
Nothing may answer 5xx ("database is locked" was the failure) and every answer must be saved."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.uaip.test_rundev import start_rundev, stop_rundev

USERS = 5
FREE_TEXT_PER_USER = 4  # 5 × 4 = 20 background runs
PASSWORD = "a-long-embedded-password-42"
TEXT = (
    "Cut the average wait for a repair visit at our {n} regional depots from 9 to 4 working days within 12 months, "
    "measured weekly from the job tickets, so that fewer than 2% of customers call twice about the same fault."
)


class Client:
    """One simulated user: every response's status is recorded, a 429 is waited out and retried."""

    def __init__(self, base: str, statuses: Counter, lock: threading.Lock) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        self.statuses, self.lock = statuses, lock

    def call(self, method: str, url: str, **kwargs) -> httpx.Response:
        for _ in range(200):
            response = self.http.request(method, url, **kwargs)
            with self.lock:
                self.statuses[response.status_code] += 1
            if response.status_code != 429:
                return response
            time.sleep(min(float(response.headers.get("Retry-After", "1")), 1.0) / 4)
        raise AssertionError(f"{method} {url} was refused 200 times")


def _interview(base: str, n: int, statuses: Counter, lock: threading.Lock, out: dict) -> None:
    client = Client(base, statuses, lock)
    registered = client.call(
        "POST", "/api/v1/auth/register", json={"email": f"embedded{n}@example.com", "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    client.http.headers["Authorization"] = f"Bearer {registered.json()['token']}"
    session = client.call("POST", "/api/v1/sessions", json={"project_name": f"Depot repairs {n}"}).json()
    sid = session["session_id"]
    stage = client.call("GET", f"/api/v1/sessions/{sid}/stages/1").json()
    questions = [q for g in stage["groups"] for q in g["questions"]]
    free_text = [q["question_id"] for q in questions if q["type"] == "text"][:FREE_TEXT_PER_USER]
    numbers = [q for q in questions if q["type"] == "number"][:2]
    sent, runs = {}, []
    for index, qid in enumerate(free_text):
        value = TEXT.format(n=10 + n + index)
        response = client.call(
            "POST", f"/api/v1/sessions/{sid}/stages/1/answers", json={"question_id": qid, "answer": value}
        )
        assert response.status_code == 202, response.text
        sent[qid] = {"value": value}  # stored as the answer type's JSON
        runs.append(response.json()["run_id"])
        if index < len(numbers):  # typed answers in between, while the check runs
            q = numbers[index]
            number = {"value": max(q.get("min") or 0, 1) + 1}
            if q.get("unit_choices"):
                number["unit"] = q["unit_choices"][0]
            typed = client.call(
                "POST",
                f"/api/v1/sessions/{sid}/stages/1/answers",
                json={"question_id": q["question_id"], "answer": number},
            )
            assert typed.status_code == 201, typed.text
            sent[q["question_id"]] = typed.json()["answer"]["value"]
    out[n] = (client, sid, sent, runs)


@pytest.mark.timeout(240)
def test_make_run_on_sqlite_survives_a_scripted_interview(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "RATE_LIMIT_AUTH_IP": "1000/h",
    }
    for name in ("ANTHROPIC_API_KEY", "OLLAMA_HOST", "REDIS_URL"):
        env.pop(name, None)
    log = tmp_path / "rundev.log"
    server, port = start_rundev(env, log)
    base = f"http://127.0.0.1:{port}"
    statuses: Counter = Counter()
    lock = threading.Lock()
    try:
        done: dict = {}
        stop_reading = threading.Event()

        def reader() -> None:  # other requests the whole time: lists and stage pages
            client = Client(base, statuses, lock)
            while not stop_reading.is_set():
                for _, (user, sid, _, _) in list(done.items()):
                    for url in ("/api/v1/sessions", f"/api/v1/sessions/{sid}/stages"):
                        response = user.http.get(url)
                        with lock:
                            statuses[response.status_code] += 1
                client.call("GET", "/api/v1/health")
                time.sleep(0.02)

        threads = [threading.Thread(target=_interview, args=(base, n, statuses, lock, done)) for n in range(USERS)]
        background = threading.Thread(target=reader, daemon=True)
        background.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=150)
        assert len(done) == USERS, log.read_text()[-4000:]

        run_ids = [run for _, _, _, runs in done.values() for run in runs]
        assert len(run_ids) == USERS * FREE_TEXT_PER_USER
        finished: dict[str, str] = {}
        deadline = time.monotonic() + 120
        while len(finished) < len(run_ids) and time.monotonic() < deadline:
            for client, _, _, runs in done.values():
                for run in runs:
                    if run not in finished:
                        status = client.call("GET", f"/api/v1/runs/{run}").json()["status"]
                        if status not in ("queued", "running"):
                            finished[run] = status
            time.sleep(0.2)
        stop_reading.set()
        background.join(timeout=10)

        assert sorted(set(finished.values())) == ["succeeded"], finished
        for client, sid, sent, _ in done.values():
            stage = client.call("GET", f"/api/v1/sessions/{sid}/stages/1").json()
            saved = {
                q["question_id"]: q["answers"][-1]["value"]
                for g in stage["groups"]
                for q in g["questions"]
                if q["answers"]
            }
            for qid, value in sent.items():
                assert saved.get(qid) == value, (qid, saved.get(qid), value)
    finally:
        stop_rundev(server)
    assert not [code for code in statuses if code >= 500], statuses
    assert "database is locked" not in log.read_text()
