"""`{{ content|charter_outline }}`: the charter's blocks (`charter/outline.py`) for the document template.

Django finds tag libraries only in an app's `templatetags` package, so this thin filter lives here rather than
in `sessions_app/charter/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from sessions_app.charter.outline import Outline
from sessions_app.charter.outline import charter_outline as build_outline
from sessions_app.formatting import duration_text, money_text, plural

register = template.Library()


@register.filter
def charter_outline(content: Mapping[str, Any]) -> Outline:
    return build_outline(content)


@register.simple_tag
def outline_of(content: Mapping[str, Any], document: Outline | None = None) -> Outline:
    """`{% outline_of content document as document %}`: the outline the view gave, or the whole one."""
    return document if isinstance(document, Outline) else build_outline(content)


@register.filter
def money(amount: Any) -> str:
    """A cost in US dollars as a price: '$0.42', 'under $0.01', '$0.00' (never '$0.000000')."""
    return money_text(amount)


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as '45 seconds', '1 minute 5 seconds'."""
    return duration_text(seconds)


@register.filter
def count(number: Any, word: str) -> str:
    """'1 finding', '3 findings'."""
    return plural(number or 0, word)


@register.filter
def get_label(labels: Mapping[str, str], key: str) -> str:
    """A stored choice's words from a label table ('submit_to_committee' → 'Submit to committee')."""
    return labels.get(key) or (key or "").replace("_", " ")
