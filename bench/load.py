"""Load benchmark: many people doing short interviews at once against gunicorn and the task worker(s).

Each simulated user (a new connection per request, as nginx opens to gunicorn) registers, creates a session,
opens stage 1, answers a handful of its free-text questions (each answer is checked by a background run: the user
polls it, as the page does, until the verdict), pauses a little between answers, then reads the session and the
session list. Users start spread over ``--ramp`` seconds. The server is production-like: gunicorn with the image's
settings (deploy/gunicorn.conf.py; 2 processes × 4 threads by default), 1 or 2 ``db_worker`` processes,
PostgreSQL, Redis for the rate-limit counters, the offline provider, JSON logs at INFO, production rate limits
(except the per-IP login and registration limits: every simulated user comes from 127.0.0.1).

    .venv/bin/python bench/load.py                          # 50 and 200 users, with 1 and then 2 task workers
    .venv/bin/python bench/load.py --users 50 --task-workers 2

Prints, per scenario: requests, errors (5xx, transport errors, unexpected answers), 429s, p50/p95 per request
kind, the submit → verdict time, and the CPU the server side used. Exit status 1 if any scenario had an error.
A benchmark, not a test: docs/PERFORMANCE.md and docs/DEPLOYMENT.md ("Scaling web and workers") record figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from interview import free_port, percentile, reset_database, serve

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-not-secret-1234"
QUESTIONS = ["S1Q1", "S1Q2", "S1Q3", "S1Q4", "S1Q6", "S1Q7"]
ANSWERS = [
    "Cut the time to triage a reported pothole from 9 days to 2, measured in the works-order system.",
    "About 1,400 reports a month reach the council; a third wait more than a week for an inspector.",
    "Inspectors, the roads manager and the contact centre, who answer residents' follow-up calls.",
    "A ranked list each morning of reports most likely to be dangerous, from the photo and the location.",
    "If it fails, reports are triaged by hand in arrival order, as they are today.",
    "Within six months, for the northern district first; the budget is £60,000 including staff time.",
]


@dataclass
class Scenario:
    users: int
    task_workers: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    verdicts: list[float] = field(default_factory=list)
    interviews: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    throttled: int = 0
    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


class User:
    """One simulated person, with their own keep-alive connection."""

    def __init__(self, scenario: Scenario, client: httpx.AsyncClient, rng: random.Random, poll: float) -> None:
        self.scenario, self.client, self.rng, self.poll = scenario, client, rng, poll

    async def call(self, kind: str, method: str, url: str, expect: int, **kwargs: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.scenario.errors.append(f"{kind}: {type(exc).__name__}")
            return None
        self.scenario.requests += 1
        self.scenario.latencies[kind].append(time.perf_counter() - started)
        if response.status_code == 429:
            self.scenario.throttled += 1
            return None
        if response.status_code != expect:
            self.scenario.errors.append(f"{kind}: HTTP {response.status_code} {response.text[:120]}")
            return None
        return response

    async def interview(self, number: int, answers: int) -> None:
        began = time.perf_counter()
        email = f"load-{self.scenario.users}-{self.scenario.task_workers}-{number}@bench.uaip.invalid"
        registered = await self.call(
            "register", "POST", "/auth/register", 201, json={"email": email, "password": PASSWORD}
        )
        if registered is None:
            return
        self.client.headers["Authorization"] = f"Bearer {registered.json()['token']}"
        created = await self.call("create session", "POST", "/sessions", 201, json={"project_name": f"Load {number}"})
        if created is None:
            return
        session = f"/sessions/{created.json()['session_id']}"
        await self.call("stage", "GET", f"{session}/stages/1", 200)
        for n in range(answers):
            await asyncio.sleep(self.rng.uniform(1.0, 3.0))  # reading and typing, much compressed
            payload = {"question_id": QUESTIONS[n % len(QUESTIONS)], "answer": ANSWERS[n % len(ANSWERS)]}
            submitted_at = time.perf_counter()
            submitted = await self.call("submit answer", "POST", f"{session}/stages/1/answers", 202, json=payload)
            if submitted is None:
                continue
            run = f"/runs/{submitted.json()['run_id']}"
            while True:
                await asyncio.sleep(self.poll)
                polled = await self.call("poll run", "GET", run, 200)
                if polled is None:
                    break
                status = polled.json()["status"]
                if status not in ("queued", "running"):
                    if status == "succeeded":
                        self.scenario.verdicts.append(time.perf_counter() - submitted_at)
                    else:
                        self.scenario.errors.append(f"run ended {status}")
                    break
        await self.call("session", "GET", session, 200)
        await self.call("session list", "GET", "/sessions", 200)
        self.scenario.interviews.append(time.perf_counter() - began)


def server_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by these processes and their children (gunicorn workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    wanted = set(pids)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid in wanted or parent in wanted:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def run_scenario(scenario: Scenario, base: str, *, answers: int, ramp: float, poll: float, seed: int) -> None:
    # A connection per request, as gunicorn sees it in production: deploy/nginx.conf proxies each request on a new
    # upstream connection. (Held open by 200 clients, gthread's keep-alive reaper can close a connection whose next
    # request is already in its buffer once the server is saturated; browsers meet nginx, not gunicorn.)
    limits = httpx.Limits(max_connections=scenario.users + 10, max_keepalive_connections=0)

    async def one(number: int) -> None:
        await asyncio.sleep(ramp * number / scenario.users)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            await User(scenario, client, random.Random(seed * 100_000 + number), poll).interview(number, answers)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(scenario.users)))
    scenario.seconds = time.perf_counter() - started


def report(scenario: Scenario) -> None:
    print(
        f"\n{scenario.users} users, {scenario.task_workers} task worker(s): {scenario.requests} requests in "
        f"{scenario.seconds:.1f} s ({scenario.requests / scenario.seconds:.0f} req/s), errors {len(scenario.errors)}, "
        f"429s {scenario.throttled}, server CPU {scenario.cpu_seconds:.0f} s "
        f"({100 * scenario.cpu_seconds / scenario.seconds:.0f}% of one core)"
    )
    print(f"  {'request':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind, values in scenario.latencies.items():
        ms = [v * 1000 for v in values]
        print(f"  {kind:<16}{len(ms):>7}{percentile(ms, 0.5):>9.0f}{percentile(ms, 0.95):>9.0f}{max(ms):>9.0f}")
    if scenario.verdicts:
        print(
            f"  submit → verdict (polled every {POLL_NOTE}): p50 {percentile(scenario.verdicts, 0.5):.2f} s, "
            f"p95 {percentile(scenario.verdicts, 0.95):.2f} s; whole interview p50 "
            f"{percentile(scenario.interviews, 0.5):.1f} s"
        )
    for sample in scenario.errors[:5]:
        print(f"  e.g. {sample}")


POLL_NOTE = ""


def main() -> int:
    global POLL_NOTE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/uaip_bench_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--task-workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (4 threads each)")
    parser.add_argument("--answers", type=int, default=6, help="answers per interview")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the users start")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between two polls of a run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    POLL_NOTE = f"{args.poll * 1000:.0f} ms"

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "INFO",
        "RATE_LIMIT_AUTH_IP": "1000000/h",  # every simulated user registers from 127.0.0.1
        "RATE_LIMIT_REGISTER_PAIR": "1000000/h",
        "LLM_PROVIDERS": "offline",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="uaip-bench-static-"),
    }
    scenarios = []
    for task_workers in args.task_workers:
        for users in args.users:
            reset_database(args.database_url)
            port = free_port()
            base = f"http://127.0.0.1:{port}/api/v1"
            scenario = Scenario(users, task_workers)
            with serve(
                ROOT, env, port, [], task_workers=task_workers, web_workers=args.web_workers, image_config=True
            ) as web_pid:
                wait_until_up(base)
                pids = [web_pid, *worker_pids(web_pid)]
                cpu_before = server_cpu_seconds(pids)
                asyncio.run(
                    run_scenario(scenario, base, answers=args.answers, ramp=args.ramp, poll=args.poll, seed=args.seed)
                )
                scenario.cpu_seconds = server_cpu_seconds(pids) - cpu_before
            report(scenario)
            scenarios.append(scenario)
    print(
        f"\n{os.cpu_count()} cores; gunicorn {args.web_workers} × 4 threads; {args.answers} answers per interview, "
        f"pauses 1–3 s, users started over {args.ramp:.0f} s"
    )
    return 1 if any(s.errors for s in scenarios) else 0


def worker_pids(web_pid: int) -> list[int]:
    """The task workers started beside gunicorn (same parent: this process)."""
    mine = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != web_pid:
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == mine and b"db_worker" in cmdline:
                found.append(int(entry.name))
    return found


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # waiting for start-up, not measuring
    raise SystemExit(f"{base} did not answer within 60 s")


if __name__ == "__main__":
    sys.exit(main())
