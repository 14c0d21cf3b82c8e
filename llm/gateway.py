"""The one way UAIP talks to a language model: ``complete(request) -> result``.

For each provider of the chain (``LLM_PROVIDERS``, unconfigured ones skipped, open circuits skipped): send,
retrying transient errors with backoff (``llm.retry``); a reply that fails its schema is re-asked once with the
validation error; a reply cut at ``max_tokens`` is asked once more with a larger cap; a refusal, a context
overflow, a permanent error, exhausted retries, a ``Retry-After`` beyond the cap or a second invalid reply moves
on to the next provider. Network attempts are capped per call (``LLM_MAX_TOTAL_ATTEMPTS``) and the whole call
has a deadline per purpose (``LLM_DEADLINES``); the offline provider, when enabled, always gets its turn.
Every attempt is logged (``llm.calllog``). Callers see an ``LLMResult`` or ``LLMUnavailable``, never a provider
SDK exception.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from llm import breaker, calllog, health
from llm.errors import InvalidOutput, LLMCancelled, LLMUnavailable, ProviderError
from llm.models import CallStatus
from llm.pricing import UnknownModelPrice, cost_usd, price_for
from llm.providers import Provider, ProviderCall, ProviderReply, configured_chain, listed_providers
from llm.providers.base import CONTEXT_WINDOW_EXCEEDED, MAX_TOKENS, REFUSAL
from llm.retry import retrying, waits_too_long
from llm.types import ChatMessage, LLMRequest, LLMResult, TokenUsage
from llm.validation import validate_reply

__all__ = ["LLMCancelled", "LLMUnavailable", "complete"]

MAX_ECHOED_REPLY_CHARS = 4000
DEFAULT_DEADLINE = 120.0
TRUNCATION_GROWTH = 4  # the retry after max_tokens asks for this many times the cap (bounded by settings)


def complete[T](request: LLMRequest[T], *, on_text: Callable[[str], bool] | None = None) -> LLMResult[T]:
    """Ask the provider chain for ``request``; see ``LLMRequest`` / ``LLMResult`` and docs/LLM.md.

    ``on_text`` streams the reply: it is called with the text written so far by the current attempt (a retry or
    the next provider starts again from ""); for a request with a schema that is the JSON being written, from which
    :func:`llm.streaming.partial_field` reads a field. It returns False to cancel: the provider call is stopped
    and ``LLMCancelled`` (an ``LLMUnavailable``) is raised; no other provider is asked.
    """
    return _Completion(request, on_text=on_text).run()


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _reask_messages(messages: list[ChatMessage], error: InvalidOutput, *, structured: bool) -> list[ChatMessage]:
    previous = error.reply_text[:MAX_ECHOED_REPLY_CHARS] or "(empty reply)"
    instruction = (
        "Reply again with only a JSON object that matches the required schema, with no other text."
        if structured
        else "Please answer again."
    )
    correction = f"Your previous reply could not be used: {error.reason} {instruction}"
    return [*messages, {"role": "assistant", "content": previous}, {"role": "user", "content": correction}]


def deadline_seconds(purpose: str) -> float:
    return float(settings.LLM_DEADLINES.get(purpose, DEFAULT_DEADLINE))


class _Completion:
    """The state of one ``complete()`` call: attempt counters, deadline, running usage and cost."""

    def __init__(self, request: LLMRequest[Any], *, on_text: Callable[[str], bool] | None = None):
        self.request = request
        self.on_text = on_text
        self.completion_id = uuid.uuid4()
        self.started = time.monotonic()
        self.deadline = self.started + deadline_seconds(request.purpose)
        self.attempts = 0
        self.network_attempts = 0
        self.unknown_cost_attempts = 0
        self.usage = TokenUsage()
        self.cost = Decimal(0)

    def run(self) -> LLMResult[Any]:
        failures: dict[str, str] = {
            p.name: f"not configured ({reason})"
            for p in listed_providers()
            if (reason := p.unconfigured_reason()) is not None
        }
        for provider in configured_chain():
            model = provider.model_for(self.request.tier)
            if not provider.offline:
                skipped = self._skip_reason(provider, model)
                if skipped:
                    failures[provider.name] = skipped
                    continue
            try:
                reply, parsed, model = self._ask(provider)
            except ProviderError as exc:
                if exc.error_type == "cancelled":
                    raise LLMCancelled() from exc
                failures[provider.name] = exc.describe()
                if not provider.offline:
                    self._blame(provider, model, exc, failures[provider.name])
                continue
            except InvalidOutput:
                failures[provider.name] = "invalid output"
                continue
            if not provider.offline:
                health.remember(provider.name, health.OK)
                breaker.record_success(provider.name, model)
            return LLMResult(
                text=reply.text,
                parsed=parsed,
                provider=provider.name,
                model=model,
                usage=self.usage,
                cost_usd=self.cost,
                latency_ms=_elapsed_ms(self.started),
                offline=provider.offline,
                attempts=self.attempts,
                completion_id=self.completion_id,
                request_id=reply.request_id,
                unknown_cost_attempts=self.unknown_cost_attempts,
            )
        raise LLMUnavailable(failures)

    # --- choosing and blaming providers ---------------------------------------------------------------------
    def _skip_reason(self, provider: Provider, model: str) -> str:
        if not self._budget_left():
            return "skipped (attempt budget used up)"
        if self._time_left() < settings.LLM_MIN_ATTEMPT_SECONDS:
            return "skipped (deadline reached)"
        circuit = breaker.open_circuit(provider.name, model)
        return circuit.describe() if circuit is not None else ""

    def _blame(self, provider: Provider, model: str, exc: ProviderError, detail: str) -> None:
        """Remember what a failure says: the provider down, one model gone, or nothing (the request's fault)."""
        if waits_too_long(exc):
            # The server told us when to come back: nobody calls it before then.
            breaker.trip(
                provider.name, model, f"{exc.error_type}, Retry-After {exc.retry_after:.0f} s", seconds=exc.retry_after
            )
        if exc.blame == "provider":
            health.remember(provider.name, health.DOWN, detail)
            if not exc.transient:  # a bad key: every model fails the same way
                breaker.trip(provider.name, breaker.WHOLE_PROVIDER, detail)
        elif exc.blame == "model":
            breaker.trip(provider.name, model, detail)

    def _budget_left(self) -> bool:
        return self.network_attempts < settings.LLM_MAX_TOTAL_ATTEMPTS

    def _time_left(self) -> float:
        return self.deadline - time.monotonic()

    # --- one provider -----------------------------------------------------------------------------------------
    def _ask(self, provider: Provider) -> tuple[ProviderReply, Any, str]:
        """The attempts at one provider: retries, one larger cap after a truncated reply, one re-ask."""
        cap = self.request.max_tokens or settings.LLM_MAX_OUTPUT_TOKENS
        try:
            return self._ask_with_reask(provider, cap)
        except ProviderError as exc:
            larger = min(cap * TRUNCATION_GROWTH, settings.LLM_TRUNCATED_RETRY_MAX_TOKENS)
            if exc.error_type != "truncated" or larger <= cap or not self._may_try_again(provider):
                raise
            return self._ask_with_reask(provider, larger)

    def _ask_with_reask(self, provider: Provider, max_tokens: int) -> tuple[ProviderReply, Any, str]:
        messages = list(self.request.messages)
        try:
            return self._with_retries(provider, messages, max_tokens)
        except InvalidOutput as invalid:
            if not self._may_try_again(provider):
                raise
            structured = self.request.schema is not None
            return self._with_retries(provider, _reask_messages(messages, invalid, structured=structured), max_tokens)

    def _may_try_again(self, provider: Provider) -> bool:
        if provider.offline:
            return True
        return self._budget_left() and self._time_left() >= settings.LLM_MIN_ATTEMPT_SECONDS

    def _with_retries(
        self, provider: Provider, messages: list[ChatMessage], max_tokens: int
    ) -> tuple[ProviderReply, Any, str]:
        retry_number = 0

        def attempt() -> tuple[ProviderReply, Any, str]:
            nonlocal retry_number
            try:
                return self._attempt(provider, messages, retry_number, max_tokens)
            finally:
                retry_number += 1

        if provider.offline:
            return retrying(budget_left=lambda: True)(attempt)
        return retrying(budget_left=self._budget_left, deadline=self.deadline)(attempt)

    def _attempt(
        self, provider: Provider, messages: list[ChatMessage], retry_number: int, max_tokens: int
    ) -> tuple[ProviderReply, Any, str]:
        """Exactly one provider request, logged whatever happens."""
        request = self.request
        tier = request.tier
        model = provider.model_for(tier)
        timeout = provider.timeout_for(tier)
        if not provider.offline:
            left = self._time_left()
            if left < settings.LLM_MIN_ATTEMPT_SECONDS:
                raise ProviderError("deadline", "the call's deadline was reached", transient=False)
            timeout = min(timeout, left)  # no attempt outlives the call's deadline
        call = ProviderCall(
            purpose=request.purpose,
            tier=tier,
            model=model,
            system=request.system,
            messages=messages,
            schema=request.schema,
            max_tokens=max_tokens,
            timeout=timeout,
            connect_timeout=float(settings.LLM_CONNECT_TIMEOUT),
            stage=request.stage,
            context=request.context,
            on_text=self.on_text,
        )
        self.attempts += 1
        if not provider.offline:
            self.network_attempts += 1
        started = time.monotonic()
        try:
            if not provider.is_local:
                price_for(model)  # an unpriced model is refused before it can cost anything
            reply = provider.send(call)
        except UnknownModelPrice as exc:
            error = ProviderError("unpriced_model", str(exc), transient=False)
            self._log(provider, call, retry_number, started, error=error)
            raise error from exc
        except ProviderError as exc:
            self._log(provider, call, retry_number, started, error=exc)
            if exc.outage:
                breaker.record_outage(provider.name, model, exc.error_type)
            raise
        except Exception as exc:  # a provider bug must still surface as a ProviderError
            error = ProviderError("unexpected", type(exc).__name__, transient=False)
            self._log(provider, call, retry_number, started, error=error)
            raise error from exc
        cost = cost_usd(model, reply.usage, local=provider.is_local)
        self.usage += reply.usage
        self.cost += cost
        stopped = self._unusable_stop(reply, cost)
        if stopped is not None:
            status = CallStatus.TRUNCATED if stopped.error_type == "truncated" else CallStatus.PERMANENT_ERROR
            self._log(provider, call, retry_number, started, reply=reply, cost=cost, error=stopped, status=status)
            raise stopped
        try:
            parsed = validate_reply(
                reply.text, output=request.output, json_schema=request.json_schema, from_model=not provider.offline
            )
        except InvalidOutput as exc:
            self._log(provider, call, retry_number, started, reply=reply, cost=cost, invalid=exc)
            raise
        self._log(provider, call, retry_number, started, reply=reply, cost=cost)
        return reply, parsed, model

    @staticmethod
    def _unusable_stop(reply: ProviderReply, cost: Decimal) -> ProviderError | None:
        """A reply that ended for a reason that makes it unusable, as the error to handle it by (once)."""
        common: dict[str, Any] = {"transient": False, "request_id": reply.request_id, "usage": reply.usage}
        if reply.stop_reason == REFUSAL:
            category = reply.stop_detail or "unspecified"
            return ProviderError("refused", f"category: {category}", cost_usd=cost, **common)
        if reply.stop_reason == MAX_TOKENS:
            return ProviderError("truncated", "reply cut at max_tokens", cost_usd=cost, **common)
        if reply.stop_reason == CONTEXT_WINDOW_EXCEEDED:
            return ProviderError("context_limit", "model context window exceeded", cost_usd=cost, **common)
        return None

    def _log(
        self,
        provider: Provider,
        call: ProviderCall,
        retry_number: int,
        started: float,
        *,
        reply: ProviderReply | None = None,
        cost: Decimal | None = Decimal(0),
        error: ProviderError | None = None,
        invalid: InvalidOutput | None = None,
        status: CallStatus | None = None,
    ) -> None:
        if status is None:
            if error is not None:
                status = CallStatus.TRANSIENT_ERROR if error.transient else CallStatus.PERMANENT_ERROR
            else:
                status = CallStatus.INVALID_OUTPUT if invalid is not None else CallStatus.OK
        if reply is None and error is not None and not error.usage_known and not provider.is_local:
            cost = None  # it may have been processed and billed: unknown, not $0
            self.unknown_cost_attempts += 1
        calllog.record(
            calllog.Attempt(
                completion_id=self.completion_id,
                attempt=self.attempts,
                retry_number=retry_number,
                provider=provider.name,
                model=call.model,
                purpose=call.purpose,
                tier=call.tier,
                session_id=self.request.session_id,
                user_id=self.request.owner_id,
                stage=call.stage,
                status=status,
                usage=reply.usage if reply is not None else TokenUsage(),
                cost_usd=cost,
                latency_ms=_elapsed_ms(started),
                request_id=(reply.request_id if reply is not None else error.request_id if error else ""),
                error_type=error.error_type if error else ("invalid_output" if invalid else ""),
                error_message=(error.message if error else invalid.summary if invalid else ""),
                prompt_chars=sum(len(m["content"]) for m in call.messages),
                system_chars=len(call.system),
            )
        )
