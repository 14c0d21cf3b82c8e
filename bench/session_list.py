"""Benchmark: the session list (the dashboard and ``GET /api/v1/sessions``) for a user with few and with many
sessions, among many sessions in total.

Seeds a dedicated PostgreSQL database with ``--total`` sessions (five stage states each, as every session has),
of which one user owns ``--small`` and another ``--large``; the rest are spread over filler users. Then times the
list's two queries as the API runs them (the selector, the page of 20 and the paginator's count), in process, and
prints p50/p95 per user, the ratio large/small, and EXPLAIN ANALYZE of both queries for the large user.

    .venv/bin/python bench/session_list.py                  # 100 and 10,000 sessions among 100,000
    .venv/bin/python bench/session_list.py --reseed

A benchmark, not a test: it prints figures; docs/PERFORMANCE.md records them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SMALL_EMAIL = "list-small@bench.example"
LARGE_EMAIL = "list-large@bench.example"
PAGE_SIZE = 20


def ensure_database(url: str, *, reseed: bool) -> bool:
    """Create the database if missing (or again with ``--reseed``); ``True`` when it needs seeding."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not reseed:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def seed(*, total: int, small: int, large: int, per_filler: int) -> None:
    from accounts.models import User
    from sessions_app.models import STAGE_COUNT, ScopingSession, StageState, StageStatus
    from sessions_app.team.services import owners_join

    def owner(email: str) -> User:
        return User.objects.create_user(email=email, password="bench-password-123")

    counts = [(owner(SMALL_EMAIL), small), (owner(LARGE_EMAIL), large)]
    rest = total - small - large
    for number in range(max(0, rest) // per_filler):
        counts.append((owner(f"filler{number}@bench.example"), per_filler))
    started = time.monotonic()
    for user, count in counts:
        for start in range(0, count, 5000):
            batch = owners_join(
                ScopingSession.objects.bulk_create(
                    ScopingSession(owner=user, project_name=f"Project {start + n}")
                    for n in range(min(5000, count - start))
                )
            )
            StageState.objects.bulk_create(
                StageState(
                    session=session,
                    stage=stage,
                    status=StageStatus.COMPLETED if stage <= (i % (STAGE_COUNT + 1)) else StageStatus.OPEN,
                )
                for i, session in enumerate(batch)
                for stage in range(1, STAGE_COUNT + 1)
            )
    from django.db import connection

    # What autovacuum does to a table soon after a bulk load: statistics, and the visibility map that lets the
    # paginator's COUNT(*) be an index-only scan. Measured right after the load without it, the large user's count
    # visits every heap page of its 10,000 sessions (p95 ratio 1.71 instead of 0.95).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {sum(c for _, c in counts):,} sessions in {time.monotonic() - started:.0f} s")


def list_page(user: object) -> tuple[int, list[object]]:
    """What ``GET /api/v1/sessions`` asks the database: the paginator's count and the first page."""
    from django.core.paginator import Paginator

    from sessions_app.sessions.selectors import session_list

    page = Paginator(session_list(user=user), PAGE_SIZE).page(1)  # type: ignore[arg-type]
    return page.paginator.count, [s.completed_stage_count for s in page.object_list]  # type: ignore[attr-defined]


def timed(user: object, runs: int) -> list[float]:
    for _ in range(5):
        list_page(user)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        list_page(user)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/uaip_bench_list")
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--per-filler", type=int, default=1000, help="sessions per filler user")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    needs_seed = ensure_database(args.database_url, reseed=args.reseed)
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="uaip.settings", DJANGO_DEBUG="1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User

    if needs_seed:
        call_command("migrate", verbosity=0)
        seed(total=args.total, small=args.small, large=args.large, per_filler=args.per_filler)
    small, large = User.objects.get(email=SMALL_EMAIL), User.objects.get(email=LARGE_EMAIL)

    results = {}
    for label, user in (("small", small), ("large", large)):
        samples = timed(user, args.runs)
        count, _ = list_page(user)
        results[label] = (percentile(samples, 0.5), percentile(samples, 0.95))
        print(f"{label:>5}: {count:>6,} sessions  p50 {results[label][0]:6.2f} ms  p95 {results[label][1]:6.2f} ms")
    ratio = results["large"][1] / results["small"][1]
    print(f"p95 ratio large/small: {ratio:.2f} (target ≤ 1.3)")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        list_page(large)
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n-- {query['sql'][:110]}…\n{plan}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
