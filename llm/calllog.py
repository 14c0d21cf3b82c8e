"""The call log: one ``LLMCall`` row and one ``llm_call`` structlog event per provider attempt.

Neither ever holds prompt or answer text; ``LLM_LOG_PROMPT_LENGTHS`` adds character counts only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import structlog
from django.conf import settings
from django.db import DatabaseError, OperationalError, transaction
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from llm.models import CallStatus, LLMCall
from llm.types import Purpose, Tier, TokenUsage

logger = structlog.get_logger("llm")


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """Everything known about one finished attempt."""

    completion_id: uuid.UUID
    attempt: int
    retry_number: int
    provider: str
    model: str
    purpose: Purpose
    tier: Tier
    session_id: uuid.UUID | None
    user_id: uuid.UUID | None
    stage: int | None
    status: CallStatus
    usage: TokenUsage
    cost_usd: Decimal | None  # None: the attempt may have been billed, but no usage came back (a timeout)
    latency_ms: int
    request_id: str = ""
    error_type: str = ""
    error_message: str = ""
    prompt_chars: int | None = None
    system_chars: int | None = None


def record(attempt: Attempt) -> LLMCall | None:
    """Write the row and emit the event. A failing database never fails the LLM call itself."""
    call: LLMCall | None = None
    try:
        call = _insert(attempt)
    except DatabaseError as exc:
        logger.warning("llm_call_not_recorded", error=str(exc)[:100], completion_id=str(attempt.completion_id))
    log_event(attempt, call_id=call.pk if call else None)
    return call


def _is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc)


# SQLite lets one writer in at a time and reports concurrent writers as "locked" (at once, for the shared
# in-memory test database): a few quick retries keep concurrent calls from losing rows. PostgreSQL never hits it.
def _insert(attempt: Attempt) -> LLMCall:
    lock_retries = Retrying(
        retry=retry_if_exception(_is_lock_conflict),
        stop=stop_after_attempt(8),
        wait=wait_exponential(multiplier=0.01, max=0.2),
        reraise=True,
    )
    return lock_retries(_create, attempt)


def _create(attempt: Attempt) -> LLMCall:
    with transaction.atomic():  # a savepoint: a failed insert must not poison the caller's transaction
        return LLMCall.objects.create(
            completion_id=attempt.completion_id,
            attempt=attempt.attempt,
            retry_number=attempt.retry_number,
            provider=attempt.provider,
            model=attempt.model,
            purpose=attempt.purpose,
            tier=attempt.tier,
            session_id=attempt.session_id,
            user_id=attempt.user_id,
            stage=attempt.stage,
            status=attempt.status,
            error_type=attempt.error_type,
            error_message=attempt.error_message[:255],
            input_tokens=attempt.usage.input_tokens,
            output_tokens=attempt.usage.output_tokens,
            cache_creation_input_tokens=attempt.usage.cache_creation_input_tokens,
            cache_read_input_tokens=attempt.usage.cache_read_input_tokens,
            cost_usd=attempt.cost_usd,
            usage_known=attempt.cost_usd is not None,
            latency_ms=attempt.latency_ms,
            request_id=attempt.request_id[:100],
        )


def log_event(attempt: Attempt, *, call_id: int | None) -> None:
    fields: dict[str, object] = {
        "provider": attempt.provider,
        "model": attempt.model,
        "session_id": str(attempt.session_id) if attempt.session_id else None,
        "stage": attempt.stage,
        "purpose": str(attempt.purpose),
        "tier": str(attempt.tier),
        "input_tokens": attempt.usage.input_tokens,
        "output_tokens": attempt.usage.output_tokens,
        "cache_creation_input_tokens": attempt.usage.cache_creation_input_tokens,
        "cache_read_input_tokens": attempt.usage.cache_read_input_tokens,
        "total_tokens": attempt.usage.total_tokens,
        "cost_usd": float(attempt.cost_usd) if attempt.cost_usd is not None else None,
        "usage_known": attempt.cost_usd is not None,
        "latency_ms": attempt.latency_ms,
        "status": str(attempt.status),
        "error_type": attempt.error_type or None,
        "retry_count": attempt.retry_number,
        "attempt": attempt.attempt,
        "request_id": attempt.request_id or None,
        "completion_id": str(attempt.completion_id),
        "llm_call_id": call_id,
    }
    if settings.LLM_LOG_PROMPT_LENGTHS:
        fields["prompt_chars"] = attempt.prompt_chars
        fields["system_chars"] = attempt.system_chars
    log = logger.info if attempt.status == CallStatus.OK else logger.warning
    log("llm_call", **fields)
