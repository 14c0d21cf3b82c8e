"""The one retry layer (tenacity): transient provider errors, exponential backoff, Retry-After honoured.

Three bounds stop retrying at one provider: ``LLM_RETRY_ATTEMPTS`` tries, the call's network-attempt budget
(``LLM_MAX_TOTAL_ATTEMPTS``) and the call's deadline (``LLM_DEADLINES``: tenacity's ``stop_before_delay``
idea, measured against the whole call rather than this provider's first try). A ``Retry-After`` longer than
``LLM_RETRY_AFTER_CAP`` is not waited for: the gateway moves to the next provider instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential
from tenacity.stop import stop_base

from llm.errors import ProviderError


def waits_too_long(exc: BaseException, *, cap: float | None = None) -> bool:
    """The server asked for a longer pause than we are willing to wait."""
    cap = settings.LLM_RETRY_AFTER_CAP if cap is None else cap
    return isinstance(exc, ProviderError) and exc.retry_after is not None and exc.retry_after > cap


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.transient and not waits_too_long(exc)


# Kept for callers of the old name.
is_transient = is_retryable


class WaitRetryAfterOrBackoff:
    """Wait what the server asked for (``Retry-After``, never beyond the cap), else 1, 2, 4, 8 s (settings)."""

    def __init__(self, *, backoff: float, backoff_max: float, retry_after_cap: float):
        self.backoff = wait_exponential(multiplier=backoff, max=backoff_max)
        self.retry_after_cap = retry_after_cap

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, ProviderError) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry_after_cap)
        return self.backoff(retry_state)


class StopWhenBudgetUsed(stop_base):
    """Stop retrying once the whole call has used its ``LLM_MAX_TOTAL_ATTEMPTS``."""

    def __init__(self, budget_left: Callable[[], bool]):
        self.budget_left = budget_left

    def __call__(self, retry_state: RetryCallState) -> bool:
        return not self.budget_left()


class StopBeforeDeadline(stop_base):
    """Stop when the next try would start (after its wait) with less than ``min_attempt`` s before the deadline."""

    def __init__(self, deadline: float, *, min_attempt: float):
        self.deadline = deadline  # time.monotonic() value
        self.min_attempt = min_attempt

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() + retry_state.upcoming_sleep + self.min_attempt > self.deadline


def retrying(*, budget_left: Callable[[], bool], deadline: float | None = None) -> Retrying:
    """A fresh policy for one provider: ``LLM_RETRY_ATTEMPTS`` tries, fewer if the budget or deadline runs out."""
    stop = stop_after_attempt(settings.LLM_RETRY_ATTEMPTS) | StopWhenBudgetUsed(budget_left)
    if deadline is not None:
        stop = stop | StopBeforeDeadline(deadline, min_attempt=settings.LLM_MIN_ATTEMPT_SECONDS)
    return Retrying(
        retry=retry_if_exception(is_retryable),
        stop=stop,
        wait=WaitRetryAfterOrBackoff(
            backoff=settings.LLM_RETRY_BACKOFF,
            backoff_max=settings.LLM_RETRY_BACKOFF_MAX,
            retry_after_cap=settings.LLM_RETRY_AFTER_CAP,
        ),
        reraise=True,
    )
