"""The API's JSON parser: DRF's, refusing what would otherwise crash further in.

Deeply nested documents (Python's parser recurses: a few thousand ``[`` raise ``RecursionError``) and text that
PostgreSQL cannot store (a lone UTF-16 surrogate such as ``"\\ud800"``, which is valid JSON, or a NUL character)
are answered 400 with the field they were found in, before any view sees them.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32  # our deepest body (a typed answer with items) is 4 levels

UNSTORABLE_TEXT = "Contains a character that cannot be stored (a NUL or an unpaired surrogate); remove it and resend."


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(data: Any) -> None:
    """Walk the parsed document without recursion; raise 400 at the first problem."""
    pending: list[tuple[Any, int, str]] = [(data, 1, "")]
    while pending:
        node, depth, field = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted.")
        if isinstance(node, str):
            if not _storable(node):
                raise exceptions.ValidationError({field or "non_field_errors": [UNSTORABLE_TEXT]})
        elif isinstance(node, dict):
            for key, value in node.items():
                name = field or str(key)
                if not _storable(str(key)):
                    raise exceptions.ValidationError({"non_field_errors": [f"A key: {UNSTORABLE_TEXT}"]})
                pending.append((value, depth + 1, name))
        elif isinstance(node, list):
            pending.extend((value, depth + 1, field) for value in node)


class StrictJSONParser(JSONParser):
    """``JSONParser`` with a nesting limit and text PostgreSQL can store (see the module docstring)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted.") from exc
        _check(data)
        return data
