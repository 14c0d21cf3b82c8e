"""Checking a provider's reply against what the request asked for."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from llm.errors import InvalidOutput

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)
MAX_REPORTED_ERRORS = 5


def json_text(text: str) -> str:
    """The JSON inside a reply: tolerates a ```json fence or a sentence around one object (a light repair)."""
    stripped = text.strip()
    if fence := _FENCE.match(stripped):
        stripped = fence.group(1).strip()
    if not stripped.startswith(("{", "[")):
        start, end = stripped.find("{"), stripped.rfind("}")
        if 0 <= start < end:
            stripped = stripped[start : end + 1]
    return stripped


def _pydantic_reason(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors]
    return "; ".join(parts[:MAX_REPORTED_ERRORS]) + "."


def validate_reply(
    text: str, *, output: type[BaseModel] | None, json_schema: Mapping[str, Any] | None, from_model: bool = True
) -> BaseModel | dict[str, Any] | None:
    """The validated object for structured requests (``None`` for plain text); ``InvalidOutput`` otherwise.

    ``from_model`` turns on the checks meant for a language model's reply (validation context ``model_reply``,
    e.g. the overall score tied to the criteria); the offline provider's own output skips them.
    """
    if output is None and json_schema is None:
        if not text.strip():
            raise InvalidOutput("The reply was empty.", reply_text=text)
        return None
    candidate = json_text(text)
    if output is not None:
        try:
            return output.model_validate_json(candidate, context={"model_reply": from_model})
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise InvalidOutput("The reply is not valid JSON.", reply_text=text) from exc
            reason = _pydantic_reason(exc)
            raise InvalidOutput(reason, summary=reason, reply_text=text) from exc
    try:
        data = json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise InvalidOutput("The reply is not valid JSON.", reply_text=text) from exc
    errors = sorted(Draft202012Validator(dict(json_schema or {})).iter_errors(data), key=lambda e: e.json_path)
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        reason = "; ".join(f"{e.json_path}: {e.message}" for e in shown) + "."
        summary = "; ".join(f"{e.json_path}: fails {e.validator}" for e in shown)  # no reply content
        raise InvalidOutput(reason, summary=summary, reply_text=text)
    return data
