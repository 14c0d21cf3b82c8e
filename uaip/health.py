"""What ``GET /api/v1/health`` reports."""

from __future__ import annotations

from typing import Any

import structlog
from django.conf import settings
from django.db import DatabaseError, connection

from llm.health import cached_status as llm_cached_status
from uaip.cache import cache_status
from uaip.cache import failures as cache_failures

logger = structlog.get_logger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health_database_down", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return "unreachable"
    return "ok"


def system_health() -> dict[str, Any]:
    """``healthy``; ``degraded`` when only the cache is down (the site works: limits fail open, LLM health and
    breakers are forgotten); ``unhealthy`` when the database is unreachable (nothing works)."""
    database = database_status()
    cache = cache_status()
    if database != "ok":
        overall = "unhealthy"
    elif cache == "down":
        overall = "degraded"
    else:
        overall = "healthy"
    return {
        "status": overall,
        "database": database,
        "cache": cache,
        "cache_failures": cache_failures(),
        "version": settings.VERSION,
        # From the cache only (filled by `llm_health`, the worker's start-up check and real calls): never a
        # live LLM call per health request.
        "llm": llm_cached_status(),
    }
