"""structlog set-up: one JSON object per line on stdout (or readable console lines while developing).

One line per request: django-structlog's ``request_started`` is logged at DEBUG (``settings``), and its
``request_finished`` line carries what the start line had (user agent) plus the duration, bound by
:func:`connect_request_line`.
"""

from __future__ import annotations

import time
from typing import Any

import django_structlog.middlewares
import structlog
from django.db import InterfaceError, OperationalError
from django_structlog import signals


def configure_logging(*, level: str, json_logs: bool) -> dict[str, Any]:
    """Configure structlog and return the matching ``LOGGING`` dict for Django."""
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": shared_processors,
            }
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "structured", "stream": "ext://sys.stdout"}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django_structlog": {"level": level},
            # The Anthropic SDK logs every request at INFO through httpx/httpx2; our llm_call events suffice.
            "httpx": {"level": "WARNING"},
            "httpx2": {"level": "WARNING"},
            "django.server": {"level": "WARNING"},
            # django-axes narrates every login at INFO; its warnings (failures, lockouts) are what matter.
            "axes": {"level": "WARNING"},
        },
    }


class RequestMiddleware(django_structlog.middlewares.RequestMiddleware):
    """django-structlog's request logging, which binds the user id to every line; while the database is down,
    looking the user up fails, and that must not turn the request's 503 (or its error page) into a 500."""

    @staticmethod
    def bind_user_id(request: Any) -> None:
        try:
            django_structlog.middlewares.RequestMiddleware.bind_user_id(request)
        except (OperationalError, InterfaceError):
            structlog.contextvars.bind_contextvars(user_id=None)


def _note_start(sender: Any, request: Any, logger: Any, log_kwargs: dict[str, Any], **_: Any) -> None:
    request._uaip_started = time.perf_counter()


def _complete_line(sender: Any, request: Any, logger: Any, response: Any, log_kwargs: dict[str, Any], **_: Any) -> None:
    started = getattr(request, "_uaip_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    log_kwargs["user_agent"] = request.META.get("HTTP_USER_AGENT")


def connect_request_line() -> None:
    """Make ``request_finished`` the request's one line: method and path, status, duration, user agent."""
    signals.bind_extra_request_metadata.connect(_note_start, dispatch_uid="uaip.request_start")
    signals.bind_extra_request_finished_metadata.connect(_complete_line, dispatch_uid="uaip.request_line")
