"""The JSON schema we send to providers: strict, so what the API enforces is what we validate.

Pydantic marks a field required only when it has no default, and ``anthropic.transform_schema`` keeps that
list: a reply without ``issues`` or ``followup_questions`` was valid for the API but not always for us. Here
every object lists all its properties as required and forbids others; bounds (``minimum``, ``maxItems``…)
stay in the schema (Ollama enforces them; Anthropic's transform moves them into descriptions) and pydantic
checks them on every reply.
"""

from __future__ import annotations

import copy
from typing import Any


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` in which every object requires all its properties and allows no others."""
    result = copy.deepcopy(schema)
    _tighten(result)
    return result


_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")  # name → sub-schema


def _tighten(node: Any) -> None:
    """Tighten one (sub-)schema in place."""
    if isinstance(node, list):
        for item in node:
            _tighten(item)
        return
    if not isinstance(node, dict):
        return
    node.pop("default", None)  # a default makes no sense once the field is required
    properties = node.get("properties")
    if isinstance(properties, dict) and node.get("type", "object") == "object":
        node["required"] = list(properties)
        node["additionalProperties"] = False
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for sub in value.values():  # the keys are names, not keywords
                _tighten(sub)
        elif isinstance(value, dict | list):
            _tighten(value)
