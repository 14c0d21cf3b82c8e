"""Benchmark of the scoping-session API: create, get and list (page of 50) at concurrency 1 and 20.

A benchmark, not a test: it seeds a dedicated PostgreSQL database (10,000 sessions over 100 users by
default), starts gunicorn on it with production settings, logs every bench user in through the API to get
JWTs, fires requests from threads with one keep-alive ``httpx.Client`` each, and prints p50/p95/p99 latency
and throughput. Any error (unexpected status, wrong body, exception) is counted; errors at concurrency 20 make
the exit status 1.

    .venv/bin/python bench/api_crud.py                  # everything, with the defaults below
    .venv/bin/python bench/api_crud.py --floor --operations   # only the floor comparison (issue 16)
    .venv/bin/python bench/api_crud.py --help

``--floor`` also compares session detail (``GET /api/v1/sessions/{id}``) with two floors served by the same
gunicorn (``bench/floor``): a constant-JSON DRF endpoint with the same middleware, JWT authentication and throttles,
and a plain Django view; the three are measured in interleaved rounds and the ratios of their throughputs printed.

See bench/README.md for what is measured and how to read it, docs/PERFORMANCE.md for recorded figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_EMAIL_DOMAIN = "bench.uaip.invalid"
BENCH_PASSWORD = "bench-password-not-secret-1234"
CREATED_PREFIX = "bench-created "  # sessions made by the create scenario; removed before and after a run
PAGE_SIZE = 50
TARGETS_MS = {("get", 1): 30.0, ("list", 1): 30.0, ("create", 1): 40.0}  # p95 targets from issue 2
FLOOR_TARGET = 0.8  # session detail's throughput as a share of the DRF floor's (issue 16)


# --- Configuration ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/uaip_bench",
        help="PostgreSQL database to seed and serve from; created if missing (default: %(default)s)",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="cache for rate-limit counters, as in production; '' for per-process local memory",
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=10_000, help="spread evenly over the users")
    parser.add_argument("--reseed", action="store_true", help="drop the bench users and seed again")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20])
    parser.add_argument(
        "--requests",
        type=int,
        nargs="+",
        default=[500, 2000],
        help="measured requests per operation, one figure per --concurrency value",
    )
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests before each scenario")
    parser.add_argument("--operations", nargs="*", default=["create", "get", "list"], choices=["create", "get", "list"])
    parser.add_argument("--floor", action="store_true", help="also compare session detail with the floors")
    parser.add_argument("--floor-concurrency", type=int, default=10)
    parser.add_argument("--floor-rounds", type=int, default=15, help="interleaved rounds of the three endpoints")
    parser.add_argument("--floor-requests", type=int, default=600, help="requests per endpoint and round")
    parser.add_argument(
        "--url",
        help="use this already running server instead of starting gunicorn (it must "
        "serve --database-url with rate limits raised)",
    )
    parser.add_argument("--port", type=int, default=0, help="port for the gunicorn it starts (default: a free one)")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (default: 2 x cores)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn gthread worker")
    parser.add_argument("--log-level", default="INFO", help="server LOG_LEVEL (production default INFO)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print PostgreSQL plans of the list, count and get queries for one bench user",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=120,
        help="before each scenario, wait up to this many seconds for other jobs on the machine to stop "
        "(less than 25%% of a core busy); 0 to start at once (default: %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--seed", type=int, default=2, help="random seed for picking users and sessions")
    args = parser.parse_args(argv)
    if len(args.requests) != len(args.concurrency):
        parser.error("give one --requests figure per --concurrency value")
    if args.sessions < args.users * 2 * PAGE_SIZE:
        parser.error(f"need at least {2 * PAGE_SIZE} sessions per user: the list scenario reads pages 1 and 2")
    return args


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings (DJANGO_DEBUG off), plain HTTP on loopback, limits raised so the bench never trips
    them.

    Rate limiting stays on: its counters are still incremented in the cache on every request, so its cost is
    in the figures.
    """
    env = {
        "DJANGO_SETTINGS_MODULE": "uaip.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # no TLS proxy in front of the bench server
        "RATELIMIT_ENABLE": "1",
        "RATE_LIMIT_AUTH_IP": "100000/h",
        "RATE_LIMIT_AUTH_EMAIL": "100000/h",
        "RATE_LIMIT_API": "1000000/h",
        "RATE_LIMIT_SESSION_WRITE": "1000000/h",
        "LOG_LEVEL": args.log_level,
        "LOG_JSON": "1",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


# --- Database: create, migrate, seed ------------------------------------------------------------------------


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(
        (
            parts.scheme.replace("postgres", "postgresql", 1) if parts.scheme == "postgres" else parts.scheme,
            parts.netloc,
            "/postgres",
            parts.query,
            "",
        )
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(*, users: int, sessions: int, reseed: bool) -> dict[str, list[str]]:
    """Bench users and their sessions, made with bulk_create; returns e-mail -> that user's session ids."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import User
    from sessions_app.models import ScopingSession, SessionStatus
    from sessions_app.team.services import owners_join

    bench_users = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
    ScopingSession.objects.filter(owner__in=bench_users, project_name__startswith=CREATED_PREFIX).delete()
    seeded = ScopingSession.objects.filter(owner__in=bench_users).count()
    if reseed or bench_users.count() != users or seeded != sessions:
        started = time.perf_counter()
        with transaction.atomic():
            ScopingSession.objects.filter(owner__in=bench_users).delete()
            bench_users.delete()
            password = make_password(BENCH_PASSWORD)  # one Argon2 hash, shared: hashing 100 times is slow
            people = User.objects.bulk_create(
                User(
                    email=f"bench-user-{n:03d}@{BENCH_EMAIL_DOMAIN}",
                    name=f"Bench user {n}",
                    password=password,
                )
                for n in range(users)
            )
            rng = random.Random(7)
            statuses = [SessionStatus.IN_PROGRESS] * 8 + [SessionStatus.COMPLETED, SessionStatus.ABANDONED]
            made = ScopingSession.objects.bulk_create(
                (
                    ScopingSession(
                        owner=people[n % users],
                        project_name=f"Project {n:05d}: {rng.choice(['churn', 'fraud', 'demand', 'triage'])}",
                        description="Seeded by bench/api_crud.py. " * rng.randint(1, 20),
                        status=rng.choice(statuses),
                        current_stage=rng.randint(1, 5),
                    )
                    for n in range(sessions)
                ),
                batch_size=2000,
            )
            owners_join(made)
            # auto_now_add stamps every row with the same instant; spread them over 90 days like real data.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE sessions_app_scopingsession"
                    " SET created_at = now() - random() * interval '90 days',"
                    " updated_at = now() - random() * interval '30 days' WHERE owner_id = ANY(%s)",
                    [[u.pk for u in people]],
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded {users} users and {sessions} sessions in {time.perf_counter() - started:.1f} s")
    else:
        print(f"reusing {users} seeded users and {sessions} sessions (--reseed to start again)")

    by_user: dict[str, list[str]] = {}
    for email, session_id in ScopingSession.objects.filter(owner__in=bench_users).values_list("owner__email", "id"):
        by_user.setdefault(email, []).append(str(session_id))
    return by_user


def remove_created_sessions() -> int:
    from sessions_app.models import ScopingSession

    deleted, _ = ScopingSession.objects.filter(
        owner__email__endswith=f"@{BENCH_EMAIL_DOMAIN}", project_name__startswith=CREATED_PREFIX
    ).delete()
    return deleted


def explain(email: str) -> None:
    from django.db import connection

    from accounts.models import User
    from sessions_app.models import ScopingSession
    from sessions_app.sessions.selectors import session_list

    user = User.objects.get(email=email)
    sessions = session_list(user=user)
    first = sessions.first()
    assert first is not None
    print("\n-- list page:", sessions[:PAGE_SIZE].explain(analyze=True), sep="\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN ANALYZE SELECT COUNT(*) FROM sessions_app_scopingsession WHERE owner_id = %s", [user.pk]
        )
        print("\n-- count:", *(row[0] for row in cursor.fetchall()), sep="\n")
    get = ScopingSession.objects.filter(owner=user, pk=first.pk).order_by()  # what session_get runs
    print("\n-- get:", get.explain(analyze=True), sep="\n")


# --- Server -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(args: argparse.Namespace, env: dict[str, str]) -> Iterator[tuple[str, int | None]]:
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"uaip-bench-gunicorn-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "uaip.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--backlog",
        "256",
    ]
    print(f"starting gunicorn ({args.workers} workers x {args.threads} threads) on {url}; log: {log}")
    # The production settings plus the floor endpoints (bench/floor); nothing else differs.
    served = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=served, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(url, server, log)
            yield url, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_healthy(url: str, server: subprocess.Popen | None, log: Path | None = None) -> None:
    deadline = time.monotonic() + 60
    last_error = ""
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            tail = log.read_text()[-3000:] if log else ""
            raise SystemExit(f"gunicorn exited with status {server.returncode}:\n{tail}")
        try:
            response = httpx.get(f"{url}/api/v1/health", timeout=2)
            if response.status_code == 200:
                return
            last_error = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last_error = repr(exc)
        time.sleep(0.2)  # polling for start-up, not measuring anything
    raise SystemExit(f"{url} did not become healthy within 60 s: {last_error}")


def log_in_everyone(url: str, emails: list[str]) -> dict[str, str]:
    """A JWT access token per bench user, through POST /api/v1/auth/login (Argon2 checks run in parallel)."""
    tokens: dict[str, str] = {}
    lock = threading.Lock()
    todo = iter(emails)

    def work() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while True:
                with lock:
                    email = next(todo, None)
                if email is None:
                    return
                response = client.post("/api/v1/auth/login", json={"email": email, "password": BENCH_PASSWORD})
                if response.status_code != 200:
                    raise SystemExit(f"login of {email} failed: {response.status_code} {response.text[:300]}")
                with lock:
                    tokens[email] = response.json()["token"]

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(tokens) != len(emails):
        raise SystemExit("some logins failed; see above")
    return tokens


# --- Load ---------------------------------------------------------------------------------------------------

Check = Callable[[httpx.Client, int], str | None]  # returns an error description, or None when all is well


@dataclass
class Result:
    operation: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    error_samples: list[str] = field(default_factory=list)
    cpu_percent: dict[str, float] = field(default_factory=dict)  # of one core, per process group

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return math.nan
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else math.nan

    def summary(self) -> dict[str, object]:
        row = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        row.update({f"p{p}_ms": round(self.percentile(p), 2) for p in (50, 95, 99)})
        row["max_ms"] = round(max(self.latencies_ms, default=math.nan), 2)
        row["requests_per_second"] = round(self.throughput, 1)
        return row


def run(
    operation: str,
    check: Check,
    *,
    concurrency: int,
    requests: int,
    warmup: int,
    url: str,
    cpu: CpuMeter,
) -> Result:
    """``requests`` calls of ``check`` over ``concurrency`` threads, each with its own keep-alive client."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(concurrency + 1)
    finished = threading.Barrier(concurrency + 1)

    def worker() -> None:
        mine: list[float] = []
        my_errors: list[str] = []
        with httpx.Client(base_url=url, timeout=30) as client:
            for n in range(warmup // concurrency + 1):
                with suppress(Exception):  # opens the connection and warms the server; not counted
                    check(client, -1 - n)
            start.wait()
            while True:
                with lock:
                    n = next(counter)
                if n >= requests:
                    break
                began = time.perf_counter()
                try:
                    problem = check(client, n)
                except Exception as exc:  # any failure is an error of the run, never a crash of the thread
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed_ms = (time.perf_counter() - began) * 1000
                if problem is None:
                    mine.append(elapsed_ms)
                else:
                    my_errors.append(problem)
            finished.wait()
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu_before = time.perf_counter(), cpu.snapshot()
    finished.wait()
    seconds, cpu_after = time.perf_counter() - began, cpu.snapshot()
    for thread in threads:
        thread.join()
    cpu_use = CpuMeter.percent(cpu_before, cpu_after, seconds)
    return Result(operation, concurrency, requests, len(errors), seconds, latencies, errors[:5], cpu_use)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CPU_GROUPS = ("server", "postgres", "redis", "client", "rest of machine")


class CpuMeter:
    """Where the machine's CPU goes during a scenario, from Linux's /proc (seconds of one core).

    Groups: gunicorn master and workers; the PostgreSQL backends connected to the bench database; Redis; this
    client process; and everything else busy on the machine (other jobs skew the figures: see that column).
    """

    def __init__(self, *, server_pid: int | None, database: str) -> None:
        self.server_pid = server_pid
        self.backend_tag = f" {database} "  # backends are titled "postgres: user database host(port) state"
        self.me = os.getpid()

    def snapshot(self) -> tuple[float, dict[int, tuple[str, float]]]:
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
        machine_busy = (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS  # all but idle and iowait
        processes: dict[int, tuple[str, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat_line = (entry / "stat").read_text()
                group = self._group(int(entry.name), stat_line, entry)
            except (OSError, ValueError):  # the process ended meanwhile
                continue
            if group is not None:
                fields = stat_line[stat_line.rindex(")") + 2 :].split()  # [11] user, [12] system time
                processes[int(entry.name)] = (group, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
        return machine_busy, processes

    def _group(self, pid: int, stat_line: str, entry: Path) -> str | None:
        comm = stat_line[stat_line.index("(") + 1 : stat_line.rindex(")")]
        parent = int(stat_line[stat_line.rindex(")") + 2 :].split()[1])
        if pid == self.me:
            return "client"
        if self.server_pid is not None and self.server_pid in (pid, parent):
            return "server"
        if comm.startswith("postgres"):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            return "postgres" if self.backend_tag in title else None
        if comm.startswith("redis"):
            return "redis"
        return None

    def wait_until_idle(self, max_seconds: float, *, threshold_percent: float = 25) -> float:
        """Wait (up to ``max_seconds``) for a 1-second window in which the machine is nearly idle; the bench's
        own processes are idle between scenarios, so what is busy then is somebody else. Returns that %."""
        deadline = time.monotonic() + max_seconds
        while True:
            before, began = self.snapshot()[0], time.perf_counter()
            time.sleep(1)  # the measurement window itself
            busy = 100 * (self.snapshot()[0] - before) / (time.perf_counter() - began)
            if busy < threshold_percent or time.monotonic() >= deadline:
                return busy

    @staticmethod
    def percent(before: CpuSnapshot, after: CpuSnapshot, seconds: float) -> dict[str, float]:
        """Per group, % of one core between two snapshots (processes that ended meanwhile are not counted)."""
        used = dict.fromkeys(CPU_GROUPS, 0.0)
        for pid, (group, total) in after[1].items():
            used[group] += total - before[1].get(pid, (group, 0.0))[1]
        used["rest of machine"] = max(0.0, after[0] - before[0] - sum(used.values()))
        return {group: round(100 * value / seconds, 1) for group, value in used.items()}


CpuSnapshot = tuple[float, dict[int, tuple[str, float]]]


def checks(tokens: dict[str, str], sessions_by_user: dict[str, list[str]], rng_seed: int) -> dict[str, Check]:
    emails = sorted(tokens)
    headers = {email: {"Authorization": f"Bearer {tokens[email]}"} for email in emails}
    local = threading.local()

    def rng() -> random.Random:
        if not hasattr(local, "rng"):
            local.rng = random.Random(f"{rng_seed}-{threading.get_ident()}")
        return local.rng

    def create(client: httpx.Client, n: int) -> str | None:
        email = emails[n % len(emails)]
        response = client.post(
            "/api/v1/sessions",
            headers=headers[email],
            json={"project_name": f"{CREATED_PREFIX}{n}", "description": "Made by the bench."},
        )
        if response.status_code != 201:
            return f"create: {response.status_code} {response.text[:200]}"
        if not response.json().get("session_id"):
            return "create: no session_id in the answer"
        return None

    def get(client: httpx.Client, n: int) -> str | None:
        email = rng().choice(emails)
        session_id = rng().choice(sessions_by_user[email])
        response = client.get(f"/api/v1/sessions/{session_id}", headers=headers[email])
        if response.status_code != 200:
            return f"get: {response.status_code} {response.text[:200]}"
        if response.json().get("session_id") != session_id:
            return "get: answered with another session"
        return None

    def list_page(client: httpx.Client, n: int) -> str | None:
        email = rng().choice(emails)
        page = rng().choice([1, 2])
        response = client.get("/api/v1/sessions", headers=headers[email], params={"page_size": PAGE_SIZE, "page": page})
        if response.status_code != 200:
            return f"list: {response.status_code} {response.text[:200]}"
        if len(response.json().get("results", [])) != PAGE_SIZE:
            return f"list: page {page} did not hold {PAGE_SIZE} sessions"
        return None

    def drf_floor(client: httpx.Client, n: int) -> str | None:
        email = rng().choice(emails)
        session_id = rng().choice(sessions_by_user[email])
        response = client.get(f"/api/v1/bench/floor/{session_id}", headers=headers[email])
        if response.status_code != 200 or response.json().get("session_id") != session_id:
            return f"drf floor: {response.status_code} {response.text[:200]}"
        return None

    def django_floor(client: httpx.Client, n: int) -> str | None:
        response = client.get("/bench/floor")
        if response.status_code != 200:
            return f"django floor: {response.status_code} {response.text[:200]}"
        return None

    return {"create": create, "get": get, "list": list_page, "drf floor": drf_floor, "django floor": django_floor}


FLOOR_OPERATIONS = ("get", "drf floor", "django floor")


def floor_comparison(
    by_name: dict[str, Check], *, rounds: int, requests: int, concurrency: int, url: str, cpu: CpuMeter
) -> tuple[list[Result], dict[str, list[float]]]:
    """Session detail and the two floors in ``rounds`` interleaved rounds (the order rotates every round, so no
    endpoint always runs first or last); per round, each endpoint's throughput divided by the DRF floor's."""
    results: list[Result] = []
    ratios: dict[str, list[float]] = {name: [] for name in FLOOR_OPERATIONS}
    for index in range(rounds):
        order = FLOOR_OPERATIONS[index % 3 :] + FLOOR_OPERATIONS[: index % 3]
        measured = {
            name: run(name, by_name[name], concurrency=concurrency, requests=requests, warmup=30, url=url, cpu=cpu)
            for name in order
        }
        results.extend(measured.values())
        floor = measured["drf floor"].throughput
        for name in FLOOR_OPERATIONS:
            ratios[name].append(measured[name].throughput / floor)
        print(
            f"  round {index + 1}: "
            + ", ".join(f"{name} {measured[name].throughput:6.1f} req/s" for name in FLOOR_OPERATIONS)
        )
    return results, ratios


def print_floor(results: list[Result], ratios: dict[str, list[float]]) -> list[str]:
    import statistics

    print("\nSession detail against the floors (interleaved rounds; medians over the rounds)")
    header = (
        f"{'endpoint':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'÷ DRF floor':>12} {'range':>13}"
        "  CPU ms per request: server postgres redis client"
    )
    print(header + "\n" + "-" * len(header))
    for name in FLOOR_OPERATIONS:
        mine = [r for r in results if r.operation == name]
        throughput = statistics.median(r.throughput for r in mine)
        p50 = statistics.median(r.percentile(50) for r in mine)
        p95 = statistics.median(r.percentile(95) for r in mine)
        errors = sum(r.errors for r in mine)
        share = statistics.median(ratios[name])
        spread = f"{min(ratios[name]):.2f}-{max(ratios[name]):.2f}"
        label = {"get": "session detail"}.get(name, name)
        cpu = " ".join(
            f"{statistics.median(r.cpu_percent.get(group, math.nan) * 10 / r.throughput for r in mine):>6.2f}"
            for group in ("server", "postgres", "redis", "client")
        )
        print(
            f"{label:<14} {throughput:>8.1f} {p50:>8.1f} {p95:>8.1f} {errors:>6} {share:>12.2f} {spread:>13}"
            f"{'':>21}{cpu}"
        )
    share = statistics.median(ratios["get"])
    errors = sum(r.errors for r in results)
    return [
        f"{'PASS' if share >= FLOOR_TARGET else 'MISS'}  session detail throughput {share:.2f}x the DRF floor's "
        f"(target >= {FLOOR_TARGET}x)",
        f"{'PASS' if errors == 0 else 'FAIL'}  errors in the floor comparison: {errors}",
    ]


# --- Report -------------------------------------------------------------------------------------------------


def machine_description() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    import django

    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "commit": commit.stdout.strip() or os.environ.get("BENCH_COMMIT", "unknown"),
        "load average before the run": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def print_table(results: list[Result]) -> None:
    header = (
        f"{'operation':<9} {'conc':>4} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'req/s':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        s = r.summary()
        print(
            f"{r.operation:<9} {r.concurrency:>4} {r.requests:>8} {r.errors:>6} {s['p50_ms']:>8.1f} "
            f"{s['p95_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['max_ms']:>8.1f} {s['requests_per_second']:>8.1f}"
        )


def print_cpu_table(results: list[Result]) -> None:
    header = f"{'operation':<9} {'conc':>4} " + " ".join(f"{g:>15}" for g in CPU_GROUPS) + f" {'total':>6}"
    print("\nCPU during each scenario, % of one core (the machine has", os.cpu_count(), "cores)")
    print(header + "\n" + "-" * len(header))
    for r in results:
        cells = " ".join(f"{r.cpu_percent.get(g, math.nan):>15.0f}" for g in CPU_GROUPS)
        print(f"{r.operation:<9} {r.concurrency:>4} {cells} {sum(r.cpu_percent.values()):>6.0f}")


def verdicts(results: list[Result]) -> list[str]:
    lines = []
    for r in results:
        target = TARGETS_MS.get((r.operation, r.concurrency))
        if target is not None:
            p95 = r.percentile(95)
            lines.append(
                f"{'PASS' if p95 <= target else 'MISS'}  {r.operation} p95 at concurrency "
                f"{r.concurrency}: {p95:.1f} ms (target <= {target:.0f} ms)"
            )
        if r.concurrency >= 20:
            lines.append(
                f"{'PASS' if r.errors == 0 else 'FAIL'}  {r.operation} errors at concurrency "
                f"{r.concurrency}: {r.errors}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = server_environment(args)
    ensure_database(args.database_url)
    setup_django(env)
    migrate()
    sessions_by_user = seed(users=args.users, sessions=args.sessions, reseed=args.reseed)
    machine = machine_description()
    print("machine:", ", ".join(f"{k} {v}" for k, v in machine.items()))
    if args.explain:
        explain(sorted(sessions_by_user)[0])

    results: list[Result] = []
    server = nullcontext((args.url, None)) if args.url else gunicorn(args, env)
    try:
        with server as (url, server_pid):
            if args.url:
                wait_until_healthy(url, None)
            tokens = log_in_everyone(url, sorted(sessions_by_user))
            print(f"logged in {len(tokens)} users; measuring")
            by_name = checks(tokens, sessions_by_user, args.seed)
            meter = CpuMeter(server_pid=server_pid, database=urlsplit(args.database_url).path.lstrip("/"))
            for concurrency, requests in zip(args.concurrency, args.requests, strict=True):
                for operation in args.operations:
                    if args.wait_idle:
                        busy = meter.wait_until_idle(args.wait_idle)
                        if busy >= 25:
                            print(f"  (machine still {busy:.0f}% busy with other work after {args.wait_idle:.0f} s)")
                    result = run(
                        operation,
                        by_name[operation],
                        concurrency=concurrency,
                        requests=requests,
                        warmup=args.warmup,
                        url=url,
                        cpu=meter,
                    )
                    results.append(result)
                    print(
                        f"  {operation:<6} c={concurrency:<3} {result.throughput:8.1f} req/s, "
                        f"p95 {result.percentile(95):6.1f} ms, errors {result.errors}"
                    )
                    for sample in result.error_samples:
                        print(f"      e.g. {sample}")
            if args.floor:
                if args.wait_idle:
                    meter.wait_until_idle(args.wait_idle)
                print(
                    f"floor comparison: {args.floor_rounds} rounds x {args.floor_requests} requests per endpoint "
                    f"at concurrency {args.floor_concurrency}"
                )
                floor_results, floor_ratios = floor_comparison(
                    by_name,
                    rounds=args.floor_rounds,
                    requests=args.floor_requests,
                    concurrency=args.floor_concurrency,
                    url=url,
                    cpu=meter,
                )
    finally:
        removed = remove_created_sessions()
        print(f"removed {removed} sessions made by the create scenario")

    lines = []
    if results:
        print_table(results)
        print_cpu_table(results)
        lines = verdicts(results)
    if args.floor:
        lines += print_floor(floor_results, floor_ratios)
    print()
    print("\n".join(lines))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "server": {
                        "workers": args.workers,
                        "threads": args.threads,
                        "worker_class": "gthread",
                        "url": args.url,
                        "redis": bool(args.redis_url),
                        "log_level": args.log_level,
                    },
                    "results": [r.summary() for r in results],
                    "floor": (
                        {
                            "results": [r.summary() for r in floor_results],
                            "ratios_to_drf_floor": floor_ratios,
                        }
                        if args.floor
                        else None
                    ),
                },
                indent=2,
            )
        )
    return 1 if any(line.startswith("FAIL") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
