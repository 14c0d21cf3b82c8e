"""The one retry layer (tenacity): transient provider errors, exponential backoff, Retry-After honoured."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential
from tenacity.stop import stop_base

from llm.errors import ProviderError


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.transient


class WaitRetryAfterOrBackoff:
    """Wait what the server asked for (``Retry-After``, capped), else 1, 2, 4, 8 s (from settings)."""

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


def retrying(*, budget_left: Callable[[], bool]) -> Retrying:
    """A fresh policy for one provider: ``LLM_RETRY_ATTEMPTS`` tries, fewer if the call's budget runs out."""
    return Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(settings.LLM_RETRY_ATTEMPTS) | StopWhenBudgetUsed(budget_left),
        wait=WaitRetryAfterOrBackoff(
            backoff=settings.LLM_RETRY_BACKOFF,
            backoff_max=settings.LLM_RETRY_BACKOFF_MAX,
            retry_after_cap=settings.LLM_RETRY_AFTER_CAP,
        ),
        reraise=True,
    )
