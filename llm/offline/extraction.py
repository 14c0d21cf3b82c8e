"""Offline extraction: free text to a list of items by deterministic line parsing.

One item per line (bullets and numbering stripped); a single line is split on semicolons, or on commas
when it holds no other separator. "Name (detail)", "Name: detail" and "Name - detail" give a detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llm.schemas import ExtractedItem, ExtractedItems

_MARKER = re.compile(r"^\s*(?:[-*•·]|\(?\d+[.)]|[a-z][.)])\s+", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"^(?P<name>.+?)\s*\((?P<detail>[^()]+)\)\s*$")
_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+|:\s+")  # hyphen, en dash, em dash


def split_entries(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        line = lines[0]
        if ";" in line:
            lines = line.split(";")
        elif "," in line and not _SEPARATOR.search(line) and "(" not in line:
            lines = re.split(r",\s*(?:and\s+)?|\s+and\s+", line)
    return [_MARKER.sub("", line).strip().rstrip(".") for line in lines if line.strip()]


def parse_entry(entry: str) -> ExtractedItem | None:
    entry = entry.strip()
    if not entry:
        return None
    if match := _PARENTHETICAL.match(entry):
        return ExtractedItem(name=match["name"].strip(), detail=match["detail"].strip())
    parts = _SEPARATOR.split(entry, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return ExtractedItem(name=parts[0].strip(), detail=parts[1].strip())
    return ExtractedItem(name=entry)


def extract_items(text: str) -> ExtractedItems:
    items: list[ExtractedItem] = []
    seen: set[str] = set()
    for entry in split_entries(text):
        item = parse_entry(entry)
        if item is not None and item.name.lower() not in seen:
            seen.add(item.name.lower())
            items.append(item)
    return ExtractedItems(items=items)


def extract_from_context(context: Mapping[str, Any], last_user_message: str) -> ExtractedItems:
    """The ``extraction`` handler: parses ``context["text"]``, else the last user message."""
    return extract_items(str(context.get("text", last_user_message)))
