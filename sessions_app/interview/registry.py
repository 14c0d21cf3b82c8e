"""The stage registry: the one table of the five stages. Stage number → the deliverable model, the builder that
makes the deliverable from the answers, and the gate rules; the stage's questions are in the question bank
(``question_bank.stage(n)``). Everything that iterates over stages reads this table. (Every stage's free-text
answers share one checker, ``quality``.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sessions_app.interview import builders, gates
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.deliverables import (
    DataQualityScorecard,
    EthicalRiskReport,
    MetricAlignmentMatrix,
    ProblemStatement,
    UserContext,
)
from sessions_app.interview.gates import GateResult
from sessions_app.models import STAGE_COUNT

Builder = Callable[[AnswerSet], BaseModel]
GateRules = Callable[[gates.Gate, Any], None]


@dataclass(frozen=True)
class StageSpec:
    number: int
    deliverable: type[BaseModel]
    build: Builder
    rules: GateRules

    def gate(self, answers: AnswerSet, deliverable: BaseModel | dict[str, Any], acknowledged: set[str]) -> GateResult:
        if not isinstance(deliverable, self.deliverable):
            deliverable = self.deliverable.model_validate(deliverable)
        return gates.run_gate(self.number, answers, deliverable, self.rules, acknowledged)


class StageRegistry:
    def __init__(self, specs: list[StageSpec]) -> None:
        self._specs = {spec.number: spec for spec in specs}
        if sorted(self._specs) != list(range(1, STAGE_COUNT + 1)):
            raise ValueError(f"The registry needs exactly stages 1–{STAGE_COUNT}; got {sorted(self._specs)}.")

    def __getitem__(self, number: int) -> StageSpec:
        return self._specs[number]

    def __iter__(self) -> Iterator[StageSpec]:
        return iter(self._specs[n] for n in sorted(self._specs))

    def __contains__(self, number: object) -> bool:
        return number in self._specs

    @property
    def numbers(self) -> range:
        return range(1, STAGE_COUNT + 1)


def to_json(value: Any) -> Any:
    """Deliverables and gate results (pydantic models or dataclasses) as plain JSON data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return value


REGISTRY = StageRegistry(
    [
        StageSpec(1, ProblemStatement, builders.build_stage_1, gates.stage_1_rules),
        StageSpec(2, MetricAlignmentMatrix, builders.build_stage_2, gates.stage_2_rules),
        StageSpec(3, DataQualityScorecard, builders.build_stage_3, gates.stage_3_rules),
        StageSpec(4, UserContext, builders.build_stage_4, gates.stage_4_rules),
        StageSpec(5, EthicalRiskReport, builders.build_stage_5, gates.stage_5_rules),
    ]
)
