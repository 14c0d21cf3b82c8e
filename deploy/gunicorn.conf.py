"""gunicorn settings for the production image: ``gunicorn --config deploy/gunicorn.conf.py uaip.wsgi``.

Everything an operator may want to change comes from the environment (documented in docs/DEPLOYMENT.md):
``PORT``, ``WEB_CONCURRENCY`` (processes), ``GUNICORN_THREADS`` (threads per process), ``GUNICORN_TIMEOUT``,
``GUNICORN_MAX_REQUESTS``, ``FORWARDED_ALLOW_IPS`` (read by gunicorn itself), ``LOG_LEVEL`` and ``LOG_JSON``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# gunicorn reads this file before it puts the application directory on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from uaip.logging import configure_logging


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        sys.stderr.write(f"Configuration error: {name} must be a whole number, got {value!r}.\n")
        raise SystemExit(2) from None


def _cpus() -> int:
    # The CPUs this process may run on (a container's cpuset), not the host's count.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = [f"0.0.0.0:{_env_int('PORT', 8000)}"]
# 2 x CPUs + 1 processes (at most 8) with 4 threads each. Every thread may hold one persistent PostgreSQL
# connection: web replicas x WEB_CONCURRENCY x GUNICORN_THREADS must stay under PostgreSQL's max_connections.
workers = _env_int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 8))
threads = _env_int("GUNICORN_THREADS", 4)
worker_class = "gthread"
timeout = _env_int("GUNICORN_TIMEOUT", 30)  # LLM work runs in the task worker; web requests are short
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # a little longer than nothing: nginx reuses upstream connections
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 10000)  # recycle processes now and then; 0 turns it off
max_requests_jitter = max_requests // 10

# Load Django once in the master: workers fork ready (less memory, faster restarts), and a configuration
# error (no SECRET_KEY, say) stops gunicorn at once with uaip.wsgi's one-line message instead of looping.
preload_app = True
# The heartbeat file lives in memory: a container's overlay filesystem can stall it and get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn >= 25 opens a control socket in $HOME; the image's user has a read-only home and we do not use it.
control_socket_disable = True

# One line per request: django-structlog's request_finished (method, path, status, duration, user agent, request
# id; uaip/logging.py). gunicorn's access log would repeat it in another format. Its own messages become JSON too.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
_value = os.environ.get("LOG_JSON", "").strip().lower()
logconfig_dict: dict[str, Any] = configure_logging(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(), json_logs=_value in {"", "1", "true", "yes", "on"}
)
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        # With logconfig_dict set, gunicorn writes access lines whatever accesslog says: silence them here.
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    }
)


def pre_fork(server: Any, worker: Any) -> None:
    # Nothing should open a database connection in the master, but one inherited by forked workers would be
    # shared by all of them: close any before each fork.
    from django.db import connections

    connections.close_all()
