"""Benchmark: downloading a charter's PDF and Word files, which the generation run rendered once and stored.

Sets up a finished session (the churn answers, all five stages complete) in a fresh PostgreSQL database, asks
for a charter through the API with gunicorn and the task worker running as in production, then downloads
``charter.pdf``, ``charter.docx`` and (for comparison, made from the content on each request) ``charter.md``
N times each, interleaved. Prints p50/p95/max per format, the first render's time in the worker (from the run),
and the gunicorn workers' memory before and after the downloads.

    .venv/bin/python bench/charter_download.py                 # 200 downloads of each format
    .venv/bin/python bench/charter_download.py --downloads 500

A benchmark, not a test: it prints figures; docs/PERFORMANCE.md records them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.interview import free_port, log_in, percentile, reset_database, serve

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("pdf", "docx", "md")
TARGET_P95_SECONDS = 0.1


def finish_interview(env: dict[str, str], session_id: str, root: Path) -> None:
    """Store the churn answers and pass the five gates in a child process (the test helpers do it in-process)."""
    code = (
        "import django; django.setup();"
        "from sessions_app.models import ScopingSession;"
        "from tests.sessions_app.interview_helpers import complete_interview;"
        f"complete_interview(ScopingSession.objects.get(pk='{session_id}'))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True)


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the given processes, in MB (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/uaip_bench_download")
    parser.add_argument("--downloads", type=int, default=200, help="downloads of each format")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of pdf, docx, md")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="run the server from this checkout (an export of an older commit)"
    )
    args = parser.parse_args()
    formats = tuple(args.formats.split(","))

    reset_database(args.database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "uaip.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_API": "1000000/h",
        "RATE_LIMIT_AUTH_IP": "1000/h",
        "LLM_PROVIDERS": "offline",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="uaip-bench-static-"),
    }
    timings: dict[str, list[float]] = {fmt: [] for fmt in formats}
    sizes: dict[str, int] = {}
    errors = 0
    base = f"http://127.0.0.1:{port}/api/v1"
    with serve(args.root, env, port, []) as web_pid, httpx.Client(base_url=base, timeout=60) as client:
        log_in(client)
        session_id = client.post("/sessions", json={"project_name": "Download bench"}).json()["session_id"]
        finish_interview(env, session_id, args.root)
        run_id = client.post(f"/sessions/{session_id}/charter").json()["run_id"]
        while (run := client.get(f"/runs/{run_id}").json())["status"] in ("queued", "running"):
            time.sleep(0.2)
        if run["status"] != "succeeded":
            print(f"charter run {run['status']}: {run.get('error')}", file=sys.stderr)
            return 1
        workers = gunicorn_workers(web_pid)
        for fmt in formats:  # one warm-up request per format and worker process
            for _ in workers or [0]:
                client.get(f"/sessions/{session_id}/charter.{fmt}")
        before = rss_mb(workers)
        for _ in range(args.downloads):
            for fmt in formats:
                started = time.perf_counter()
                response = client.get(f"/sessions/{session_id}/charter.{fmt}")
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    errors += 1
                    continue
                timings[fmt].append(elapsed)
                sizes[fmt] = len(response.content)
        after = rss_mb(workers)

    print(
        f"{args.downloads} downloads of each format, interleaved; gunicorn 2 workers × 4 threads; PostgreSQL; "
        f"{os.cpu_count()} cores; {errors} errors"
    )
    print(f"charter run (consistency, content, PDF and Word rendered and stored): {run['elapsed_seconds']:.2f} s")
    print(f"{'format':<8}{'size':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for fmt in formats:
        values = timings[fmt]
        print(
            f"{fmt:<8}{sizes.get(fmt, 0):>10,}{percentile(values, 0.5) * 1000:>10.1f}"
            f"{percentile(values, 0.95) * 1000:>10.1f}{max(values) * 1000:>10.1f}"
        )
    print(f"gunicorn workers' memory: {before:.0f} MB before, {after:.0f} MB after the downloads")
    met = all(percentile(timings[fmt], 0.95) < TARGET_P95_SECONDS for fmt in formats if fmt != "md")
    print(f"target p95 < {TARGET_P95_SECONDS * 1000:.0f} ms for PDF and Word: {'met' if met else 'MISSED'}")
    return 1 if errors or not met else 0


if __name__ == "__main__":
    sys.exit(main())
