"""The stage registry: stage number → its definition (question bank), deliverable builder and gate."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sessions_app.question_bank import StageDefinition, stage


@dataclass(frozen=True)
class StageSpec:
    number: int
    build: Callable[[Any], BaseModel]

    @property
    def definition(self) -> StageDefinition:
        return stage(self.number)


class StageRegistry:
    def __init__(self, specs: list[StageSpec]) -> None:
        self._specs = {spec.number: spec for spec in specs}

    def __getitem__(self, number: int) -> StageSpec:
        return self._specs[number]

    def build(self, number: int, answers: Any) -> BaseModel:
        return self._specs[number].build(answers)

    def gate(self, number: int, answers: Any, deliverable: BaseModel, acknowledged: set[str]) -> Any:
        from sessions_app.interview.gates import run_gate

        return run_gate(number, answers, deliverable, acknowledged)


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


def _builder(number: int) -> Callable[[Any], BaseModel]:
    """Builders see every answer of the session: later stages read earlier ones (features, task type)."""

    def build(answers: Any) -> BaseModel:
        from sessions_app.interview import builders

        if number == 5:  # the governance decision applies the data-feasibility floor from stage 3
            return builders.build_stage_5(answers, overall_feasibility=builders.feasibility_from_answers(answers))
        return builders.BUILDERS[number](answers)

    return build


REGISTRY = StageRegistry([StageSpec(number=n, build=_builder(n)) for n in range(1, 6)])
