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

register = template.Library()


@register.filter
def charter_outline(content: Mapping[str, Any]) -> Outline:
    return build_outline(content)
