"""Reads of the call log: token and cost aggregates, of a session the caller resolved for the acting user, or of
the calls an admin list shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from llm.models import CallStatus, LLMCall
from sessions_app.models import ScopingSession

TOTALS: dict[str, Any] = {
    "calls": Count("id"),
    "failed_calls": Count("id", filter=~Q(status=CallStatus.OK)),
    "input_tokens": Sum("input_tokens", default=0),
    "output_tokens": Sum("output_tokens", default=0),
    "cache_creation_input_tokens": Sum("cache_creation_input_tokens", default=0),
    "cache_read_input_tokens": Sum("cache_read_input_tokens", default=0),
    "cost_usd": Sum("cost_usd", default=Decimal(0)),  # NULL (unknown, a timed-out attempt) is left out of the sum
    "unknown_cost_calls": Count("id", filter=Q(usage_known=False)),
}


@dataclass(frozen=True)
class UsageTotals:
    """Sums over attempts (``calls`` counts every attempt; ``failed_calls`` those not ``ok``).

    ``cost_usd`` sums the known costs; ``unknown_cost_calls`` counts timed-out attempts whose cost is unknown
    (so ``cost_usd`` is then a lower bound).
    """

    calls: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    unknown_cost_calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> UsageTotals:
        return cls(**{name: row[name] for name in TOTALS})


@dataclass(frozen=True)
class SessionUsage:
    totals: UsageTotals
    by_stage: dict[int | None, UsageTotals]
    by_provider: dict[str, UsageTotals]
    by_purpose: dict[str, UsageTotals]


def usage_totals(calls: QuerySet[LLMCall]) -> UsageTotals:
    return UsageTotals.from_row(calls.aggregate(**TOTALS))


def _grouped(calls: QuerySet[LLMCall], field: str) -> dict[Any, UsageTotals]:
    rows = calls.order_by().values(field).annotate(**TOTALS).order_by(field)
    return {row[field]: UsageTotals.from_row(row) for row in rows}


def session_usage(*, session: ScopingSession) -> SessionUsage:
    """Tokens and cost of a session (resolved for the acting user by the caller), by stage (``None`` = not
    stage-bound), provider and purpose."""
    calls = LLMCall.objects.filter(session=session)
    return SessionUsage(
        totals=usage_totals(calls),
        by_stage=_grouped(calls, "stage"),
        by_provider=_grouped(calls, "provider"),
        by_purpose=_grouped(calls, "purpose"),
    )
