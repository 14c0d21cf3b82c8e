"""A valid answer for a question, built from nothing but its JSON in ``GET /sessions/{id}/stages/{n}``: what a
client of the API can do. The API tests use it to show that the question schema is enough to send a valid answer."""

from __future__ import annotations

from typing import Any

TEXT = (
    "About 2.1% of our 180,000 subscribers cancel each month; each costs about 540 EUR of margin over the next "
    "12 months, and the retention team learns of it only on the cancellation call."
)


def _number(question: dict[str, Any]) -> float | int:
    low, high = question["min"], question["max"]
    if low is not None and high is not None:
        value: float | int = (low + high) / 2
    elif low is not None:
        value = low + 1
    elif high is not None:
        value = high - 1
    else:
        value = 12.5
    return round(value) if question["whole_number"] else value


def answer_from_schema(question: dict[str, Any], variant: int = 0) -> Any:
    """An answer ``question`` accepts; ``variant`` picks among its choices and units."""
    kind = question["type"]
    if kind == "text":
        return TEXT
    if kind == "list":
        return ["Monthly usage", "Support calls", "Contract length"][: 1 + variant % 3]
    if kind == "choice":
        choice = question["choices"][variant % len(question["choices"])]["value"]
        detail = question["detail"]
        if detail is not None and choice in detail["required_for"]:
            return {"value": choice, "detail": "Usage history is not available for customers who joined this month."}
        return choice
    number = _number(question)
    if question["per_item_of"]:
        return {"Recall": number, "Precision": number}
    if question["unit_choices"]:
        return {"value": number, "unit": question["unit_choices"][variant % len(question["unit_choices"])]}
    if question["free_unit"]:
        return {"value": number, "unit": "customers"}
    return number


def answer_bodies(stage: dict[str, Any]) -> list[dict[str, Any]]:
    """One request body per question of a stage (item 0), in the order of the page."""
    return [
        {"question_id": question["question_id"], "answer": answer_from_schema(question, variant), "item": 0}
        for group in stage["groups"]
        for variant, question in enumerate(group["questions"])
    ]
