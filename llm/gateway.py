"""The one way UAIP talks to a language model: ``complete(request) -> result``.

For each provider of the chain (``LLM_PROVIDERS``, unconfigured ones skipped): send, retrying transient
errors with backoff (``llm.retry``); a reply that fails its schema is re-asked once with the validation
error; a permanent error, exhausted retries or a second invalid reply moves on to the next provider.
Network attempts are capped per call (``LLM_MAX_TOTAL_ATTEMPTS``); the offline provider, when enabled,
always gets its turn. Every attempt is logged (``llm.calllog``). Callers see an ``LLMResult`` or
``LLMUnavailable``, never a provider SDK exception.
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings

from llm import calllog, health
from llm.errors import InvalidOutput, LLMUnavailable, ProviderError
from llm.models import CallStatus
from llm.pricing import UnknownModelPrice, cost_usd, price_for
from llm.providers import Provider, ProviderCall, ProviderReply, configured_chain, listed_providers
from llm.retry import retrying
from llm.types import ChatMessage, LLMRequest, LLMResult, TokenUsage
from llm.validation import validate_reply

__all__ = ["LLMUnavailable", "complete"]

MAX_ECHOED_REPLY_CHARS = 4000


def complete[T](request: LLMRequest[T]) -> LLMResult[T]:
    """Ask the provider chain for ``request``; see ``LLMRequest`` / ``LLMResult`` and docs/LLM.md."""
    return _Completion(request).run()


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


class _Completion:
    """The state of one ``complete()`` call: attempt counters, running usage and cost."""

    def __init__(self, request: LLMRequest[Any]):
        self.request = request
        self.completion_id = uuid.uuid4()
        self.started = time.monotonic()
        self.attempts = 0
        self.network_attempts = 0
        self.usage = TokenUsage()
        self.cost = Decimal(0)

    def run(self) -> LLMResult[Any]:
        failures: dict[str, str] = {
            p.name: f"not configured ({reason})"
            for p in listed_providers()
            if (reason := p.unconfigured_reason()) is not None
        }
        for provider in configured_chain():
            if not provider.offline and not self._budget_left():
                failures[provider.name] = "skipped (attempt budget used up)"
                continue
            try:
                reply, parsed, model = self._ask(provider)
            except ProviderError as exc:
                failures[provider.name] = exc.describe()
                if exc.provider_down and not provider.offline:
                    health.remember(provider.name, health.DOWN, failures[provider.name])
                continue
            except InvalidOutput:
                failures[provider.name] = "invalid output"
                continue
            if not provider.offline:
                health.remember(provider.name, health.OK)
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
            )
        raise LLMUnavailable(failures)

    def _budget_left(self) -> bool:
        return self.network_attempts < settings.LLM_MAX_TOTAL_ATTEMPTS

    def _ask(self, provider: Provider) -> tuple[ProviderReply, Any, str]:
        """Retries for transient errors, then one re-ask if the reply does not match the schema."""
        messages = list(self.request.messages)
        try:
            return self._with_retries(provider, messages)
        except InvalidOutput as invalid:
            if not provider.offline and not self._budget_left():
                raise
            structured = self.request.schema is not None
            return self._with_retries(provider, _reask_messages(messages, invalid, structured=structured))

    def _with_retries(self, provider: Provider, messages: list[ChatMessage]) -> tuple[ProviderReply, Any, str]:
        retry_number = 0

        def attempt() -> tuple[ProviderReply, Any, str]:
            nonlocal retry_number
            try:
                return self._attempt(provider, messages, retry_number)
            finally:
                retry_number += 1

        budget_left = (lambda: True) if provider.offline else self._budget_left
        return retrying(budget_left=budget_left)(attempt)

    def _attempt(
        self, provider: Provider, messages: list[ChatMessage], retry_number: int
    ) -> tuple[ProviderReply, Any, str]:
        """Exactly one provider request, logged whatever happens."""
        request = self.request
        tier = request.tier
        model = provider.model_for(tier)
        call = ProviderCall(
            purpose=request.purpose,
            tier=tier,
            model=model,
            system=request.system,
            messages=messages,
            schema=request.schema,
            max_tokens=request.max_tokens or settings.LLM_MAX_OUTPUT_TOKENS,
            timeout=provider.timeout_for(tier),
            stage=request.stage,
            context=request.context,
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
            raise
        except Exception as exc:  # a provider bug must still surface as a ProviderError
            error = ProviderError("unexpected", type(exc).__name__, transient=False)
            self._log(provider, call, retry_number, started, error=error)
            raise error from exc
        cost = cost_usd(model, reply.usage, local=provider.is_local)
        self.usage += reply.usage
        self.cost += cost
        try:
            parsed = validate_reply(reply.text, output=request.output, json_schema=request.json_schema)
        except InvalidOutput as exc:
            self._log(provider, call, retry_number, started, reply=reply, cost=cost, invalid=exc)
            raise
        self._log(provider, call, retry_number, started, reply=reply, cost=cost)
        return reply, parsed, model

    def _log(
        self,
        provider: Provider,
        call: ProviderCall,
        retry_number: int,
        started: float,
        *,
        reply: ProviderReply | None = None,
        cost: Decimal = Decimal(0),
        error: ProviderError | None = None,
        invalid: InvalidOutput | None = None,
    ) -> None:
        if error is not None:
            status = CallStatus.TRANSIENT_ERROR if error.transient else CallStatus.PERMANENT_ERROR
        else:
            status = CallStatus.INVALID_OUTPUT if invalid is not None else CallStatus.OK
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
