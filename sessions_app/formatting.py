"""Numbers and quantities as the pages, messages and the charter print them: one place for the rules.

A quantity is the stored ``{"value": …, "unit": …}`` form of a number answer (the unit may be absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def number_text(value: object, *, significant: int | None = None) -> str:
    """A number as a person writes it: a whole float loses its ``.0`` (2.0 → '2', 3000.0 → '3000'); others print
    as they are (0.7 → '0.7'), or to ``significant`` digits when given (12.3456789 → '12.3457' with 6).
    Anything that is not a number prints with ``str``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    if significant is not None and isinstance(value, float):
        return f"{value:.{significant}g}"
    return str(value)


def quantity_text(quantity: Mapping[str, Any] | None, *, missing: str = "") -> str:
    """{'value': 2.3, 'unit': '%'} → '2.3 %'; {'value': 5} → '5'; no quantity, or no value → ``missing``."""
    if not quantity or quantity.get("value") is None:
        return missing
    unit = quantity.get("unit")
    return f"{number_text(quantity['value'])} {unit}" if unit else number_text(quantity["value"])
