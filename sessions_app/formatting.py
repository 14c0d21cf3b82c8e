"""Numbers and quantities as the pages, messages and the charter print them: one place for the rules.

A quantity is the stored ``{"value": …, "unit": …}`` form of a number answer (the unit may be absent).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def number_text(value: object, *, significant: int | None = None, grouped: bool = False) -> str:
    """A number as a person writes it: a whole float loses its ``.0`` (2.0 → '2', 3000.0 → '3000'); others print
    as they are (0.7 → '0.7'), or to ``significant`` digits when given (12.3456789 → '12.3457' with 6).
    Anything that is not a number prints with ``str``. ``grouped`` writes thousands as people read them (21,000):
    for text a person reads, never for a value put back into a form."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):,}" if grouped else str(int(value))
    if significant is not None and isinstance(value, float):
        return f"{value:.{significant}g}"
    return str(value)


def quantity_text(quantity: Mapping[str, Any] | None, *, missing: str = "") -> str:
    """{'value': 2.3, 'unit': '%'} → '2.3 %'; {'value': 21000, 'unit': 'EUR'} → '21,000 EUR'; no quantity, or
    no value → ``missing``."""
    if not quantity or quantity.get("value") is None:
        return missing
    unit = quantity.get("unit")
    value = quantity["value"]
    return f"{number_text(value, grouped=True)} {unit_for(value, unit)}" if unit else number_text(value, grouped=True)


# --- Sentences ---------------------------------------------------------------------------------------------------

# A full stop, "!" or "?" followed by a space and a capital, a digit or a quote ends a sentence; "e.g. x", "3.5"
# and "Dr. Smith"-style abbreviations followed by lower case do not.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def sentences(text: str | None) -> list[str]:
    """The sentences of an answer, as written (a semicolon does not end one)."""
    text = " ".join((text or "").split())
    return [part for part in _SENTENCE_END.split(text) if part] if text else []


def first_sentence(text: str | None) -> str:
    """The first sentence of an answer, for a one-line summary (the whole answer stays in its own section)."""
    text = " ".join((text or "").split())
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def short_name(text: str | None) -> str:
    """A KPI's or metric's short name: the text before the first colon, " — " or sentence end
    ("Median report time: hours from …" → "Median report time")."""
    if not text:
        return ""
    return re.split(r":|\s[—–-]\s|\.\s", text, maxsplit=1)[0].strip().rstrip(".") or text.strip()


# --- Words for people: plurals, durations, dates, money ---------------------------------------------------------

# Units of time a number answer may carry, singular → plural; "1 minutes" reads wrong, "1 minute" right.
_TIME_UNITS = {
    "second": "seconds",
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "quarter": "quarters",
    "year": "years",
    "working day": "working days",
    "business day": "business days",
}
_SINGULAR = {plural: singular for singular, plural in _TIME_UNITS.items()}


def plural(count: float | int, singular: str, plural_form: str | None = None) -> str:
    """'1 minute', '2 minutes', '0.5 days', '1 finding': the count and the word in the right number."""
    word = singular if count == 1 else (plural_form or _TIME_UNITS.get(singular) or f"{singular}s")
    whole = isinstance(count, int | float) and float(count).is_integer()
    return f"{int(count):,} {word}" if whole else f"{number_text(count)} {word}"


def unit_for(value: object, unit: str) -> str:
    """A unit agreeing with its number: a time unit is singular for exactly 1 and plural otherwise; any other
    unit ('%', 'EUR', 'calls') is left as typed."""
    key = unit.strip().lower()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == 1 and key in _SINGULAR:
            return _SINGULAR[key]
        if value != 1 and key in _TIME_UNITS:
            return _TIME_UNITS[key]
    return unit


def duration_text(seconds: float | int | None, *, missing: str = "—") -> str:
    """Elapsed time as a person says it: '45 seconds', '1 minute', '2 minutes 5 seconds', '1 hour 3 minutes'."""
    if seconds is None:
        return missing
    total = max(0, round(float(seconds)))
    if total < 60:
        return plural(total, "second")
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return plural(minutes, "minute") + (f" {plural(rest, 'second')}" if rest else "")
    hours, minutes = divmod(minutes, 60)
    return plural(hours, "hour") + (f" {plural(minutes, 'minute')}" if minutes else "")


_SPAN_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def span_text(seconds: float | int | None, *, missing: str = "—") -> str:
    """A span of time in the largest unit it fills: exact ('13 days', '−2 hours'), else rounded with 'about'
    ('about 21 days' for 30,210 minutes, 'about 2.5 hours')."""
    if seconds is None:
        return missing
    size_s = abs(float(seconds))
    unit, size = next(((u, n) for u, n in _SPAN_UNITS if size_s >= n), _SPAN_UNITS[-1])
    value = size_s / size
    sign = "−" if seconds < 0 else ""
    if value.is_integer():
        return f"{sign}{plural(int(value), unit)}"
    rounded = round(value) if value >= 10 else round(value, 1)
    return f"about {sign}{plural(rounded, unit)}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_text(value: object, *, with_time: bool = True, missing: str = "—") -> str:
    """A stored date or timestamp (ISO text or a date/datetime) as '1 July 2025' or '1 July 2025, 10:00 UTC';
    text that is not a date is returned as it is."""
    if value in (None, ""):
        return missing
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(moment, dt.date):
        return str(value)
    day = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    if not with_time or not isinstance(moment, dt.datetime):
        return day
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
        return f"{day}, {moment:%H:%M} UTC"
    return f"{day}, {moment:%H:%M}"


_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money_text(amount: object, currency: str = "USD", *, missing: str = "—") -> str:
    """An amount as a price: '$0.42', '€9,000', '$1,250.50'; a positive amount under a cent is 'under $0.01'
    (never '$0.000000'); nothing spent is '$0.00'."""
    if amount in (None, ""):
        return missing
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    code = (currency or "").strip().upper()
    sign = _CURRENCY_SIGNS.get(code)

    def priced(number: str) -> str:
        return f"{sign}{number}" if sign else f"{number} {currency}".strip()

    if 0 < value < Decimal("0.01"):
        return f"under {priced('0.01')}"
    if value == value.to_integral_value() and abs(value) >= 100:
        return priced(f"{value:,.0f}")
    return priced(f"{value:,.2f}")
