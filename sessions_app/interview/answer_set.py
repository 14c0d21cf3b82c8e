"""The current answers of a session as an immutable value, built from `Answer` rows by the caller (no queries)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from sessions_app.interview import rules
from sessions_app.interview.question_bank import QuestionType, get_bank


class AnswerRow(Protocol):
    """What `from_rows` reads from a row: an `Answer` model instance or anything shaped like one."""

    question_id: str
    item: int
    value: Any
    status: str
    structured: Any


@dataclass(frozen=True)
class CurrentAnswer:
    question_id: str
    item: int
    value: Mapping[str, Any]  # the JSON form: {"value": …, "unit"?: …, "note"?: …, "detail"?: …}
    status: str
    structured: Mapping[str, Any] | None = None

    @property
    def plain(self) -> Any:
        return self.value.get("value")


@dataclass(frozen=True)
class AnswerSet:
    """`(question_id, item) -> CurrentAnswer`. May hold several stages (the builders read earlier stages when
    present, e.g. stage 3 maps sources to the stage-1 features)."""

    answers: Mapping[tuple[str, int], CurrentAnswer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))

    @classmethod
    def from_rows(cls, rows: Iterable[AnswerRow]) -> AnswerSet:
        """The latest row per (question_id, item); `rows` must be ordered by creation (oldest first)."""
        latest: dict[tuple[str, int], CurrentAnswer] = {}
        for row in rows:
            key = (row.question_id, int(row.item or 0))
            latest[key] = CurrentAnswer(
                row.question_id,
                key[1],
                dict(row.value or {}),
                str(row.status),
                dict(row.structured) if row.structured else None,
            )
        return cls(latest)

    @classmethod
    def from_values(
        cls,
        values: Mapping[tuple[str, int], Mapping[str, Any]],
        status: str = "accepted",
        structured: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
    ) -> AnswerSet:
        """Build from stored JSON values directly (tests, previews): every answer gets `status`."""
        structured = structured or {}
        return cls(
            {
                key: CurrentAnswer(
                    key[0], key[1], dict(value), status, dict(structured[key]) if key in structured else None
                )
                for key, value in values.items()
            }
        )

    def __iter__(self) -> Iterator[CurrentAnswer]:
        return iter(self.answers.values())

    def __len__(self) -> int:
        return len(self.answers)

    def __contains__(self, key: object) -> bool:
        return key in self.answers

    def get(self, qid: str, item: int = 0) -> CurrentAnswer | None:
        return self.answers.get((qid, item))

    def value(self, qid: str, item: int = 0) -> Mapping[str, Any] | None:
        """The stored JSON form of the answer, or None when unanswered."""
        answer = self.get(qid, item)
        return answer.value if answer else None

    def plain(self, qid: str, item: int = 0) -> Any:
        """The bare value (`value["value"]`), or None when unanswered."""
        answer = self.get(qid, item)
        return answer.plain if answer else None

    def structured(self, qid: str, item: int = 0) -> Mapping[str, Any] | None:
        answer = self.get(qid, item)
        return answer.structured if answer else None

    def items(self, qid: str) -> tuple[int, ...]:
        """Item indexes answered for `qid`, ascending."""
        return tuple(sorted(item for question_id, item in self.answers if question_id == qid))

    def has_final(self, qid: str, item: int = 0) -> bool:
        """Accepted or escalated; a typed answer (number, choice…) is final once stored, as it is validated."""
        answer = self.get(qid, item)
        if answer is None:
            return False
        if answer.status in rules.FINAL_STATUSES:
            return True
        bank = get_bank()
        return bank.has_question(qid) and bank.question(qid).type is not QuestionType.TEXT

    def condition_view(self) -> dict[str, Mapping[str, Any]]:
        """question id → item-0 JSON value, the shape `Question.applies()` expects."""
        return {qid: answer.value for (qid, item), answer in self.answers.items() if item == 0}
