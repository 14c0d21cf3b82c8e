"""How far a stage's required answers are, counted by one rule everywhere (the stage page, the stage strip, the
session page, "Next unanswered"): the gate's own rule (``gates.Gate.find_missing``).

The rule: a required question counts when it applies (its condition holds on the item-0 answers); in a
repeatable group it counts once per item started (any question of the group answered for that item; item 0
when none is), elsewhere once. It is done when its current answer is final: accepted or escalated, or any stored
typed answer (those are validated, not scored). Empty "Add another" items shown on the page do not count.
Pure: reads an ``AnswerSet``, no queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.gates import Gate
from sessions_app.interview.question_bank import stage as stage_definition


def anchor_of(question_id: str, item: int) -> str:
    """The question block's id on the stage page."""
    return question_id if not item else f"{question_id}-{item}"


@dataclass(frozen=True)
class RequiredProgress:
    stage: int
    done: int
    total: int
    missing: tuple[tuple[str, int], ...]  # (question id, item), in the order the page shows them

    @property
    def first_missing(self) -> tuple[str, int] | None:
        return self.missing[0] if self.missing else None

    @property
    def label(self) -> str:
        return f"{self.done} of {self.total} required answered"


def required_progress(answers: AnswerSet, stage_number: int) -> RequiredProgress:
    gate = Gate(stage_number, answers, set())
    gate.find_missing()
    definition = stage_definition(stage_number)
    group_order = {group.key: n for n, group in enumerate(definition.groups)}
    position = {q.id: (group_order[q.group], n) for n, q in enumerate(definition.questions)}
    # The page lists a repeatable group item by item: all of item 0's questions, then item 1's…
    missing = sorted(
        ((m.question_id, m.item) for m in gate.missing),
        key=lambda key: (position[key[0]][0], key[1], position[key[0]][1]),
    )
    return RequiredProgress(
        stage=stage_number, done=gate.required_total - len(missing), total=gate.required_total, missing=tuple(missing)
    )


@dataclass(frozen=True)
class NextUnanswered:
    stage: int
    question_id: str | None  # None: every required question up to ``stage`` is answered; go to its gate
    item: int = 0

    @property
    def anchor(self) -> str:
        return anchor_of(self.question_id, self.item) if self.question_id else "gate-panel"


def next_unanswered(
    answers: AnswerSet, *, from_stage: int, reachable_up_to: int, stage_numbers: tuple[int, ...]
) -> NextUnanswered:
    """The first unanswered required question of ``from_stage``, else of the next reachable stages; when all are
    answered, the gate of the first reachable stage from ``from_stage`` on (the one to complete next)."""
    for number in stage_numbers:
        if number < from_stage or number > max(reachable_up_to, from_stage):
            continue
        first = required_progress(answers, number).first_missing
        if first is not None:
            return NextUnanswered(stage=number, question_id=first[0], item=first[1])
    return NextUnanswered(stage=min(max(reachable_up_to, from_stage), stage_numbers[-1]), question_id=None)
