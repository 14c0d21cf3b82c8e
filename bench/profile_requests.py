"""Where a session API request spends its time, measured in-process (no HTTP server, no network client).

Uses the bench database and settings of ``api_crud.py`` (seeding it if needed) and Django's test client with a
real JWT, so authentication, rate-limit counters in Redis, structlog and the database all run as in production.
For each of create, get and list (page of 50) it prints the SQL queries per request, the mean time per request,
and a cProfile breakdown of that time by package (self time, so the figures add up to 100 %).

    .venv/bin/python bench/profile_requests.py [--requests 300] [--no-redis] [--log-level WARNING]
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import api_crud

PACKAGES = (
    "rest_framework_simplejwt",
    "rest_framework",
    "django_structlog",
    "structlog",
    "django_ratelimit",
    "django_htmx",
    "whitenoise",
    "psycopg",
    "redis",
    "jwt",
    "django",
    "uaip",
    "accounts",
    "sessions_app",
)


def package_of(filename: str) -> str:
    parts = Path(filename).parts
    for name in PACKAGES:
        if name in parts:
            return name
    if filename.startswith("~") or filename.startswith("<"):
        return "python built-ins (C)"
    return "python stdlib / other"


def measure(
    name: str, call: Callable[[int], Any], status: int, numbers: range, profiler: cProfile.Profile | None = None
) -> float:
    """Mean milliseconds per request over ``numbers``; exits on the first unexpected answer."""
    began = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    for n in numbers:
        response = call(n)
        if response.status_code != status:
            sys.exit(f"{name}: {response.status_code} {response.content[:300]!r}")
    if profiler is not None:
        profiler.disable()
    return (time.perf_counter() - began) * 1000 / len(numbers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/uaip_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--no-redis", action="store_true", help="count rate limits in local memory instead")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    bench_args = api_crud.parse_args(
        [
            "--database-url",
            args.database_url,
            "--redis-url",
            "" if args.no_redis else args.redis_url,
            "--log-level",
            args.log_level,
        ]
    )
    env = api_crud.server_environment(bench_args)
    api_crud.ensure_database(args.database_url)
    api_crud.setup_django(env)
    api_crud.migrate()
    sessions_by_user = api_crud.seed(users=bench_args.users, sessions=bench_args.sessions, reseed=False)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import User

    # Log lines are formatted as in production but thrown away instead of filling the terminal.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)

    users = {u.email: u for u in User.objects.filter(email__in=list(sessions_by_user))}
    headers = {
        email: {"HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(user).access_token}"}
        for email, user in users.items()
    }
    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(3)
    emails = sorted(users)

    def create(n: int):
        return client.post(
            "/api/v1/sessions",
            {"project_name": f"{api_crud.CREATED_PREFIX}p{n}"},
            content_type="application/json",
            **headers[emails[n % len(emails)]],
        )

    def get(n: int):
        email = rng.choice(emails)
        return client.get(f"/api/v1/sessions/{rng.choice(sessions_by_user[email])}", **headers[email])

    def list_page(n: int):
        return client.get(
            "/api/v1/sessions", {"page_size": 50, "page": rng.choice([1, 2])}, **headers[rng.choice(emails)]
        )

    try:
        for name, call, status in (("create", create, 201), ("get", get, 200), ("list", list_page, 200)):
            for n in range(30):  # warm up: connections, caches, imports
                call(-1 - n)
            with CaptureQueriesContext(connection) as captured:
                assert call(0).status_code == status
            queries = [q["sql"] for q in captured.captured_queries]  # read now: the next request clears them

            plain_ms = measure(name, call, status, range(1, 1 + args.requests))
            profiler = cProfile.Profile()
            measure(name, call, status, range(1 + args.requests, 1 + 2 * args.requests), profiler)

            by_package: dict[str, float] = defaultdict(float)
            raw_stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
            for (filename, _line, _function), (_calls, _primitive, self_time, *_rest) in raw_stats.items():
                by_package[package_of(filename)] += self_time
            total = sum(by_package.values()) or 1
            print(f"\n{name}: {len(queries)} SQL queries, {plain_ms:.2f} ms per request in-process")
            for sql in queries:
                print(f"    sql: {sql[:100]}")
            for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:10]:
                print(f"    {100 * seconds / total:5.1f} %  {package}")
    finally:
        removed = api_crud.remove_created_sessions()
        print(f"\nremoved {removed} sessions made by the create runs")


if __name__ == "__main__":
    main()
