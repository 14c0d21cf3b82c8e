"""Benchmark: how long the offline provider takes to evaluate a free-text answer end to end.

Submit → the answer is saved → a background run is queued → the task worker (``manage.py db_worker``) picks it
up → the offline quality check runs → the run succeeds. Measured from the client's POST until its poll sees
``succeeded``, over N answers (default 100), with gunicorn and the worker running on PostgreSQL, as in
production. Prints p50/p95/p99 and the share of time before the worker picked the run up.

    .venv/bin/python bench/interview.py                    # 100 answers, worker polling every 1 s (its default)
    .venv/bin/python bench/interview.py --worker-interval 0.1

A benchmark, not a test: it prints figures; docs/PERFORMANCE.md records them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = [
    "Improve efficiency",
    "About 2.1% of our 180,000 subscribers cancel each month; each costs about €540 of margin a year.",
    "Use AI for predictions",
    "Cut claim processing from 14 to 7 days within two quarters, measured in the claims system.",
]
QUESTIONS = ["S1Q1", "S1Q2", "S1Q3", "S1Q4", "S1Q6", "S1Q7"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


EMAIL = "bench@bench.uaip.invalid"
PASSWORD = "bench-password-not-secret-1234"


@contextlib.contextmanager
def serve(
    root: Path,
    env: dict[str, str],
    port: int,
    worker_args: list[str],
    *,
    task_workers: int = 1,
    web_workers: int = 2,
    image_config: bool = False,
) -> Iterator[int]:
    """Migrate, then run gunicorn (``web_workers`` processes × 4 threads) and ``task_workers`` task workers from
    ``root`` until the block ends; gives gunicorn's process id. Their output is discarded. ``image_config``: with
    the image's gunicorn settings (deploy/gunicorn.conf.py: keep-alive, timeouts, worker recycling)."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=root, env=env, check=True)
    if image_config:
        env = {**env, "PORT": str(port), "WEB_CONCURRENCY": str(web_workers), "GUNICORN_THREADS": "4"}
        gunicorn = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "uaip.wsgi"]
    else:
        gunicorn = [sys.executable, "-m", "gunicorn", "uaip.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(web_workers)]
        gunicorn += ["--threads", "4"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    web = subprocess.Popen(gunicorn, cwd=root, env=env, **quiet)  # type: ignore[call-overload]
    workers = [
        subprocess.Popen([*manage, "db_worker", "--no-reload", *worker_args], cwd=root, env=env, **quiet)  # type: ignore[call-overload]
        for _ in range(task_workers)
    ]
    try:
        yield web.pid
    finally:
        for process in (web, *workers):
            process.terminate()
        for process in (web, *workers):
            process.wait(timeout=20)


def log_in(client: httpx.Client) -> None:
    """Wait for the server to answer, register the benchmark's user and send its token from then on."""
    for _ in range(300):
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    token = client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/uaip_bench_interview")
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--worker-interval", type=float, default=1.0, help="db_worker --interval (seconds)")
    parser.add_argument("--poll", type=float, default=0.02, help="client polling interval (seconds)")
    args = parser.parse_args()

    reset_database(args.database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ANSWER_SUBMIT": "100000/m",
        "RATE_LIMIT_AUTH_IP": "1000/h",
        "LLM_PROVIDERS": "offline",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="uaip-bench-static-"),
    }
    base = f"http://127.0.0.1:{port}/api/v1"
    with (
        serve(ROOT, env, port, ["--interval", str(args.worker_interval)]),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        log_in(client)
        session_id = client.post("/sessions", json={"project_name": "Interview bench"}).json()["session_id"]
        totals, pickups, errors = [], [], 0
        for n in range(args.answers):
            # Numbered, so no answer repeats the current one (an identical re-save is a no-op, answered 201).
            answer = f"{ANSWERS[n % len(ANSWERS)]} (answer {n})"
            payload = {"question_id": QUESTIONS[n % len(QUESTIONS)], "answer": answer}
            started = time.perf_counter()
            response = client.post(f"/sessions/{session_id}/stages/1/answers", json=payload)
            if response.status_code != 202:
                errors += 1
                print(f"answer {n}: HTTP {response.status_code} {response.text[:120]}", file=sys.stderr)
                continue
            run_id = response.json()["run_id"]
            while True:
                run = client.get(f"/runs/{run_id}").json()
                if run["status"] not in ("queued", "running"):
                    break
                time.sleep(args.poll)
            elapsed = time.perf_counter() - started
            if run["status"] != "succeeded":
                errors += 1
                continue
            totals.append(elapsed)
            pickups.append(max(0.0, elapsed - (run["elapsed_seconds"] or 0)))

    print(
        f"answers: {len(totals)} succeeded, {errors} errors; worker interval {args.worker_interval} s; "
        f"client poll {args.poll * 1000:.0f} ms; {os.cpu_count()} cores"
    )
    print(f"{'metric':<26}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}")
    for label, values in (("submit → succeeded (s)", totals),):
        print(
            f"{label:<26}{percentile(values, 0.5):>10.3f}{percentile(values, 0.95):>10.3f}"
            f"{percentile(values, 0.99):>10.3f}{max(values):>10.3f}"
        )
    print(
        f"mean {statistics.mean(totals):.3f} s; target p95 ≤ 0.15 s: "
        f"{'met' if percentile(totals, 0.95) <= 0.15 else 'MISSED'}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
