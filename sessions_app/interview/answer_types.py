"""Validation and normalisation of answers by question type.

`validate_answer(question, raw)` returns a `NormalisedAnswer` or raises Django's `ValidationError` with a
plain message saying what to change. Typed answers (number, scale, percentage, choice, list) are validated
here and never quality-scored; free text is only checked for presence and length here, and is scored by
the reflection step. An empty answer is never accepted.

Accepted input per type (the JSON form `{"value": …}` that `NormalisedAnswer.to_json()` writes is accepted
everywhere, so stored answers can be re-validated):

- text: a string, trimmed, at most MAX_ANSWER_CHARS characters.
- list: a list of strings, or text with one item per line; bullets ("- ", "* ", "1. ") are removed.
- number: 12.5, "12.5", "12.5 days" or {"value": 12.5, "unit": "days"}; a plain number only when the
  question's unit is fixed (or it has none). Per-item numbers: {"recall": 0.7} or "recall: 0.7" per line.
- scale: a whole number 0–10 (7, "7", "7/10"), optionally {"value": 7, "note": "…"}.
- percentage: 85, 85.5, "85" or "85%", from 0 to 100.
- choice: a choice value or label, case-insensitive; {"value": "no", "detail": "…"} where the question
  asks for a detail.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol

from django.core.exceptions import ValidationError

from sessions_app.formatting import number_text
from sessions_app.interview.question_bank import Choice, Question, QuestionType, get_bank

MAX_ANSWER_CHARS = 10_000
MAX_LIST_ITEMS = 50
MAX_LIST_ITEM_CHARS = 500
MAX_NOTE_CHARS = 500
MAX_UNIT_CHARS = 30

# Time units the actionability questions use, for the derived margin (window − latency).
DURATION_SECONDS: Mapping[str, int] = MappingProxyType(
    {"seconds": 1, "minutes": 60, "hours": 3_600, "days": 86_400, "weeks": 604_800}
)

AnswerValue = str | int | float | tuple[str, ...] | Mapping[str, float]


class AnswerLike(Protocol):
    value: Any


@dataclass(frozen=True)
class NormalisedAnswer:
    """A validated answer. `value` is str (text, choice), tuple[str, ...] (list), int (scale), float
    (number, percentage) or a mapping item → float (per-item number); `unit`, `note` and `detail` are set
    only where the question takes them."""

    value: AnswerValue
    unit: str | None = None
    note: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        value: Any = self.value
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        data: dict[str, Any] = {"value": value}
        for name in ("unit", "note", "detail"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


def validate_answer(question: Question | str, raw: object) -> NormalisedAnswer:
    """Validate `raw` for `question` (a Question or its id) and return the normalised answer."""
    if isinstance(question, str):
        question = get_bank().question(question)
    if _is_blank(raw):
        raise _required()
    return VALIDATORS[question.type](question, raw)


# --- Errors and small helpers -------------------------------------------------------------------------------


def _required() -> ValidationError:
    return ValidationError("This question needs an answer; an empty answer is not accepted.", code="required")


def _invalid(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple | dict):
        return not raw
    return False


def _unpack(raw: object, extras: frozenset[str] = frozenset()) -> tuple[object, dict[str, Any]]:
    """Split the JSON form {"value": …, <extras>} into the value and its extras; other input passes through."""
    if not isinstance(raw, Mapping):
        return raw, {}
    allowed = {"value", *extras}
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        raise _invalid(f"Unexpected key(s) {', '.join(unknown)}; this answer takes {', '.join(sorted(allowed))}.")
    if _is_blank(raw.get("value")):
        raise _required()
    return raw["value"], {key: raw[key] for key in extras if key in raw}


def _clean_text(raw: object, *, what: str, limit: int) -> str:
    if not isinstance(raw, str):
        raise _invalid(f"{what} must be text.")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:
        raise _invalid(f"{what} contains a null character; remove it (it often comes from copying binary data).")
    if len(text) > limit:
        raise _invalid(f"{what} is {len(text):,} characters long; the limit is {limit:,}. Shorten it.", code="too_long")
    return text


def _optional_text(raw: object, *, what: str, limit: int) -> str | None:
    if raw is None:
        return None
    return _clean_text(raw, what=what, limit=limit) or None


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
# A unit starts with something that cannot continue a number, so "12..5" and "1,200" are not split.
_NUMBER_AND_UNIT_RE = re.compile(rf"^({_NUMBER})\s*([^\d\s.,+-].*)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(?:[,\s']\d{3})+(?:\.\d+)?$")


def _to_number(raw: object, *, what: str = "Your answer", example: str = "12.5") -> float:
    if isinstance(raw, bool):
        raise _invalid(f"{what} must be a number, e.g. {example}, not true/false.")
    if isinstance(raw, int | float | Decimal):
        try:
            number = float(raw)
        except OverflowError:
            raise _invalid(f"{what} is too large.") from None
    elif isinstance(raw, str):
        text = raw.strip()
        if _THOUSANDS_RE.match(text):
            raise _invalid(f"{what}: write the number without thousands separators, e.g. 1200 rather than 1,200.")
        if not _NUMBER_RE.match(text):
            raise _invalid(f"{what} must be a number, e.g. {example}; got {text[:40]!r}.")
        number = float(text)
    else:
        raise _invalid(f"{what} must be a number, e.g. {example}.")
    if not math.isfinite(number):
        raise _invalid(f"{what} must be a finite number, e.g. {example}.")
    return number


def _check_bounds(question: Question, number: float, *, what: str, example: str = "") -> None:
    low, high = question.bounds
    if low is not None and high is not None:
        wanted = f"from {number_text(low, significant=6)} to {number_text(high, significant=6)}"
    elif low is not None:
        wanted = f"at least {number_text(low, significant=6)}"
    elif high is not None:
        wanted = f"at most {number_text(high, significant=6)}"
    else:
        return
    if (low is None or number >= low) and (high is None or number <= high):
        return
    raise _invalid(f"{what} must be {wanted}{example}; got {number_text(number, significant=6)}.", code="out_of_range")


def _unit_key(unit: str) -> str:
    key = unit.strip().lower()
    return key[:-1] if len(key) > 1 and key.endswith("s") else key


# --- One validator per type ---------------------------------------------------------------------------------


def _validate_text(question: Question, raw: object) -> NormalisedAnswer:
    value, _ = _unpack(raw)
    text = _clean_text(value, what="Your answer", limit=MAX_ANSWER_CHARS)
    if not text:
        raise _required()
    return NormalisedAnswer(text)


_BULLET_RE = re.compile(r"^(?:[-*•–]|\d{1,3}[.)])(?:\s+|$)")


def _validate_list(question: Question, raw: object) -> NormalisedAnswer:
    value, _ = _unpack(raw)
    if isinstance(value, str):
        items: list[object] = list(_clean_text(value, what="Your answer", limit=MAX_ANSWER_CHARS).split("\n"))
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise _invalid("Give a list of items, or text with one item per line.")
    cleaned: list[str] = []
    for position, item in enumerate(items, start=1):
        text = _clean_text(item, what=f"Item {position}", limit=MAX_ANSWER_CHARS)
        text = _BULLET_RE.sub("", text).strip()
        if not text:
            continue  # blank lines and empty rows are layout, not items
        if len(text) > MAX_LIST_ITEM_CHARS:
            raise _invalid(
                f"Item {len(cleaned) + 1} ({text[:40]}…) is {len(text):,} characters long; keep each "
                f"item under {MAX_LIST_ITEM_CHARS} characters, or split it into several.",
                code="too_long",
            )
        cleaned.append(text)
    if not cleaned:
        raise _required()
    if len(cleaned) > MAX_LIST_ITEMS:
        raise _invalid(
            f"You listed {len(cleaned)} items; the limit is {MAX_LIST_ITEMS}. Merge related items.", code="too_long"
        )
    return NormalisedAnswer(tuple(cleaned))


def _validate_number(question: Question, raw: object) -> NormalisedAnswer:
    if question.per_item_of:
        return _validate_per_item_number(question, raw)
    value, extras = _unpack(raw, frozenset({"unit"}))
    given_unit = extras.get("unit")
    if isinstance(value, str) and (match := _NUMBER_AND_UNIT_RE.match(value.strip())):
        value, in_text_unit = match.group(1), match.group(2)
        if in_text_unit is not None:
            if given_unit is not None:
                raise _invalid("Give the unit once: either in the text or as 'unit'.")
            given_unit = in_text_unit
    number = _to_number(value)
    unit = _resolve_unit(question, given_unit)
    _check_bounds(question, number, what="The number")
    return NormalisedAnswer(number, unit=unit)


def _resolve_unit(question: Question, given: object) -> str | None:
    if given is not None and not isinstance(given, str):
        raise _invalid("The unit must be text, e.g. 'days'.")
    unit = given.strip() if isinstance(given, str) and given.strip() else None
    if question.unit:
        if unit is None or _unit_key(unit) == _unit_key(question.unit):
            return question.unit
        raise _invalid(
            f"This answer is in {question.unit}; leave the unit out or write '{question.unit}'.", code="invalid_unit"
        )
    if question.unit_choices:
        choices = ", ".join(question.unit_choices)
        if unit is None:
            raise _invalid(f"Say which unit the number is in: one of {choices}.", code="unit_required")
        for choice in question.unit_choices:
            if _unit_key(unit) == _unit_key(choice):
                return choice
        raise _invalid(f"'{unit}' is not a unit this question takes; use one of {choices}.", code="invalid_unit")
    if question.free_unit:
        if unit is None:
            raise _invalid(
                "Say what the number measures, e.g. '%', 'days', 'EUR' or 'customers'.", code="unit_required"
            )
        return _clean_text(unit, what="The unit", limit=MAX_UNIT_CHARS)
    if unit is not None:
        raise _invalid(f"This question takes a plain number without a unit; remove '{unit}'.", code="invalid_unit")
    return None


_ITEM_SEPARATED_RE = re.compile(r"^(.+?)\s*[:=]\s*(\S+)$")
_ITEM_SPACED_RE = re.compile(r"^(.+?)\s+(\S+)$")


def _validate_per_item_number(question: Question, raw: object) -> NormalisedAnswer:
    if isinstance(raw, Mapping) and set(raw) == {"value"}:
        raw = raw["value"]
        if _is_blank(raw):
            raise _required()
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, str):
        pairs = []
        lines = _clean_text(raw, what="Your answer", limit=MAX_ANSWER_CHARS).split("\n")
        for position, line in enumerate(lines, start=1):
            line = _BULLET_RE.sub("", line.strip()).strip()
            if not line:
                continue
            match = _ITEM_SEPARATED_RE.match(line) or _ITEM_SPACED_RE.match(line)
            if match is None:
                raise _invalid(f"Line {position} ({line[:40]}) needs a name and a value, e.g. 'recall: 0.7'.")
            pairs.append((match.group(1), match.group(2)))
    else:
        raise _invalid("Give one value per item, e.g. 'recall: 0.7' on its own line.")
    values: dict[str, float] = {}
    for name, value in pairs:
        if not isinstance(name, str) or not name.strip(" ≥≤<>=:"):
            raise _invalid("Every value needs the name of the item it belongs to, e.g. 'recall: 0.7'.")
        item = _clean_text(name.strip(" ≥≤<>=:"), what="An item name", limit=MAX_LIST_ITEM_CHARS)
        if item.lower() in (existing.lower() for existing in values):
            raise _invalid(f"'{item}' is given twice; give one value per item.")
        number = _to_number(value, what=f"The value for '{item}'")
        _check_bounds(question, number, what=f"The value for '{item}'")
        values[item] = number
    if not values:
        raise _required()
    if len(values) > MAX_LIST_ITEMS:
        raise _invalid(f"You gave {len(values)} values; the limit is {MAX_LIST_ITEMS}.", code="too_long")
    return NormalisedAnswer(MappingProxyType(values))


_OUT_OF_TEN_RE = re.compile(r"^\s*(\S+?)\s*/\s*10\s*$")


def _validate_scale(question: Question, raw: object) -> NormalisedAnswer:
    value, extras = _unpack(raw, frozenset({"note"}))
    low, high = question.bounds
    # The bank only allows whole-number bounds on a scale.
    wanted = f"The score must be a whole number from {number_text(low or 0)} to {number_text(high or 10)}, e.g. 7"
    if isinstance(value, str) and (match := _OUT_OF_TEN_RE.match(value)):
        value = match.group(1)
    try:
        number = _to_number(value)
    except ValidationError:
        raise _invalid(f"{wanted}; got {str(value)[:40]!r}.") from None
    if not number.is_integer():
        raise _invalid(f"{wanted}; got {number_text(number, significant=6)}.")
    _check_bounds(question, number, what="The score", example=", e.g. 7")
    note = _optional_text(extras.get("note"), what="The note", limit=MAX_NOTE_CHARS)
    return NormalisedAnswer(int(number), note=note)


def _validate_percentage(question: Question, raw: object) -> NormalisedAnswer:
    value, _ = _unpack(raw)
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    number = _to_number(value, what="The percentage", example="85 or 85%")
    _check_bounds(question, number, what="The percentage", example=", e.g. 85 or 85%")
    return NormalisedAnswer(number)


def _validate_choice(question: Question, raw: object) -> NormalisedAnswer:
    value, extras = _unpack(raw, frozenset({"detail"}))
    options = ", ".join(f"{choice.value} ({choice.label})" for choice in question.choices)
    if not isinstance(value, str):
        raise _invalid(f"Pick one of: {options}.", code="invalid_choice")
    choice = _match_choice(question, value)
    if choice is None:
        raise _invalid(
            f"'{value.strip()[:40]}' is not one of the choices. Pick one of: {options}.", code="invalid_choice"
        )
    if "detail" in extras and question.detail is None:
        raise _invalid("This question takes only a choice; remove 'detail'.")
    detail = _optional_text(extras.get("detail"), what="The detail", limit=MAX_ANSWER_CHARS)
    if question.detail is not None and choice.value in question.detail.required_for and detail is None:
        raise _invalid(f"You chose '{choice.label}'. {question.detail.prompt}", code="detail_required")
    return NormalisedAnswer(choice.value, detail=detail)


def _match_choice(question: Question, value: str) -> Choice | None:
    wanted = value.strip().lower()
    as_key = re.sub(r"[\s-]+", "_", wanted)
    for choice in question.choices:
        if wanted in (choice.value, choice.label.lower()) or as_key == choice.value:
            return choice
    return None


Validator = Callable[[Question, object], NormalisedAnswer]

VALIDATORS: Mapping[QuestionType, Validator] = MappingProxyType(
    {
        QuestionType.TEXT: _validate_text,
        QuestionType.LIST: _validate_list,
        QuestionType.NUMBER: _validate_number,
        QuestionType.SCALE: _validate_scale,
        QuestionType.PERCENTAGE: _validate_percentage,
        QuestionType.CHOICE: _validate_choice,
    }
)


def duration_seconds(answer: NormalisedAnswer) -> float:
    """A duration answer (e.g. S2Q12, S2Q13) in seconds, so window and latency can be compared."""
    seconds_per_unit = DURATION_SECONDS.get(answer.unit or "")
    if seconds_per_unit is None or not isinstance(answer.value, int | float):
        raise ValueError(f"{answer!r} is not a duration in one of {', '.join(DURATION_SECONDS)}.")
    return float(answer.value) * seconds_per_unit


def answer_text(answer: AnswerLike) -> str:
    """A stored answer as plain text for a model to read (a list one item per line)."""
    value = answer.value.get("value") if isinstance(answer.value, dict) else answer.value
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)
